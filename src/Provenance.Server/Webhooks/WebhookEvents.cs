using System.Text.Json.Nodes;

namespace Provenance.Server.Webhooks;

/// <summary>Webhook event types (docs/api.md, Webhooks).</summary>
internal static class WebhookEvents
{
    public const string AssetRegistered = "asset.registered";
    public const string AssetStatusChanged = "asset.status_changed";
    public const string EpochSealed = "epoch.sealed";
    public const string EpochTimestamped = "epoch.timestamped";
    public const string AuditMismatch = "audit.mismatch";

    /// <summary>Every event a subscription may ask for; the default when it names none.</summary>
    public static readonly IReadOnlyList<string> All = [AssetRegistered, AssetStatusChanged, EpochSealed, EpochTimestamped, AuditMismatch];
}

/// <summary>An event to fan out to subscriptions.</summary>
/// <param name="Id">Stable id (the same on every redelivery), e.g. <c>evt_outbox_42</c>.</param>
/// <param name="Type">One of <see cref="WebhookEvents.All"/>.</param>
/// <param name="Tenant">The owning tenant, or <see langword="null"/> for deployment-wide events (epochs), which go to every tenant's subscriptions.</param>
internal sealed record WebhookEvent(string Id, string Type, string? Tenant, DateTimeOffset CreatedAt, JsonNode? Data);

/// <summary>Body of one delivery (docs/api.md): <c>{ id, sequence, type, tenant, createdAt, data }</c>.</summary>
internal sealed record WebhookBody(string Id, long Sequence, string Type, string? Tenant, DateTimeOffset CreatedAt, JsonNode? Data);
