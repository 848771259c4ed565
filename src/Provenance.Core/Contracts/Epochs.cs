namespace Provenance.Core.Contracts;

/// <summary>State of one TSA's timestamp on an epoch.</summary>
public enum TimestampState { Pending, Granted, Failed }

/// <summary>The signed checkpoint of an epoch: the log's size and root at sealing (a text form in the spirit of C2SP signed notes).</summary>
/// <param name="Text">The exact checkpoint body that was signed (UTF-8, LF line ends).</param>
/// <param name="Jws">ES256 compact JWS over <see cref="Text"/> by the log key.</param>
public sealed record CheckpointDto(string LogId, long Epoch, long TreeSize, string RootHash, long? PreviousEpoch, string? PreviousRootHash, DateTimeOffset SealedAt, string Text, string Jws, string KeyId);

/// <summary>One TSA's timestamp on an epoch checkpoint (token base64 DER when granted).</summary>
public sealed record EpochTimestampDto(string Tsa, TimestampState State, string? TokenBase64, DateTimeOffset? GenTime, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt);

/// <summary>An epoch: sealed (checkpoint signed), then timestamped when every TSA granted a token.</summary>
public sealed record EpochDto(long Epoch, string Status, CheckpointDto Checkpoint, IReadOnlyList<EpochTimestampDto> Timestamps, long Entries, double? SecondsToTimestamp);

/// <summary>POST /v1/epochs/trigger answer: which epoch the caller's trigger produced or joined.</summary>
public sealed record TriggerResultDto(long Epoch, bool Created, EpochDto EpochInfo);

/// <summary>GET /v1/anchor/status.</summary>
public sealed record AnchorStatusDto(long LogSize, long PendingEntries, long? LastEpoch, DateTimeOffset? LastSealedAt, TimeSpan? Interval, long? PendingThreshold, DateTimeOffset? NextScheduledAt, int EpochsAwaitingTimestamp);

/// <summary>RFC 9162 inclusion proof of a leaf into the tree of one epoch (hashes base64).</summary>
public sealed record InclusionProofDto(string AssetId, long Epoch, long LeafIndex, long TreeSize, string LeafHash, IReadOnlyList<string> Proof, string RootHash);

/// <summary>RFC 9162 consistency proof between two epochs' trees (hashes base64).</summary>
public sealed record ConsistencyProofDto(long FromEpoch, long ToEpoch, long Size1, long Size2, string Root1, string Root2, IReadOnlyList<string> Proof);
