using Provenance.Grains.Streams;

namespace Provenance.Grains;

/// <summary>
/// Every storage name the grains use, in one place: grain type names (part of stored keys: renaming one orphans
/// its state), state names, secondary index names, outbox streams and event types (part of the webhook contract).
/// </summary>
public static class StorageNames
{
    /// <summary>Grain type of <see cref="Assets.AssetGrain"/>.</summary>
    public const string AssetGrainType = "asset";

    /// <summary>Grain type of <see cref="Tenants.TenantGrain"/>.</summary>
    public const string TenantGrainType = "tenant";

    /// <summary>Grain type of <see cref="Prompts.PromptFamilyGrain"/> (kept from when it held whole families: its rows are keyed by it).</summary>
    public const string PromptGrainType = "prompt";

    /// <summary>Grain type of <see cref="Prompts.PromptVersionGrain"/>.</summary>
    public const string PromptVersionGrainType = "prompt-version";

    /// <summary>
    /// The Orleans grain storage (Persistence.AdoNet) of grains whose writes carry no durable effects: tenant, prompt,
    /// anchor. Asset and epoch state goes through <see cref="Persistence.IDurableState{TState}"/> instead (docs/adr/0005).
    /// </summary>
    public const string MetadataStorage = "metadata";

    /// <summary>State name of an asset.</summary>
    public const string AssetState = "asset";

    /// <summary>State name of a tenant's policy.</summary>
    public const string TenantState = "policy";

    /// <summary>State name of a prompt family (its version index; the old shape held every version).</summary>
    public const string PromptFamilyState = "family";

    /// <summary>State name of one prompt version.</summary>
    public const string PromptVersionState = "version";

    /// <summary>Index: key parent asset id → value child asset id, data <c>{"relationship":…}</c>.</summary>
    public const string ChildrenIndex = "children";

    /// <summary>Index: key content hash (<c>sha256:…</c>) → value asset id.</summary>
    public const string ByHashIndex = "by-hash";

    /// <summary>Index: key <c>"{tenant}:{token}"</c> → value asset id.</summary>
    public const string SearchIndex = "search";

    /// <summary>The Orleans stream provider over the outbox (registered by every silo).</summary>
    public const string StreamProvider = ProvenanceStreams.ProviderName;

    /// <summary>
    /// The grain storage of Orleans' stream pub-sub (explicit subscriptions). Orleans looks it up by this fixed name
    /// (<c>ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME</c>).
    /// </summary>
    public const string PubSubStorage = "PubSubStore";

    /// <summary>Outbox stream of asset events (key: the tenant).</summary>
    public const string AssetsStream = ProvenanceStreams.Assets;

    /// <summary>Outbox stream of new derivatives (key: the parent asset id).</summary>
    public const string DerivativesStream = ProvenanceStreams.Derivatives;

    /// <summary>Event on <see cref="DerivativesStream"/>: a child got the stream's asset as a parent.</summary>
    public const string AssetDerivedEvent = ProvenanceStreams.DerivedEvent;

    /// <summary>Event: an asset was registered.</summary>
    public const string AssetRegisteredEvent = "asset.registered";

    /// <summary>Event: an asset's lifecycle status changed.</summary>
    public const string AssetStatusChangedEvent = "asset.status_changed";

    /// <summary>Grain type of <see cref="Log.LogSequencerGrain"/> (stateless).</summary>
    public const string LogSequencerGrainType = "log-sequencer";

    /// <summary>Grain type of <see cref="Epochs.EpochGrain"/>.</summary>
    public const string EpochGrainType = "epoch";

    /// <summary>Grain type of <see cref="Epochs.AnchorGrain"/>.</summary>
    public const string AnchorGrainType = "anchor";

    /// <summary>State name of an epoch (checkpoint and timestamps); written create-only when sealed.</summary>
    public const string EpochState = "epoch";

    /// <summary>State name of the anchor (latest epoch pointer, epochs awaiting timestamps).</summary>
    public const string AnchorState = "anchor";

    /// <summary>Outbox stream of epoch events.</summary>
    public const string EpochsStream = ProvenanceStreams.Epochs;

    /// <summary>Event: an epoch's checkpoint was signed and stored.</summary>
    public const string EpochSealedEvent = "epoch.sealed";

    /// <summary>Event: every TSA granted a token for an epoch.</summary>
    public const string EpochTimestampedEvent = "epoch.timestamped";

    /// <summary>Reminder that keeps the sequencer and the anchor active (re-activated after a silo failure).</summary>
    public const string KeepAliveReminder = "keep-alive";

    /// <summary>Reminder of an epoch grain that retries its pending timestamps.</summary>
    public const string TimestampRetryReminder = "timestamp-retry";

    /// <summary>Keyed <c>IKeyStore</c> service holding the log (checkpoint) signing keys.</summary>
    public const string LogKeyStore = "log";

    /// <summary>Log source key of revision <paramref name="revision"/> of an asset's manifest: <c>"{assetId}@{revision}"</c>.</summary>
    public static string LogSourceKey(string assetId, long revision) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{assetId}@{revision}");

    /// <summary>Search index key of a token within a tenant.</summary>
    public static string SearchKey(string tenant, string token) => $"{tenant}:{token}";
}
