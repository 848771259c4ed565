using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Provenance.Core.Signing;
using Provenance.Grains.Epochs;
using Provenance.Grains.Log;
using Provenance.Timestamping;

namespace Provenance.Grains.Hosting;

/// <summary>Registers the log (sequencer, log key, proofs) and epochs (epoch and anchor grains, schedule, TSAs).</summary>
public static class EpochsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the log sequencer grain (started on every silo by a start-up task; see <see cref="ILogSequencerGrain.StartAsync"/>), and <see cref="ILogSigner"/> over the keyed <see cref="IKeyStore"/>
    /// <c>"log"</c> (<see cref="StorageNames.LogKeyStore"/>; a fresh in-memory store when none is registered). Needs an
    /// <c>ILogStore</c> (PostgreSQL storage). Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    public static ISiloBuilder AddProvenanceLog(this ISiloBuilder builder, Action<ProvenanceLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
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
        return builder;
    }

    private static async Task StartLogGrainsAsync(IGrainFactory grains)
    {
        await grains.GetLogSequencer().StartAsync();
        await grains.GetAnchor().StartScheduleAsync();
    }

    /// <summary>
    /// Adds the log (<see cref="AddProvenanceLog"/>), the epoch and anchor grains, <see cref="ILogProofs"/>, the
    /// schedule (started by a start-up task; see <see cref="IAnchorGrain.StartScheduleAsync"/>) and <see cref="ITimestampAuthorities"/> over <see cref="ProvenanceEpochsOptions.Authorities"/>
    /// unless one is registered (it uses a registered <see cref="Rfc3161Client"/>, or one over a new <c>HttpClient</c>).
    /// Timestamp retries and the keep-alive reminders need an Orleans reminder service (Reminders.AdoNet in the server).
    /// </summary>
    public static ISiloBuilder AddProvenanceEpochs(this ISiloBuilder builder, Action<ProvenanceEpochsOptions>? configure = null)
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
        services.TryAddSingleton(sp => new LatestEpochCache(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<Core.Storage.IStateChangeFeed>()));
        services.TryAddSingleton<ILogProofs, LogProofs>();
        builder.AddStartupTask(static (sp, _) => StartLogGrainsAsync(sp.GetRequiredService<IGrainFactory>()));
        return builder;
    }
}
