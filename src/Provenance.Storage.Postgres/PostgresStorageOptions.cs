namespace Provenance.Storage.Postgres;

/// <summary>Tuning of the PostgreSQL storage provider.</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>This node's id, carried by state-change notifications so a node ignores its own. Defaults to a random id.</summary>
    public string NodeId { get; set; } = Guid.NewGuid().ToString("N")[..16];

    /// <summary>Most state writes committed in one transaction by the group-commit writer.</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>Number of group-commit writers (each owns a share of the keys, so one key's writes stay ordered).</summary>
    public int WriterCount { get; set; } = 2;

    /// <summary>Whether committed state writes are announced to other nodes (NOTIFY), feeding <see cref="Provenance.Core.Storage.IStateChangeFeed"/>.</summary>
    public bool PublishStateChanges { get; set; } = true;

    /// <summary>
    /// Number of Orleans stream queues the outbox is split into; every outbox row is stamped with its stream's queue when
    /// written. Must equal <see cref="Streams.OutboxStreamOptions.QueueCount"/> on every silo (the stream provider refuses
    /// to start otherwise). Changing it needs every silo stopped (docs/adr/0007-streams-over-the-outbox.md). Default 4.
    /// </summary>
    public int StreamQueueCount { get; set; } = 4;

    /// <summary>Applies the schema migrations when the storage opens.</summary>
    public bool ApplyMigrations { get; set; } = true;
}
