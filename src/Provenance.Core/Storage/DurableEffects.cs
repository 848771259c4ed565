namespace Provenance.Core.Storage;

/// <summary>
/// Side effects that must commit in the same transaction as a grain state write, so that an
/// acknowledged change can never exist without its log entry, its event or its index rows
/// (architecture.md, flow 1).
/// </summary>
public sealed class DurableEffects
{
    /// <summary>Entries to append to the Merkle log as pending (unsequenced) leaves.</summary>
    public List<LogAppend> LogAppends { get; } = [];

    /// <summary>Events to put in the durable outbox (streams, webhooks).</summary>
    public List<OutboxMessage> Events { get; } = [];

    /// <summary>Secondary index rows (lineage edges, lookups by hash, search tokens).</summary>
    public List<IndexEntry> IndexEntries { get; } = [];

    /// <summary>True when there is nothing to write besides the state.</summary>
    public bool IsEmpty => LogAppends.Count == 0 && Events.Count == 0 && IndexEntries.Count == 0;
}

/// <summary>A leaf for the append-only log.</summary>
/// <param name="SourceKey">What the leaf stands for (e.g. the asset id); unique: one leaf per source key.</param>
/// <param name="LeafInput">The leaf's input bytes (for a manifest: its 32-byte SHA-256 hash). The log
/// stores it and hashes it as an RFC 9162 leaf when sequencing.</param>
public sealed record LogAppend(string SourceKey, byte[] LeafInput);

/// <summary>An event for the durable outbox.</summary>
/// <param name="Stream">Stream name, e.g. <c>assets</c> or <c>epochs</c>.</param>
/// <param name="EventType">Event type, e.g. <c>asset.registered</c>.</param>
/// <param name="Tenant">The tenant the event belongs to, or <see langword="null"/> for deployment-wide events.</param>
/// <param name="Payload">UTF-8 JSON payload.</param>
/// <param name="StreamKey">Which stream of <paramref name="Stream"/> the event belongs to (e.g. the parent asset id of a
/// per-asset <c>derivatives</c> stream); <see langword="null"/> means the tenant's stream, or the deployment's for
/// deployment-wide events. Together with <paramref name="Stream"/> it names exactly one Orleans stream.</param>
public sealed record OutboxMessage(string Stream, string EventType, string? Tenant, ReadOnlyMemory<byte> Payload, string? StreamKey = null);

/// <summary>A secondary index row: under <paramref name="Index"/> and <paramref name="Key"/>, the value <paramref name="Value"/>.
/// Rows are append-only and unique per (index, key, value); writing the same triple again is a no-op.</summary>
/// <param name="Index">Index name, e.g. <c>children</c>.</param>
/// <param name="Key">Lookup key, e.g. the parent asset id.</param>
/// <param name="Value">The value found under the key, e.g. the child asset id.</param>
/// <param name="Data">Small optional payload (UTF-8 JSON), e.g. the relationship.</param>
public sealed record IndexEntry(string Index, string Key, string Value, ReadOnlyMemory<byte> Data = default);
