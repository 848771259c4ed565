using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains.Tenants;
using Provenance.LoadGen;

namespace Provenance.Grains.Tests.Tenants;

public sealed class TenantGrainTests
{
    [Fact]
    public async Task SetPolicyAsync_OwnAdmin_StoredAndReadAfterRestart()
    {
        var storage = new MemoryGrainStorage();
        var admin = CallerContext.System("tenant-t");
        await using (var node = await NodeHost.StartMemoryAsync(storage, new InMemoryKeyStore()))
        {
            await node.Grains.GetGrain<ITenantGrain>("tenant-t").SetPolicyAsync(admin, new TenantPolicyDto(PromptPrivacy.Redacted, true, ["tenant-u"]));
        }

        await using var restarted = await NodeHost.StartMemoryAsync(storage, new InMemoryKeyStore());
        var policy = await restarted.Grains.GetGrain<ITenantGrain>("tenant-t").GetPolicyAsync();

        Assert.Equal(PromptPrivacy.Redacted, policy.PromptPrivacy);
        Assert.True(policy.AllowDraftPrompts);
        Assert.Equal(["tenant-u"], policy.TrustedTenants);
    }

    [Fact]
    public async Task SetPolicyAsync_OtherTenantsAdmin_Forbidden()
    {
        await using var node = await NodeHost.StartMemoryAsync(new MemoryGrainStorage(), new InMemoryKeyStore());

        var error = await Assert.ThrowsAsync<Core.Assets.ForbiddenException>(() =>
            node.Grains.GetGrain<ITenantGrain>("tenant-t").SetPolicyAsync(CallerContext.System("tenant-evil"), new TenantPolicyDto(TrustedTenants: ["tenant-evil"])));

        Assert.Equal("forbidden", error.Code);
        Assert.Empty((await node.Grains.GetGrain<ITenantGrain>("tenant-t").GetPolicyAsync()).TrustedTenants!);
    }
}
