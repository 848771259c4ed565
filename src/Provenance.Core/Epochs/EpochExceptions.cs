namespace Provenance.Core.Epochs;

/// <summary>A checkpoint text is not in the exact form of <see cref="Checkpoint"/>. Code <c>malformed-checkpoint</c>.</summary>
public sealed class MalformedCheckpointException(string message)
    : ProvenanceException("malformed-checkpoint", message, "checkpoint");

/// <summary>An epoch is already sealed over another tree size or root. Code <c>epoch-conflict</c>.</summary>
public sealed class EpochConflictException(long epoch, string detail)
    : ProvenanceException("epoch-conflict", $"Epoch {epoch} is already sealed differently: {detail}", "epoch")
{
    /// <summary>The epoch.</summary>
    public long Epoch { get; } = epoch;

    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Conflict;
}

/// <summary>A log entry is not (yet) covered by the requested epoch or by any epoch. Code <c>not-anchored</c>.</summary>
public sealed class NotAnchoredException(string sourceKey, string detail)
    : ProvenanceException("not-anchored", $"Log entry '{sourceKey}' is not in an epoch yet: {detail}", "epoch")
{
    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.NotFound;
}
