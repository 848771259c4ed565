using System.Text.Json.Serialization;
using Provenance.Core.Contracts;

namespace Provenance.Grains.Epochs;

/// <summary>
/// Stored state of an epoch: the signed checkpoint and one timestamp slot per TSA. Immutable: every change replaces the
/// whole record, so reentrant readers always see a consistent snapshot. Written create-only when sealed.
/// </summary>
public sealed record EpochState
{
    /// <summary>Epoch number.</summary>
    public long Epoch { get; init; }

    /// <summary>Log id of the checkpoint origin.</summary>
    public string LogId { get; init; } = "";

    /// <summary>Log size covered.</summary>
    public long TreeSize { get; init; }

    /// <summary>RFC 9162 root of that size.</summary>
    public byte[] RootHash { get; init; } = [];

    /// <summary>Tree size of the previous epoch (0 for epoch 1).</summary>
    public long PreviousTreeSize { get; init; }

    /// <summary>Root of the previous epoch, null for epoch 1.</summary>
    public byte[]? PreviousRootHash { get; init; }

    /// <summary>Sealing time stated in the checkpoint.</summary>
    public DateTimeOffset SealedAt { get; init; }

    /// <summary>The exact checkpoint text that was signed; empty while not sealed.</summary>
    public string Text { get; init; } = "";

    /// <summary>ES256 compact JWS over the UTF-8 of <see cref="Text"/>.</summary>
    public string Jws { get; init; } = "";

    /// <summary>Log key that signed.</summary>
    public string KeyId { get; init; } = "";

    /// <summary>One slot per TSA configured at sealing.</summary>
    public IReadOnlyList<TsaStampState> Timestamps { get; init; } = [];

    /// <summary>When the last TSA granted, once all have.</summary>
    public DateTimeOffset? TimestampedAt { get; init; }

    /// <summary>True once the checkpoint is stored.</summary>
    [JsonIgnore]
    public bool IsSealed => Text.Length > 0;
}

/// <summary>One TSA's timestamp on an epoch. <see cref="TimestampState.Pending"/> until granted; failures keep it pending with a later <paramref name="NextAttemptAt"/>.</summary>
public sealed record TsaStampState(string Tsa, TimestampState State, byte[]? Token, DateTimeOffset? GenTime, int Attempts, string? LastError, DateTimeOffset? NextAttemptAt);
