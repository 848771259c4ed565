using System.Text.Json;
using Orleans;
using Orleans.Runtime;
using Provenance.Core.Assets;
using Provenance.Core.Contracts;
using Provenance.Core.Diff;
using Provenance.Core.Prompts;

namespace Provenance.Grains.Prompts;

/// <summary>A prompt family, the index of its version grains; see <see cref="IPromptFamilyGrain"/> and docs/adr/0011.</summary>
/// <remarks>
/// Creating a version is coordinated here: record it as pending, create it in its version grain, then list it. A crash
/// between those writes leaves a pending entry, which <see cref="SettleAsync"/> resolves by asking the version grain
/// (listed when it exists, dropped when not) on activation and before every call. The same step moves the versions of
/// an old-shape state into their version grains.
/// </remarks>
[GrainType(StorageNames.PromptGrainType)]
internal sealed class PromptFamilyGrain(
    [PersistentState(StorageNames.PromptFamilyState, StorageNames.MetadataStorage)] IPersistentState<PromptFamilyState> state)
    : Grain, IPromptFamilyGrain, IPromptFamilyInternalGrain
{
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
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Not settled inline: a version grain that activated this family may be waiting on it, and settling calls
        // version grains. The timer's turn runs right after activation; every call settles first anyway.
        if (state.State.Versions.Count > 0 || state.State.Pending.Count > 0)
        {
            this.RegisterGrainTimer(_ => SettleAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<PromptVersionDto> CreateVersionAsync(CallerContext caller, CreatePromptVersionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureCaller(caller, Scopes.Register);
        var (tenant, familyId) = Key;
        AssetIds.EnsureValid(familyId, "familyId");
        var version = SemanticVersion.Parse(request.Version).ToString();
        PromptVersionRules.Validate(request);
        await SettleAsync();
        if (!state.State.Index.Contains(version) && !state.State.Pending.Contains(version))
        {
            await UpdateAsync(s =>
            {
                s.Tenant = tenant;
                s.FamilyId = familyId;
                s.Pending.Add(version);
            });
        }

        var created = await VersionGrain<IPromptVersionInternalGrain>(version).CreateAsync(caller, request);
        if (!state.State.Index.Contains(version))
        {
            await UpdateAsync(s =>
            {
                s.Pending.Remove(version);
                s.Index.Add(version);
            });
        }

        return created;
    }

    /// <inheritdoc/>
    public async Task<PromptFamilyDto> GetFamilyAsync(CallerContext caller)
    {
        EnsureCaller(caller, Scopes.Read);
        await SettleAsync();
        if (state.State.Index.Count == 0)
        {
            throw new NotFoundException("prompt family", Key.FamilyId);
        }

        var versions = await Task.WhenAll(state.State.Index
            .OrderBy(v => SemanticVersion.Parse(v))
            .Select(v => VersionGrain<IPromptVersionGrain>(v).GetAsync(caller)));
        return new PromptFamilyDto(Key.FamilyId, Key.Tenant, versions);
    }

    /// <inheritdoc/>
    public async Task<PromptDiffDto> DiffAsync(CallerContext caller, string fromVersion, string toVersion)
    {
        EnsureCaller(caller, Scopes.Read);
        await SettleAsync();
        var from = Listed(fromVersion, "from");
        var to = Listed(toVersion, "to");
        var read = await Task.WhenAll(VersionGrain<IPromptVersionGrain>(from).GetAsync(caller), VersionGrain<IPromptVersionGrain>(to).GetAsync(caller));
        var fields = StructuredDiff.Compare(PromptVersionRules.DiffFields(read[0]), PromptVersionRules.DiffFields(read[1]));
        return new PromptDiffDto(Key.FamilyId, from, to, [.. fields.Select(f => new FieldDiffDto(
            f.Name,
            f.Change.ToString().ToLowerInvariant(),
            f.OldValue,
            f.NewValue,
            f.Lines?.Select(l => new DiffLineDto(Map(l.Operation), l.Text, l.OldLine, l.NewLine)).ToList()))]);
    }

    /// <inheritdoc/>
    public Task<PromptVersionState?> GetLegacyVersionAsync(string version) =>
        Task.FromResult(state.State.Versions.FirstOrDefault(v => v.Version == version));

    /// <summary>
    /// Brings the state to its settled form, idempotently: old-shape versions moved into their version grains (a
    /// version grain that has state keeps it) and listed, then cleared; each pending version listed when its grain
    /// has state, dropped when not.
    /// </summary>
    private async Task SettleAsync()
    {
        var legacy = state.State.Versions;
        if (legacy.Count > 0)
        {
            foreach (var version in legacy)
            {
                await VersionGrain<IPromptVersionInternalGrain>(version.Version).ImportAsync(version);
            }

            await UpdateAsync(s =>
            {
                var (tenant, familyId) = Key;
                s.Tenant = tenant;
                s.FamilyId = familyId;
                foreach (var version in s.Versions.Where(v => !s.Index.Contains(v.Version)))
                {
                    s.Index.Add(version.Version);
                }

                s.Versions.Clear();
            });
        }

        var pending = state.State.Pending.ToList();
        if (pending.Count > 0)
        {
            var exists = await Task.WhenAll(pending.Select(v => VersionGrain<IPromptVersionInternalGrain>(v).ExistsAsync()));
            await UpdateAsync(s =>
            {
                for (var i = 0; i < pending.Count; i++)
                {
                    s.Pending.Remove(pending[i]);
                    if (exists[i] && !s.Index.Contains(pending[i]))
                    {
                        s.Index.Add(pending[i]);
                    }
                }
            });
        }
    }

    private string Listed(string version, string field)
    {
        var normalized = SemanticVersion.Parse(version, field).ToString();
        return state.State.Index.Contains(normalized) ? normalized
            : throw new NotFoundException("prompt version", $"{Key.FamilyId}@{normalized}");
    }

    private TGrain VersionGrain<TGrain>(string version) where TGrain : IGrainWithStringKey =>
        GrainFactory.GetGrain<TGrain>(PromptKeys.ForVersion(Key.Tenant, Key.FamilyId, version));

    /// <summary>Applies a change to a copy and writes it; the in-memory state changes only once the write succeeded.</summary>
    private async Task UpdateAsync(Action<PromptFamilyState> change)
    {
        var copy = JsonSerializer.Deserialize<PromptFamilyState>(JsonSerializer.SerializeToUtf8Bytes(state.State))!;
        change(copy);
        await PromptVersionRules.WriteOrRestoreAsync(state, copy, DeactivateOnIdle);
    }

    private void EnsureCaller(CallerContext caller, string scope) => PromptVersionRules.EnsureCaller(caller, scope, Key.Tenant, Key.FamilyId);

    private static DiffOp Map(DiffOperation operation) => operation switch
    {
        DiffOperation.Insert => DiffOp.Insert,
        DiffOperation.Delete => DiffOp.Delete,
        _ => DiffOp.Equal,
    };
}
