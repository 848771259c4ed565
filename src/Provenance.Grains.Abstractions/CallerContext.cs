using Orleans;
using Provenance.Core.Assets;

namespace Provenance.Grains;

/// <summary>
/// Who is calling a grain: the tenant the API key belongs to, the acting principal (key id or user) recorded in
/// audit trails and manifests, and the key's scopes (<see cref="Core.Contracts.Scopes"/>). The server builds one per
/// request from the authenticated key and passes it to every grain method that needs authorisation.
/// </summary>
[GenerateSerializer, Immutable, Alias("provenance.CallerContext")]
public sealed record CallerContext
{
    /// <summary>Creates a caller.</summary>
    /// <exception cref="ArgumentException"><paramref name="tenant"/> or <paramref name="actor"/> is empty.</exception>
    public CallerContext(string tenant, string actor, IEnumerable<string> scopes)
    {
        ArgumentException.ThrowIfNullOrEmpty(tenant);
        ArgumentException.ThrowIfNullOrEmpty(actor);
        ArgumentNullException.ThrowIfNull(scopes);
        Tenant = tenant;
        Actor = actor;
        _scopes = [.. scopes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    [Id(2)]
    private readonly string[] _scopes;

    [NonSerialized]
    private IReadOnlySet<string>? _scopeSet;

    /// <summary>The caller's tenant.</summary>
    [Id(0)]
    public string Tenant { get; }

    /// <summary>The acting principal.</summary>
    [Id(1)]
    public string Actor { get; }

    /// <summary>Granted scopes.</summary>
    public IReadOnlySet<string> Scopes => _scopeSet ??= _scopes.ToHashSet(StringComparer.Ordinal);

    /// <summary>A caller with every scope (for tests, tools and system jobs).</summary>
    public static CallerContext System(string tenant, string actor = "system") => new(tenant, actor, Core.Contracts.Scopes.All);

    /// <summary>True when the caller holds <paramref name="scope"/> (scopes do not imply each other).</summary>
    public bool Has(string scope) => Array.BinarySearch(_scopes, scope, StringComparer.Ordinal) >= 0;

    /// <summary>Checks a scope.</summary>
    /// <exception cref="ForbiddenException">The caller lacks it.</exception>
    public void Require(string scope)
    {
        if (!Has(scope))
        {
            throw new ForbiddenException($"This API key lacks the '{scope}' scope.");
        }
    }
}
