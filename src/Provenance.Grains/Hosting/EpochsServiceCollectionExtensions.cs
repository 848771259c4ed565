using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Provenance.Actors.Hosting;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.Timestamping;

namespace Provenance.Grains.Hosting;

/// <summary>Registers the log (sequencer, log key, proofs) and epochs (epoch and anchor grains, schedule, TSAs).</summary>
public static class EpochsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the log sequencer grain and every node's background sequencing loop (a hosted service; with no generic host,
    /// start the <c>IHostedService</c>s yourself), and <see cref="ILogSigner"/> over the keyed <see cref="IKeyStore"/>
    /// <c>"log"</c> (<see cref="StorageNames.LogKeyStore"/>; a fresh in-memory store when none is registered). Needs an
    /// <c>ILogStore</c> (PostgreSQL storage). Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    public static IGrainRuntimeBuilder AddProvenanceLog(this IGrainRuntimeBuilder builder, Action<ProvenanceLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddGrains(typeof(EpochsServiceCollectionExtensions).Assembly);
        var services = builder.Services;
        services.AddOptions<ProvenanceLogOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LogSequencer>();
        services.TryAddSingleton<ILogSigner>(sp => LogSigner.CreateAsync(
                sp.GetKeyedService<IKeyStore>(StorageNames.LogKeyStore) ?? new InMemoryKeyStore(),
                sp.GetRequiredService<IOptions<ProvenanceLogOptions>>().Value.CreateLogKeyIfNone)
            .GetAwaiter().GetResult());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LogSequencerService>());
        return builder;
    }

    /// <summary>
    /// Adds the log (<see cref="AddProvenanceLog"/>), the epoch and anchor grains, <see cref="ILogProofs"/>, every node's
    /// schedule loop (hosted service) and <see cref="ITimestampAuthorities"/> over <see cref="ProvenanceEpochsOptions.Authorities"/>
    /// unless one is registered (it uses a registered <see cref="Rfc3161Client"/>, or one over a new <c>HttpClient</c>).
    /// Durable timestamp retries need an <c>IReminderTable</c>; cross-node single sealing needs an <c>IDistributedLock</c>.
    /// </summary>
    public static IGrainRuntimeBuilder AddProvenanceEpochs(this IGrainRuntimeBuilder builder, Action<ProvenanceEpochsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddProvenanceLog();
        var services = builder.Services;
        services.AddOptions<ProvenanceEpochsOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton<ITimestampAuthorities>(sp => new TimestampAuthorities(
            [.. sp.GetRequiredService<IOptions<ProvenanceEpochsOptions>>().Value.Authorities],
            sp.GetService<Rfc3161Client>() ?? new Rfc3161Client(new HttpClient(), sp.GetRequiredService<TimeProvider>())));
        services.TryAddSingleton(sp => new LatestEpochCache(sp.GetRequiredService<TimeProvider>(), sp.GetService<Actors.Storage.IStateChangeFeed>()));
        services.TryAddSingleton<ILogProofs, LogProofs>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AnchorScheduler>());
        return builder;
    }
}
