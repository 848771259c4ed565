using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Diff;
using Provenance.Core.Hashing;
using Provenance.Core.Json;
using Provenance.Core.Prompts;
using Provenance.Grains.Tenants;

namespace Provenance.Grains.Prompts;

/// <summary>A prompt family; see <see cref="IPromptGrain"/>.</summary>
[GrainType(StorageNames.PromptGrainType)]
internal sealed class PromptGrain(
    [PersistentState(StorageNames.PromptState, StorageNames.MetadataStorage)] IPersistentState<PromptState> state,
    TimeProvider time) : Grain, IPromptGrain
{
    private const int MaxText = 32_768;

    private (string Tenant, string FamilyId) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            return slash < 0 ? (key, "") : (key[..slash], key[(slash + 1)..]);
        }
    }

    /// <inheritdoc/>
    public async Task<PromptVersionDto> CreateVersionAsync(CallerContext caller, CreatePromptVersionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureCaller(caller, Scopes.Register);
        var (tenant, familyId) = Key;
        AssetIds.EnsureValid(familyId, "familyId");
        var version = SemanticVersion.Parse(request.Version).ToString();
        if (string.IsNullOrWhiteSpace(request.UserPrompt))
        {
            throw new ValidationFailedException("userPrompt is required.", "userPrompt");
        }

        EnsureLength(request.SystemPrompt, "systemPrompt");
        EnsureLength(request.UserPrompt, "userPrompt");
        EnsureLength(request.NegativePrompt, "negativePrompt");
        var references = (request.ReferenceAssets ?? []).ToList();
        for (var i = 0; i < references.Count; i++)
        {
            AssetIds.EnsureValid(references[i], $"referenceAssets[{i}]");
        }

        var existing = Find(version);
        if (existing is not null && existing.Status != PromptStatus.Draft)
        {
            throw new PromptVersionImmutableException(familyId, version);
        }

        var parameters = request.Parameters?.ToJsonString();
        var entry = new PromptVersionState
        {
            Version = version,
            Status = PromptStatus.Draft,
            SystemPrompt = request.SystemPrompt,
            UserPrompt = request.UserPrompt,
            NegativePrompt = request.NegativePrompt,
            Parameters = parameters,
            ReferenceAssets = references,
            Owner = caller.Actor,
            ContentHash = HashVersion(familyId, version, request.SystemPrompt, request.UserPrompt, request.NegativePrompt, parameters, references),
            CreatedAt = time.GetUtcNow(),
        };
        await UpdateAsync(s =>
        {
            s.Tenant = tenant;
            s.FamilyId = familyId;
            s.Versions.RemoveAll(v => v.Version == version);
            s.Versions.Add(entry);
        });
        return await ToDtoAsync(entry);
    }

    /// <inheritdoc/>
    public async Task<PromptFamilyDto> GetFamilyAsync(CallerContext caller)
    {
        EnsureCaller(caller, Scopes.Read);
        if (state.State.Versions.Count == 0)
        {
            throw new NotFoundException("prompt family", Key.FamilyId);
        }

        var policy = await PolicyAsync();
        return new PromptFamilyDto(Key.FamilyId, Key.Tenant,
            [.. state.State.Versions.OrderBy(v => SemanticVersion.Parse(v.Version)).Select(v => ToDto(v, policy))]);
    }

    /// <inheritdoc/>
    public async Task<PromptVersionDto> GetVersionAsync(CallerContext caller, string version)
    {
        EnsureCaller(caller, Scopes.Read);
        return await ToDtoAsync(Require(version));
    }

    /// <inheritdoc/>
    public Task<PromptVersionDto> ApproveAsync(CallerContext caller, string version, PromptStatusRequest request) =>
        ChangeStatusAsync(caller, version, request, PromptStatus.Approved, from => from == PromptStatus.Draft);

    /// <inheritdoc/>
    public Task<PromptVersionDto> DeprecateAsync(CallerContext caller, string version, PromptStatusRequest request) =>
        ChangeStatusAsync(caller, version, request, PromptStatus.Deprecated, from => from is PromptStatus.Draft or PromptStatus.Approved);

    /// <inheritdoc/>
    public Task<PromptVersionDto> BlockAsync(CallerContext caller, string version, PromptStatusRequest request) =>
        ChangeStatusAsync(caller, version, request, PromptStatus.Blocked, from => from != PromptStatus.Blocked);

    /// <inheritdoc/>
    public async Task<PromptDiffDto> DiffAsync(CallerContext caller, string fromVersion, string toVersion)
    {
        EnsureCaller(caller, Scopes.Read);
        var from = Require(fromVersion, "from");
        var to = Require(toVersion, "to");
        var policy = await PolicyAsync();
        var fields = StructuredDiff.Compare(Fields(from, policy), Fields(to, policy));
        return new PromptDiffDto(Key.FamilyId, from.Version, to.Version, [.. fields.Select(f => new FieldDiffDto(
            f.Name,
            f.Change.ToString().ToLowerInvariant(),
            f.OldValue,
            f.NewValue,
            f.Lines?.Select(l => new DiffLineDto(Map(l.Operation), l.Text, l.OldLine, l.NewLine)).ToList()))]);
    }

    /// <inheritdoc/>
    public Task<PromptUsage?> ResolveAsync(CallerContext caller, string version)
    {
        ArgumentNullException.ThrowIfNull(caller);
        if (caller.Tenant != Key.Tenant)
        {
            return Task.FromResult<PromptUsage?>(null);
        }

        var entry = SemanticVersion.TryParse(version, out var parsed) ? Find(parsed.ToString()) : null;
        return Task.FromResult(entry is null ? null
            : new PromptUsage(Key.FamilyId, entry.Version, entry.Status, entry.ContentHash, entry.SystemPrompt, entry.UserPrompt, entry.NegativePrompt));
    }

    private async Task<PromptVersionDto> ChangeStatusAsync(CallerContext caller, string version, PromptStatusRequest request, PromptStatus to, Func<PromptStatus, bool> allowedFrom)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureCaller(caller, Scopes.Register);
        var entry = Require(version);
        if (!allowedFrom(entry.Status))
        {
            throw new IllegalTransitionException(Name(entry.Status), Name(to));
        }

        var now = time.GetUtcNow();
        await UpdateAsync(s =>
        {
            var target = s.Versions.Single(v => v.Version == entry.Version);
            target.Status = to;
            target.StatusReason = request.Reason;
            if (to == PromptStatus.Approved)
            {
                target.ApprovedBy = caller.Actor;
                target.ApprovedAt = now;
            }
        });
        return await ToDtoAsync(Require(version));
    }

    /// <summary>Applies a change to a copy and writes it; the in-memory state changes only once the write succeeded.</summary>
    private async Task UpdateAsync(Action<PromptState> change)
    {
        var before = state.State;
        var copy = System.Text.Json.JsonSerializer.Deserialize<PromptState>(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(before))!;
        change(copy);
        state.State = copy;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = before;
            DeactivateOnIdle();
            throw;
        }
    }

    private void EnsureCaller(CallerContext caller, string scope)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(scope);
        if (caller.Tenant != Key.Tenant)
        {
            throw new NotFoundException("prompt family", Key.FamilyId);
        }
    }

    private PromptVersionState? Find(string version) => state.State.Versions.FirstOrDefault(v => v.Version == version);

    private PromptVersionState Require(string version, string field = "version")
    {
        var normalized = SemanticVersion.Parse(version, field).ToString();
        return Find(normalized) ?? throw new NotFoundException("prompt version", $"{Key.FamilyId}@{normalized}");
    }

    private Task<TenantPolicyDto> PolicyAsync() => GrainFactory.GetGrain<ITenantGrain>(Key.Tenant).GetPolicyAsync();

    private async Task<PromptVersionDto> ToDtoAsync(PromptVersionState v) => ToDto(v, await PolicyAsync());

    private PromptVersionDto ToDto(PromptVersionState v, TenantPolicyDto policy) => new(
        Key.FamilyId, v.Version, v.Status,
        Private(v.SystemPrompt, policy), Private(v.UserPrompt, policy), Private(v.NegativePrompt, policy),
        v.Parameters is null ? null : JsonNode.Parse(v.Parameters)!.AsObject(),
        [.. v.ReferenceAssets], v.Owner, v.ContentHash, v.ApprovedBy, v.ApprovedAt, v.CreatedAt);

    /// <summary>The diffable fields of a version; an absent (null) field is left out, so it diffs as added or removed.</summary>
    private static Dictionary<string, string?> Fields(PromptVersionState v, TenantPolicyDto policy) => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["systemPrompt"] = Private(v.SystemPrompt, policy),
        ["userPrompt"] = Private(v.UserPrompt, policy),
        ["negativePrompt"] = Private(v.NegativePrompt, policy),
        ["parameters"] = v.Parameters is null ? null : Encoding.UTF8.GetString(Jcs.Canonicalize(Encoding.UTF8.GetBytes(v.Parameters))),
        ["referenceAssets"] = v.ReferenceAssets.Count == 0 ? null : string.Join('\n', v.ReferenceAssets),
    }.Where(kv => kv.Value is not null).ToDictionary(StringComparer.Ordinal);

    /// <summary>A prompt text under the tenant's privacy policy: clear, its hash, or nothing.</summary>
    private static string? Private(string? text, TenantPolicyDto policy) => text is null ? null : policy.PromptPrivacy switch
    {
        PromptPrivacy.Clear => text,
        PromptPrivacy.Hashed => ContentHash.Compute(Encoding.UTF8.GetBytes(text)).ToString(),
        _ => null,
    };

    /// <summary>SHA-256 of the RFC 8785 form of the version's content (texts, parameters, references).</summary>
    private static string HashVersion(string familyId, string version, string? system, string user, string? negative, string? parameters, IReadOnlyList<string> references)
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

    private static void EnsureLength(string? text, string field)
    {
        if (text is { Length: > MaxText })
        {
            throw new ValidationFailedException($"{field} is at most {MaxText} characters.", field);
        }
    }

    private static DiffOp Map(DiffOperation operation) => operation switch
    {
        DiffOperation.Insert => DiffOp.Insert,
        DiffOperation.Delete => DiffOp.Delete,
        _ => DiffOp.Equal,
    };

    private static string Name(PromptStatus status) => status.ToString().ToLowerInvariant();
}
