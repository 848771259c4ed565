using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Hashing;
using Provenance.Core.Json;

namespace Provenance.Grains.Prompts;

/// <summary>What the family and version grains share about a version: request validation, its content hash, and how
/// it reads under a tenant's privacy policy.</summary>
internal static class PromptVersionRules
{
    private const int MaxText = 32_768;

    /// <summary>The caller must hold <paramref name="scope"/> and be of the family's tenant; others get not-found.</summary>
    public static void EnsureCaller(CallerContext caller, string scope, string tenant, string familyId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(scope);
        if (caller.Tenant != tenant)
        {
            throw new NotFoundException("prompt family", familyId);
        }
    }

    /// <summary>
    /// Writes <paramref name="next"/>; the in-memory state changes only once the write succeeded. A failed write
    /// restores the previous state and deactivates the grain, so its next call reloads what storage holds.
    /// </summary>
    public static async Task WriteOrRestoreAsync<TState>(Orleans.Runtime.IPersistentState<TState> state, TState next, Action deactivate)
    {
        var before = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            deactivate();
            throw;
        }
    }

    /// <summary>Checks the texts and references of a create request (the version number is checked by its parser).</summary>
    /// <exception cref="ValidationFailedException">Empty user prompt, a text over 32,768 characters, or a malformed reference.</exception>
    public static void Validate(CreatePromptVersionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.UserPrompt))
        {
            throw new ValidationFailedException("userPrompt is required.", "userPrompt");
        }

        EnsureLength(request.SystemPrompt, "systemPrompt");
        EnsureLength(request.UserPrompt, "userPrompt");
        EnsureLength(request.NegativePrompt, "negativePrompt");
        var references = request.ReferenceAssets ?? [];
        for (var i = 0; i < references.Count; i++)
        {
            AssetIds.EnsureValid(references[i], $"referenceAssets[{i}]");
        }
    }

    /// <summary>SHA-256 of the RFC 8785 form of the version's content (texts, parameters, references).</summary>
    public static string Hash(string familyId, string version, string? system, string user, string? negative, string? parameters, IReadOnlyList<string> references)
    {
        var node = new JsonObject
        {
            ["familyId"] = familyId,
            ["version"] = version,
            ["systemPrompt"] = system,
            ["userPrompt"] = user,
            ["negativePrompt"] = negative,
            ["parameters"] = parameters is null ? null : JsonNode.Parse(parameters),
            ["referenceAssets"] = new JsonArray([.. references.Select(r => (JsonNode?)r)]),
        };
        return ContentHash.FromBytes(SHA256.HashData(Jcs.Canonicalize(node))).ToString();
    }

    /// <summary>The version as a reader of <paramref name="familyId"/> sees it under <paramref name="policy"/>.</summary>
    public static PromptVersionDto ToDto(string familyId, PromptVersionState v, TenantPolicyDto policy) => new(
        familyId, v.Version, v.Status,
        Private(v.SystemPrompt, policy), Private(v.UserPrompt, policy), Private(v.NegativePrompt, policy),
        v.Parameters is null ? null : JsonNode.Parse(v.Parameters)!.AsObject(),
        [.. v.ReferenceAssets], v.Owner, v.ContentHash, v.ApprovedBy, v.ApprovedAt, v.CreatedAt);

    /// <summary>
    /// The diffable fields of a version as read (texts already under the privacy policy); an absent (null) field is left
    /// out, so it diffs as added or removed. Parameters compare in their RFC 8785 form.
    /// </summary>
    public static Dictionary<string, string?> DiffFields(PromptVersionDto v) => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["systemPrompt"] = v.SystemPrompt,
        ["userPrompt"] = v.UserPrompt,
        ["negativePrompt"] = v.NegativePrompt,
        ["parameters"] = v.Parameters is null ? null : Encoding.UTF8.GetString(Jcs.Canonicalize(Encoding.UTF8.GetBytes(v.Parameters.ToJsonString()))),
        ["referenceAssets"] = v.ReferenceAssets is not { Count: > 0 } ? null : string.Join('\n', v.ReferenceAssets),
    }.Where(kv => kv.Value is not null).ToDictionary(StringComparer.Ordinal);

    /// <summary>A prompt text under the tenant's privacy policy: clear, its hash, or nothing.</summary>
    private static string? Private(string? text, TenantPolicyDto policy) => text is null ? null : policy.PromptPrivacy switch
    {
        PromptPrivacy.Clear => text,
        PromptPrivacy.Hashed => ContentHash.Compute(Encoding.UTF8.GetBytes(text)).ToString(),
        _ => null,
    };

    private static void EnsureLength(string? text, string field)
    {
        if (text is { Length: > MaxText })
        {
            throw new ValidationFailedException($"{field} is at most {MaxText} characters.", field);
        }
    }
}
