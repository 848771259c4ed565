namespace Provenance.Core.Assets;

/// <summary>The input breaks a rule of the API (format, length, required field). Code <c>validation-failed</c>.</summary>
public sealed class ValidationFailedException(string message, string? field = null)
    : ProvenanceException("validation-failed", message, field);

/// <summary>An id is unknown or not visible to the caller's tenant. Code <c>not-found</c>.</summary>
public sealed class NotFoundException(string what, string id)
    : ProvenanceException("not-found", $"No {what} '{id}' is visible to this tenant.")
{
    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.NotFound;
}

/// <summary>The caller lacks a scope or acts on another tenant's data. Code <c>forbidden</c>.</summary>
public sealed class ForbiddenException(string message)
    : ProvenanceException("forbidden", message)
{
    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Forbidden;
}

/// <summary>An asset with this id is already registered (ids are one global namespace). Code <c>asset-exists</c>.</summary>
public sealed class AssetExistsException(string assetId)
    : ProvenanceException("asset-exists", $"Asset '{assetId}' is already registered; choose another id or omit it to get a generated one.", "assetId")
{
    /// <summary>The id.</summary>
    public string AssetId { get; } = assetId;

    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Conflict;
}

/// <summary>A lifecycle change the transition table does not allow. Code <c>illegal-transition</c>.</summary>
public sealed class IllegalTransitionException(string from, string to)
    : ProvenanceException("illegal-transition", $"An asset cannot go from '{from}' to '{to}'.", "status")
{
    /// <summary>Current status.</summary>
    public string From { get; } = from;

    /// <summary>Requested status.</summary>
    public string To { get; } = to;

    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Conflict;
}

/// <summary>Another writer kept changing the same record; the change was not applied. Code <c>conflict</c>.</summary>
public sealed class ConcurrentChangeException(string subject, int attempts)
    : ProvenanceException("conflict", $"'{subject}' was changed concurrently {attempts} times in a row; nothing was written, retry the request.")
{
    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Conflict;
}
