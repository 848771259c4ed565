using Orleans.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Provenance.Grains.Epochs;
using Provenance.Grains.Hosting;
using Provenance.Grains.Log;
using Provenance.Grains.Serialization;
using Orleans.Streams;
using Provenance.Server.Audit;
using Provenance.Server.Webhooks;
using Provenance.Storage.Postgres;
using Provenance.Storage.Postgres.Streams;

namespace Provenance.Server.Hosting;

/// <summary>How one silo of a Provenance cluster is set up (<see cref="ProvenanceSilo.AddProvenanceSilo"/>).</summary>
public sealed class ProvenanceSiloSettings
{
    /// <summary>The PostgreSQL every silo of the cluster shares: grain state, log, outbox, index, membership, reminders.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The cluster id (silos with the same id and database form one cluster). Default <c>provenance</c>.</summary>
    public string ClusterId { get; init; } = "provenance";

    /// <summary>The service id: stable across deployments of the same service (part of stored reminder and state keys). Default <c>provenance</c>.</summary>
    public string ServiceId { get; init; } = "provenance";

    /// <summary>Storage options (node id for the state-change feed, group commit).</summary>
    public Action<PostgresStorageOptions>? Storage { get; init; }

    /// <summary>Epoch options (schedule, TSAs, retries).</summary>
    public Action<ProvenanceEpochsOptions>? Epochs { get; init; }

    /// <summary>Log options (sequencer).</summary>
    public Action<ProvenanceLogOptions>? Log { get; init; }

    /// <summary>The audit schedule (default: every 24 hours). Every silo of a cluster should have the same one.</summary>
    public Action<AuditSettings>? Audit { get; init; }
}

/// <summary>The one composition of a Provenance silo, shared by the server and the test clusters.</summary>
public static class ProvenanceSilo
{
    /// <summary>
    /// Configures a silo: Provenance serializers, the project's PostgreSQL storage ports, Orleans membership, reminders
    /// and metadata grain storage on the same PostgreSQL, the outbox streams (with pub-sub state in PostgreSQL) and the
    /// webhook fan-out that consumes them, the grains, the log and epochs, the audit grain and its schedule, and the membership and collection tuning of
    /// docs/configuration.md. Endpoints (silo and gateway ports) are the caller's.
    /// </summary>
    public static ISiloBuilder AddProvenanceSilo(this ISiloBuilder silo, ProvenanceSiloSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        silo.Services.AddSerializer(s => s.AddProvenanceSerializers());
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.Services.AddPostgresStorage(settings.ConnectionString, settings.Storage);
        silo.UsePostgresClustering(settings.ConnectionString);
        silo.UsePostgresReminders(settings.ConnectionString);
        silo.AddPostgresGrainStorage(Grains.StorageNames.MetadataStorage, settings.ConnectionString);

        // Events reach subscribers as Orleans streams read from the outbox (docs/adr/0007, 0008). The live derivative
        // feed is subscribed to explicitly, per asset id, so pub-sub keeps its subscriptions in PostgreSQL too.
        var storage = new PostgresStorageOptions();
        settings.Storage?.Invoke(storage);
        // Orleans' serializer, not JSON: pub-sub state written as JSON could not be read back, so the pulling agents failed
        // to register as producers and a new subscriber's first events were dropped (ADR 0008).
        silo.AddPostgresRuntimeGrainStorage(Grains.StorageNames.PubSubStorage, settings.ConnectionString);
        silo.AddOutboxStreams(Grains.StorageNames.StreamProvider, o =>
        {
            o.QueueCount = storage.StreamQueueCount;
            o.PubSubType = StreamPubSubType.ExplicitGrainBasedAndImplicit;
        });
        silo.Services.AddWebhookFanOut();
        silo.AddProvenanceGrains().AddProvenanceLog(settings.Log).AddProvenanceEpochs(settings.Epochs);
        silo.AddProvenanceAudit(settings.Audit);

        // A killed silo is declared dead after about 3 missed 1 s probes, so its grains are served elsewhere within 5 s
        // (docs/configuration.md has the measurement and the trade-off against false suspicion under load).
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 3;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });
        silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        // Asset grains are written once and then mostly idle: at thousands of registrations a second, the default
        // collection age would keep millions of states in memory.
        silo.Configure<GrainCollectionOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(2));
        return silo;
    }
}
