namespace Provenance.Core.Prompts;

/// <summary>The prompt version is blocked and may not be used. Code <c>prompt-version-blocked</c>.</summary>
public sealed class PromptVersionBlockedException(string familyId, string version)
    : ProvenanceException("prompt-version-blocked", $"Prompt {familyId}@{version} is blocked and cannot be used.", "prompt");

/// <summary>The prompt version is not approved and the tenant does not allow draft prompts. Code <c>prompt-version-not-approved</c>.</summary>
public sealed class PromptVersionNotApprovedException(string familyId, string version, string status)
    : ProvenanceException("prompt-version-not-approved", $"Prompt {familyId}@{version} is {status}; only approved versions may be used unless the tenant allows drafts.", "prompt");

/// <summary>An approved (or deprecated, blocked) prompt version cannot change; a new wording is a new version. Code <c>prompt-version-immutable</c>.</summary>
public sealed class PromptVersionImmutableException(string familyId, string version)
    : ProvenanceException("prompt-version-immutable", $"Prompt {familyId}@{version} is no longer a draft and cannot change; create a new version instead.", "version")
{
    /// <inheritdoc/>
    public override ErrorKind Kind => ErrorKind.Conflict;
}
