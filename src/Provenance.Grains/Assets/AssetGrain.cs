using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;
using Provenance.Core.Storage;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Hashing;
using Provenance.Core.Lineage;
using Provenance.Core.Prompts;
using Provenance.Grains.Lineage;
using Provenance.Grains.Persistence;
using Provenance.Grains.Prompts;
using Provenance.Grains.Tenants;
using Provenance.Core.Manifests;

using Provenance.Grains.Streams;

namespace Provenance.Grains.Assets;

/// <summary>
/// An asset; see <see cref="IAssetGrain"/>. Thin: validates claims, maps state onto the Core manifest
/// (<see cref="AssetManifests"/>), and writes state plus durable effects in one storage transaction. Every change is
/// a new signed revision. A stale ETag (another node wrote) reloads and re-applies the change a bounded number of times.
/// </summary>
[GrainType(StorageNames.AssetGrainType)]
internal sealed partial class AssetGrain(
    [DurableState(StorageNames.AssetState)] IDurableState<AssetState> state,
    AssetGrainServices services) : Grain, IAssetGrain
{
    private const int MaxWriteAttempts = 8;
    private const int MaxParents = 1_000;
    private const int MaxTags = 64;
    private const int MaxText = 1_024;

    private AssetSummary? _summary;

    private string Id => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        PublishSummary();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<AssetSummary?> GetSummaryAsync() => Task.FromResult(Volatile.Read(ref _summary));

    /// <inheritdoc/>
    public async Task<AssetDto> RegisterAsync(CallerContext caller, RegisterAssetRequest request)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        caller.Require(Scopes.Register);
        AssetIds.EnsureValid(Id);
        if (request.AssetId is not null && request.AssetId != Id)
        {
            throw new ValidationFailedException("assetId does not match the asset addressed.", "assetId");
        }

        var claims = ClaimsHash(request);
        if (state.RecordExists)
        {
            // A retry of an acknowledged registration (same tenant, same claims: the first answer was lost with a
            // silo or a connection) gets the same answer; anything else is a clash of ids.
            if (state.State.Tenant == caller.Tenant && state.State.RegistrationClaims == claims)
            {
                return await ToDtoAsync(caller, includeLogIndex: false);
            }

            throw new AssetExistsException(Id);
        }

        ValidateClaims(request);
        var policy = await GrainFactory.GetGrain<ITenantGrain>(caller.Tenant).GetPolicyAsync();
        var parents = await ResolveParentsAsync(caller, request.Parents ?? []);
        var prompt = await ResolvePromptAsync(caller, request.Prompt, policy);

        var now = services.Time.GetUtcNow();
        var s = new AssetState
        {
            AssetId = Id,
            Tenant = caller.Tenant,
            ContentHash = request.ContentHash,
            MediaType = request.MediaType,
            Title = request.Title,
            Tags = [.. request.Tags ?? []],
            Parents = parents,
            Project = request.Project,
            Creator = request.Creator ?? caller.Actor,
            Tool = request.Tool,
            Provider = request.Provider,
            Model = request.Model,
            ModelVersion = request.ModelVersion,
            Prompt = prompt is null ? null : new AssetPromptRef(prompt.FamilyId, prompt.Version, prompt.ContentHash),
            Parameters = request.Parameters?.ToJsonString(),
            Status = request.Status,
            Restrictions = [.. (request.Restrictions ?? []).Distinct(StringComparer.Ordinal).Select(r => new RestrictionState(r, null, caller.Actor, now))],
            RegistrationClaims = claims,
            CreatedAt = now,
        };

        var effects = new DurableEffects();
        AssetManifests.Seal(s, services.Signer, effects, "registered", caller.Actor, null, now);
        effects.Events.Add(new OutboxMessage(StorageNames.AssetsStream, StorageNames.AssetRegisteredEvent, s.Tenant,
            JsonSerializer.SerializeToUtf8Bytes(new { assetId = s.AssetId, contentHash = s.ContentHash, manifestHash = s.ManifestHash, status = AssetLifecycle.Name(s.Status) })));
        foreach (var parent in parents)
        {
            effects.Events.Add(DerivedEvent(parent, s));
            effects.IndexEntries.Add(new IndexEntry(StorageNames.ChildrenIndex, parent.AssetId, s.AssetId, LineageGraph.ChildData(parent.Relationship)));
        }

        effects.IndexEntries.Add(new IndexEntry(StorageNames.ByHashIndex, s.ContentHash, s.AssetId));
        var texts = new List<string?> { s.Title, s.Model, s.Creator };
        texts.AddRange(s.Tags);
        if (prompt is not null && policy.PromptPrivacy == PromptPrivacy.Clear)
        {
            texts.AddRange([prompt.SystemPrompt, prompt.UserPrompt]);
        }

        foreach (var token in SearchTokens.Tokenize(texts))
        {
            effects.IndexEntries.Add(new IndexEntry(StorageNames.SearchIndex, StorageNames.SearchKey(s.Tenant, token), s.AssetId));
        }

        state.State = s;
        try
        {
            await state.WriteStateAsync(effects);
        }
        catch (StateConflictException)
        {
            await state.ReadStateAsync();
            PublishSummary();
            throw new AssetExistsException(Id);
        }
        catch
        {
            state.State = new AssetState();
            DeactivateOnIdle();
            throw;
        }

        PublishSummary();
        foreach (var parent in parents)
        {
            services.Graph.OnChildLinked(parent.AssetId, s.AssetId, parent.Relationship);
        }

        return await ToDtoAsync(caller, includeLogIndex: false);
    }

    /// <inheritdoc/>
    public async Task<AssetDto> GetAsync(CallerContext caller)
    {
        EnsureReadable(caller);
        return await ToDtoAsync(caller, includeLogIndex: true);
    }

    /// <inheritdoc/>
    public Task<SignedManifestDto> GetManifestAsync(CallerContext caller)
    {
        EnsureReadable(caller);
        var s = state.State;
        var canonical = AssetManifests.PayloadOf(s.Jws);
        using var manifest = JsonDocument.Parse(canonical);
        return Task.FromResult(new SignedManifestDto(manifest.RootElement.Clone(), Convert.ToBase64String(canonical), s.ManifestHash, s.Jws, s.KeyId));
    }

    /// <inheritdoc/>
    public Task<AssetVerificationRecord> GetVerificationRecordAsync(CallerContext caller)
    {
        var summary = EnsureReadable(caller);
        var s = state.State;
        return Task.FromResult(new AssetVerificationRecord(summary, s.ManifestHash, s.Jws, s.KeyId, AssetManifests.PayloadOf(s.Jws)));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AuditRecordDto>> GetAuditTrailAsync(CallerContext caller)
    {
        EnsureReadable(caller);
        return Task.FromResult<IReadOnlyList<AuditRecordDto>>([.. state.State.Audit]);
    }

    /// <inheritdoc/>
    public async Task<AssetDto> AddParentAsync(CallerContext caller, AddParentRequest request)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(request);
        caller.Require(Scopes.Register);
        EnsureVisible(caller);
        AssetIds.EnsureValid(request.ParentId, "parentId");
        if (request.ParentId == Id)
        {
            throw new LineageCycleException(Id, request.ParentId);
        }

        // Checking for a cycle and writing the link must not interleave with another link being added anywhere, or two
        // concurrent links could close a cycle that neither check saw: the one lineage-link grain grants one lease at a time.
        var links = GrainFactory.GetGrain<ILineageLinkGrain>(LineageLinkGrain.Key);
        var lease = await links.AcquireAsync(Id);
        try
        {
        ParentState? added = null;
        var dto = await MutateAsync(caller, "parent-added", request.Reason, async (s, effects) =>
        {
            if (s.Parents.Any(p => p.AssetId == request.ParentId))
            {
                throw new ValidationFailedException($"'{request.ParentId}' is already a parent of this asset.", "parentId");
            }

            var parent = (await ResolveParentsAsync(caller, [new ParentClaim(request.ParentId, request.Relationship)], "parentId"))[0];
            if (await LineageGraph.IsAncestorOrSelfAsync(request.ParentId, Id, ReadParentsFreshAsync))
            {
                throw new LineageCycleException(Id, request.ParentId);
            }

            s.Parents.Add(parent);
            effects.IndexEntries.Add(new IndexEntry(StorageNames.ChildrenIndex, parent.AssetId, Id, LineageGraph.ChildData(parent.Relationship)));
            effects.Events.Add(DerivedEvent(parent, s));
            added = parent;
        });
        if (added is not null)
        {
            services.Graph.OnChildLinked(added.AssetId, Id, added.Relationship);
        }

        return dto;
        }
        finally
        {
            await links.ReleaseAsync(lease);
        }
    }

    /// <inheritdoc/>
    public Task<AssetDto> TransitionAsync(CallerContext caller, TransitionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return MutateAsync(caller, "status-changed", request.Reason, (s, _) =>
        {
            AssetLifecycle.EnsureAllowed(s.Status, request.Status, request.Reason);
            s.Status = request.Status;
            s.StatusReason = request.Reason;
            return Task.CompletedTask;
        });
    }

    /// <inheritdoc/>
    public Task<AssetDto> ModerateAsync(CallerContext caller, ModerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var decision = request.Decision?.ToLowerInvariant() switch
        {
            "allowed" => "allowed",
            "flagged" => "flagged",
            "blocked" => "blocked",
            _ => throw new ValidationFailedException("decision must be 'allowed', 'flagged' or 'blocked'.", "decision"),
        };
        var scores = request.Scores ?? new Dictionary<string, double>();
        if (scores.Any(kv => !double.IsFinite(kv.Value)))
        {
            throw new ValidationFailedException("Moderation scores must be finite numbers.", "scores");
        }

        return MutateAsync(caller, "moderated", null, (s, _) =>
        {
            var now = services.Time.GetUtcNow();
            s.Moderation.Add(new ModerationDto(decision, [.. request.Rules ?? []], new Dictionary<string, double>(scores), request.Reviewer ?? caller.Actor, now));
            var target = decision == "blocked" ? LifecycleStatus.Rejected : LifecycleStatus.Moderated;
            if (AssetLifecycle.CanTransition(s.Status, target))
            {
                s.Status = target;
                s.StatusReason = decision == "blocked" ? "moderation blocked the asset" : null;
            }

            return Task.CompletedTask;
        });
    }

    /// <inheritdoc/>
    public Task<AssetDto> ApproveAsync(CallerContext caller, ApprovalRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Scope) || request.Scope.Length > 128)
        {
            throw new ValidationFailedException("scope is required (at most 128 characters).", "scope");
        }

        var lifts = (request.Lifts ?? []).Distinct(StringComparer.Ordinal).ToList();
        return MutateAsync(caller, "approved", request.Reason, async (s, _) =>
        {
            if (lifts.Count > 0)
            {
                var effective = await services.Graph.EffectiveRestrictionsAsync(Id);
                for (var i = 0; i < lifts.Count; i++)
                {
                    if (!effective.TryGetValue(lifts[i], out var origin) || origin == Id)
                    {
                        throw new ValidationFailedException($"'{lifts[i]}' is not a restriction this asset inherits, so it cannot be lifted here.", $"lifts[{i}]");
                    }
                }
            }

            s.Approvals.Add(new ApprovalDto(caller.Actor, request.Scope, request.Reason, lifts, services.Time.GetUtcNow()));
            if (AssetLifecycle.CanTransition(s.Status, LifecycleStatus.Approved))
            {
                s.Status = LifecycleStatus.Approved;
                s.StatusReason = request.Reason;
            }
        });
    }

    /// <inheritdoc/>
    public Task<AssetDto> RestrictAsync(CallerContext caller, RestrictionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureRestriction(request.Restriction, "restriction");
        return MutateAsync(caller, "restricted", request.Reason, (s, _) =>
        {
            if (s.Restrictions.Any(r => r.Kind == request.Restriction))
            {
                throw new ValidationFailedException($"The asset already carries '{request.Restriction}'.", "restriction");
            }

            s.Restrictions.Add(new RestrictionState(request.Restriction, request.Reason, caller.Actor, services.Time.GetUtcNow()));
            return Task.CompletedTask;
        });
    }

    /// <inheritdoc/>
    public Task<LineagePage> GetAncestorsAsync(CallerContext caller, LineageQuery query) =>
        services.Graph.AncestorsAsync(caller, EnsureReadable(caller), query, CancellationToken.None);

    /// <inheritdoc/>
    public Task<LineagePage> GetDescendantsAsync(CallerContext caller, LineageQuery query) =>
        services.Graph.DescendantsAsync(caller, EnsureReadable(caller), query, CancellationToken.None);

    /// <inheritdoc/>
    public Task<IReadOnlyList<LineageNodeDto>> GetRootsAsync(CallerContext caller) =>
        services.Graph.RootsAsync(caller, EnsureReadable(caller), CancellationToken.None);

    /// <inheritdoc/>
    public Task<LineagePathDto> GetPathToAsync(CallerContext caller, string ancestorId)
    {
        var summary = EnsureReadable(caller);
        AssetIds.EnsureValid(ancestorId, "to");
        return services.Graph.PathAsync(caller, summary, ancestorId, CancellationToken.None);
    }

    /// <summary>
    /// Applies <paramref name="apply"/> to a copy of the state, seals a new revision and writes it with its effects.
    /// On a stale ETag, reloads and re-applies (the change is re-validated against the fresh state); after
    /// <see cref="MaxWriteAttempts"/> gives up with <see cref="ConcurrentChangeException"/>. A throwing
    /// <paramref name="apply"/> writes nothing.
    /// </summary>
    private async Task<AssetDto> MutateAsync(CallerContext caller, string action, string? reason, Func<AssetState, DurableEffects, Task> apply)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Scopes.Register);
        for (var attempt = 1; ; attempt++)
        {
            EnsureVisible(caller);
            var before = state.State;
            var copy = Clone(before);
            var effects = new DurableEffects();
            await apply(copy, effects);
            var now = services.Time.GetUtcNow();
            AssetManifests.Seal(copy, services.Signer, effects, action, caller.Actor, reason, now);
            if (copy.Status != before.Status)
            {
                effects.Events.Add(new OutboxMessage(StorageNames.AssetsStream, StorageNames.AssetStatusChangedEvent, copy.Tenant,
                    JsonSerializer.SerializeToUtf8Bytes(new
                    {
                        assetId = copy.AssetId,
                        from = AssetLifecycle.Name(before.Status),
                        to = AssetLifecycle.Name(copy.Status),
                        reason = copy.StatusReason,
                        revision = copy.Revision,
                        manifestHash = copy.ManifestHash,
                    })));
            }

            state.State = copy;
            try
            {
                await state.WriteStateAsync(effects);
            }
            catch (StateConflictException)
            {
                await state.ReadStateAsync();
                PublishSummary();
                if (attempt >= MaxWriteAttempts)
                {
                    throw new ConcurrentChangeException(Id, attempt);
                }

                continue;
            }
            catch
            {
                // The write may or may not have committed: forget this activation so the next call reads storage.
                state.State = before;
                DeactivateOnIdle();
                throw;
            }

            PublishSummary();
            return await ToDtoAsync(caller, includeLogIndex: false);
        }
    }

    private async Task<AssetDto> ToDtoAsync(CallerContext caller, bool includeLogIndex)
    {
        var s = state.State;
        services.Graph.Remember(Volatile.Read(ref _summary)!);
        var effective = await services.Graph.EffectiveRestrictionsAsync(Id);
        long? logIndex = null;
        if (includeLogIndex && services.Log is { } log)
        {
            logIndex = (await log.FindBySourceAsync(StorageNames.LogSourceKey(Id, s.Revision), CancellationToken.None))?.Index;
        }

        return new AssetDto(
            s.AssetId, s.Tenant, s.ContentHash, s.MediaType, s.Title, [.. s.Tags],
            [.. s.Parents.Select(p => new ParentLinkDto(p.AssetId, p.ContentHash, p.Relationship, p.Tenant != caller.Tenant))],
            s.Project, s.Creator, s.Tool, s.Provider, s.Model, s.ModelVersion,
            s.Prompt is null ? null : new PromptVersionRef(s.Prompt.FamilyId, s.Prompt.Version),
            s.Status,
            [.. s.Restrictions.Select(r => r.Kind)],
            [.. effective.Where(kv => kv.Value != Id).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new InheritedRestrictionDto(kv.Key, kv.Value))],
            [.. s.Moderation], [.. s.Approvals],
            s.ManifestHash, s.KeyId, logIndex, s.CreatedAt, s.UpdatedAt);
    }

    private void PublishSummary()
    {
        if (!state.RecordExists)
        {
            Volatile.Write(ref _summary, null);
            return;
        }

        var summary = Summarize(state.State);
        Volatile.Write(ref _summary, summary);
        services.Graph.Publish(summary);
    }

    /// <summary>SHA-256 of the registration request as the API serialises it (the id included), to recognise a retry.</summary>
    private string ClaimsHash(RegisterAssetRequest request) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request with { AssetId = Id }, ApiJson.Options)));

    /// <summary>What lineage answers need of a stored asset.</summary>
    internal static AssetSummary Summarize(AssetState s) => new(
        s.AssetId, s.Tenant, s.ContentHash, s.MediaType, s.Title, s.Status, s.Model,
        s.Prompt is null ? null : new PromptVersionRef(s.Prompt.FamilyId, s.Prompt.Version),
        s.Creator,
        [.. s.Parents.Select(p => new ParentEdge(p.AssetId, p.Relationship))],
        [.. s.Restrictions.Select(r => r.Kind)],
        [.. s.Approvals.SelectMany(a => a.Lifts).Distinct(StringComparer.Ordinal)],
        s.Revision);

    /// <summary>The summary when the caller may read this asset.</summary>
    /// <exception cref="NotFoundException">Not registered or another tenant's.</exception>
    private AssetSummary EnsureReadable(CallerContext caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.Require(Scopes.Read);
        EnsureVisible(caller);
        var summary = Volatile.Read(ref _summary)!;
        services.Graph.Remember(summary);
        return summary;
    }

    private void EnsureVisible(CallerContext caller)
    {
        if (!state.RecordExists || state.State.Tenant != caller.Tenant)
        {
            throw new NotFoundException("asset", Id);
        }
    }

    private static AssetState Clone(AssetState s) =>
        JsonSerializer.Deserialize<AssetState>(JsonSerializer.SerializeToUtf8Bytes(s, DurableStateJson.Options), DurableStateJson.Options)!;

    /// <summary>
    /// Parents of an asset from its one activation (bypassing the silo caches), for cycle checks. The asset grain is the
    /// authority on its own links; the call interleaves, so a walk from inside this turn cannot deadlock.
    /// </summary>
    private async Task<IReadOnlyList<string>?> ReadParentsFreshAsync(string assetId) =>
        assetId == Id
            ? [.. state.State.Parents.Select(p => p.AssetId)]
            : (await GrainFactory.GetGrain<IAssetGrain>(assetId).GetSummaryAsync())?.Parents.Select(p => p.AssetId).ToList();

    /// <summary>
    /// The event on the parent's derivatives stream for a new link to <paramref name="child"/>. Its tenant is the parent's
    /// (the feed belongs to the parent's owner), and a child of another tenant shows only its id and content hash.
    /// </summary>
    private static OutboxMessage DerivedEvent(ParentState parent, AssetState child) =>
        new(StorageNames.DerivativesStream, StorageNames.AssetDerivedEvent, parent.Tenant,
            DerivativeEvent.For(parent.Tenant, child.AssetId, child.ContentHash, parent.Relationship, child.Tenant).ToPayload(),
            parent.AssetId);

    private async Task<List<ParentState>> ResolveParentsAsync(CallerContext caller, IReadOnlyList<ParentClaim> links, string? singleField = null)
    {
        var graph = services.Graph;
        await graph.PrefetchSummariesAsync(links.Select(l => l.AssetId).Where(AssetIds.IsValid));
        var parents = new List<ParentState>(links.Count);
        for (var i = 0; i < links.Count; i++)
        {
            var field = singleField ?? $"parents[{i}].assetId";
            var summary = await graph.GetSummaryAsync(links[i].AssetId) ?? throw new UnknownParentException(links[i].AssetId, field);
            if (summary.Tenant != caller.Tenant)
            {
                var owner = await GrainFactory.GetGrain<ITenantGrain>(summary.Tenant).GetPolicyAsync();
                if (owner.TrustedTenants?.Contains(caller.Tenant) != true)
                {
                    throw new CrossTenantParentException(links[i].AssetId, field);
                }
            }

            parents.Add(new ParentState(summary.AssetId, summary.ContentHash, links[i].Relationship, summary.Tenant));
        }

        return parents;
    }

    private async Task<PromptUsage?> ResolvePromptAsync(CallerContext caller, PromptVersionRef? reference, TenantPolicyDto policy)
    {
        if (reference is null)
        {
            return null;
        }

        AssetIds.EnsureValid(reference.FamilyId, "prompt.familyId");
        var version = SemanticVersion.Parse(reference.Version, "prompt.version").ToString();
        var usage = await GrainFactory.GetGrain<IPromptVersionGrain>(PromptKeys.ForVersion(caller.Tenant, reference.FamilyId, version)).ResolveAsync(caller)
            ?? throw new ValidationFailedException($"Prompt {reference.FamilyId}@{version} does not exist in this tenant.", "prompt");
        return usage.Status switch
        {
            PromptStatus.Approved => usage,
            PromptStatus.Blocked => throw new PromptVersionBlockedException(reference.FamilyId, version),
            PromptStatus.Draft when policy.AllowDraftPrompts => usage,
            _ => throw new PromptVersionNotApprovedException(reference.FamilyId, version, usage.Status.ToString().ToLowerInvariant()),
        };
    }

    private void ValidateClaims(RegisterAssetRequest request)
    {
        if (!ContentHash.TryParse(request.ContentHash, out _))
        {
            throw new ValidationFailedException("contentHash must be 'sha256:' followed by 64 lowercase hex digits.", "contentHash");
        }

        if (request.MediaType is null || !MediaTypePattern().IsMatch(request.MediaType))
        {
            throw new ValidationFailedException("mediaType must be a media type such as 'image/png'.", "mediaType");
        }

        EnsureText(request.Title, "title");
        EnsureText(request.Project, "project");
        EnsureText(request.Creator, "creator");
        EnsureText(request.Provider, "provider");
        EnsureText(request.Model, "model");
        EnsureText(request.ModelVersion, "modelVersion");
        EnsureText(request.Tool?.Name, "tool.name");
        EnsureText(request.Tool?.Version, "tool.version");
        var tags = request.Tags ?? [];
        if (tags.Count > MaxTags)
        {
            throw new ValidationFailedException($"At most {MaxTags} tags.", "tags");
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i]) || tags[i].Length > 128)
            {
                throw new ValidationFailedException("A tag is 1-128 characters.", $"tags[{i}]");
            }
        }

        if (!AssetLifecycle.IsInitial(request.Status))
        {
            throw new ValidationFailedException("An asset is registered as 'requested' or 'generated'; later statuses are reached by transitions.", "status");
        }

        var parents = request.Parents ?? [];
        if (parents.Count > MaxParents)
        {
            throw new ValidationFailedException($"At most {MaxParents} parents.", "parents");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < parents.Count; i++)
        {
            var field = $"parents[{i}].assetId";
            AssetIds.EnsureValid(parents[i]?.AssetId, field);
            if (parents[i].AssetId == Id)
            {
                throw new LineageCycleException(Id, Id);
            }

            if (!seen.Add(parents[i].AssetId))
            {
                throw new ValidationFailedException($"Parent '{parents[i].AssetId}' is named twice.", field);
            }
        }

        var restrictions = request.Restrictions ?? [];
        for (var i = 0; i < restrictions.Count; i++)
        {
            EnsureRestriction(restrictions[i], $"restrictions[{i}]");
        }
    }

    private static void EnsureText(string? value, string field)
    {
        if (value is not null && (value.Length > MaxText || string.IsNullOrWhiteSpace(value)))
        {
            throw new ValidationFailedException($"{field} must be 1-{MaxText} characters when given.", field);
        }
    }

    private static void EnsureRestriction(string? restriction, string field)
    {
        if (restriction is null || !RestrictionPattern().IsMatch(restriction))
        {
            throw new ValidationFailedException("A restriction is a kebab-case word such as 'no-commercial-use' (at most 64 characters).", field);
        }
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$")]
    private static partial Regex MediaTypePattern();

    [GeneratedRegex(@"^(?=.{1,64}$)[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex RestrictionPattern();
}
