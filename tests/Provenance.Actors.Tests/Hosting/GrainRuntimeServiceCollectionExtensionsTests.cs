using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Provenance.Actors.Diagnostics;
using Provenance.Actors.Hosting;
using Provenance.Actors.Streams;
using Provenance.Actors.Tests.Support;

namespace Provenance.Actors.Tests.Hosting;

public sealed class GrainRuntimeServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddGrainRuntime_HostedServiceStartedAndStopped_GrainsServedThenDeactivated()
    {
        var probe = new Probe();
        var services = new ServiceCollection().AddSingleton(probe);
        services.AddGrainRuntime().AddGrains(typeof(Probe).Assembly).AddMemoryGrainStorageAsDefault();
        await using var provider = services.BuildServiceProvider();
        var hosted = Assert.Single(provider.GetServices<IHostedService>());
        await hosted.StartAsync(CancellationToken.None);
        await provider.GetRequiredService<IGrainFactory>().GetGrain<ILifecycleGrain>("h").PingAsync();

        await hosted.StopAsync(CancellationToken.None);

        Assert.Equal(DeactivationReasonCode.ShuttingDown, Assert.Single(probe.Deactivations).ReasonCode);
    }

    [Fact]
    public void AddGrainRuntime_Registered_ExposesFactoryStatisticsAndStreams()
    {
        var services = new ServiceCollection();

        services.AddGrainRuntime(o => o.CallTimeout = TimeSpan.FromSeconds(1)).AddGrains(typeof(Probe).Assembly).AddMemoryGrainStorageAsDefault();
        using var provider = services.BuildServiceProvider();

        Assert.Same(provider.GetRequiredService<IGrainFactory>(), provider.GetRequiredService<IRuntimeStatistics>());
        Assert.NotNull(provider.GetRequiredService<IStreamProvider>());
    }
}
