using Npgsql;
using Provenance.Core.Contracts;

namespace Provenance.Server.Data;

/// <summary>Per-tenant policy (table <c>tenant_policies</c>); a tenant without a row has the defaults of <see cref="TenantPolicyDto"/>.</summary>
internal sealed class TenantPolicyStore(Provenance.Storage.Postgres.PostgresStorage storage, TimeProvider time)
{
    public async Task<TenantPolicyDto> GetAsync(string tenant, CancellationToken cancellationToken)
    {
        await using var cmd = storage.DataSource.CreateCommand("SELECT prompt_privacy, allow_drafts, trusted_tenants FROM tenant_policies WHERE tenant = @t");
        cmd.Parameters.AddWithValue("t", tenant);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return new TenantPolicyDto(TrustedTenants: []);
        }

        return new TenantPolicyDto(
            Enum.Parse<PromptPrivacy>(reader.GetString(0), ignoreCase: true),
            reader.GetBoolean(1),
            reader.GetFieldValue<string[]>(2));
    }

    public async Task<TenantPolicyDto> PutAsync(string tenant, TenantPolicyDto policy, CancellationToken cancellationToken)
    {
        var trusted = (policy.TrustedTenants ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        await using var cmd = storage.DataSource.CreateCommand("""
            INSERT INTO tenant_policies (tenant, prompt_privacy, allow_drafts, trusted_tenants, updated_at) VALUES (@t, @p, @d, @tr, @now)
            ON CONFLICT (tenant) DO UPDATE SET prompt_privacy = excluded.prompt_privacy, allow_drafts = excluded.allow_drafts,
                trusted_tenants = excluded.trusted_tenants, updated_at = excluded.updated_at
            """);
        cmd.Parameters.AddWithValue("t", tenant);
        cmd.Parameters.AddWithValue("p", policy.PromptPrivacy.ToString().ToLowerInvariant());
        cmd.Parameters.AddWithValue("d", policy.AllowDraftPrompts);
        cmd.Parameters.AddWithValue("tr", trusted);
        cmd.Parameters.AddWithValue("now", time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(cancellationToken);
        return policy with { TrustedTenants = trusted };
    }
}
