using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Tenants;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Tenants;

public sealed class TenantGrainTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task SetPolicyAsync_OwnAdmin_StoredAndReadAfterRestart()
    {
        var database = await db.CreateDatabaseAsync(migrate: true);
        var admin = CallerContext.System("tenant-t");
        await using (var node = await Node.StartPostgresAsync(database, new InMemoryKeyStore()))
        {
            await node.Grains.GetGrain<ITenantGrain>("tenant-t").SetPolicyAsync(admin, new TenantPolicyDto(PromptPrivacy.Redacted, true, ["tenant-u"]));
        }

        await using var restarted = await Node.StartPostgresAsync(database, new InMemoryKeyStore());
        var policy = await restarted.Grains.GetGrain<ITenantGrain>("tenant-t").GetPolicyAsync();

        Assert.Equal(PromptPrivacy.Redacted, policy.PromptPrivacy);
        Assert.True(policy.AllowDraftPrompts);
        Assert.Equal(["tenant-u"], policy.TrustedTenants);
    }

    [Fact]
    public async Task SetPolicyAsync_OtherTenantsAdmin_Forbidden()
    {
        await using var node = await Node.StartPostgresAsync(db.ConnectionString, new InMemoryKeyStore());

        var error = await Assert.ThrowsAsync<Core.Assets.ForbiddenException>(() =>
            node.Grains.GetGrain<ITenantGrain>("tenant-t").SetPolicyAsync(CallerContext.System("tenant-evil"), new TenantPolicyDto(TrustedTenants: ["tenant-evil"])));

        Assert.Equal("forbidden", error.Code);
        Assert.Empty((await node.Grains.GetGrain<ITenantGrain>("tenant-t").GetPolicyAsync()).TrustedTenants!);
    }
}
