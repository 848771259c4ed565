using Provenance.Core.Contracts;

namespace Provenance.Grains.Tenants;

/// <summary>Stored policy of a tenant.</summary>
public sealed class TenantState
{
    /// <summary>Prompt privacy.</summary>
    public PromptPrivacy PromptPrivacy { get; set; }

    /// <summary>Whether assets may use draft prompt versions.</summary>
    public bool AllowDraftPrompts { get; set; }

    /// <summary>Tenants allowed to link to this tenant's assets as parents.</summary>
    public List<string> TrustedTenants { get; set; } = [];
}
