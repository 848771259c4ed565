using System.Net.Http.Headers;
using System.Text.Json;
using Provenance.Core.Contracts;

namespace Provenance.Client;

/// <summary>Registering assets: <c>client.Assets</c>.</summary>
public sealed class AssetsClient
{
    private readonly ApiTransport _transport;

    internal AssetsClient(ApiTransport transport) => _transport = transport;

    /// <summary>POST /v1/assets: registers an asset by its content hash (not retried: POST).</summary>
    public Task<AssetDto> RegisterAsync(RegisterAssetRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _transport.SendJsonAsync<AssetDto>(HttpMethod.Post, "v1/assets", request, cancellationToken);
    }

    /// <summary>
    /// POST /v1/assets/upload: streams <paramref name="content"/> as multipart part <c>file</c> after part <c>claims</c>;
    /// the server hashes the bytes and keeps none. The stream is read once, in constant memory; not retried.
    /// <paramref name="claims"/>'s <see cref="RegisterAssetRequest.ContentHash"/> is not sent (the server computes it).
    /// </summary>
    public async Task<AssetDto> UploadAsync(Stream content, RegisterAssetRequest claims, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(claims);
        var claimsJson = JsonSerializer.SerializeToNode(claims, ApiJson.Options)!.AsObject();
        claimsJson.Remove("contentHash");
        using var response = await _transport.SendAsync(HttpMethod.Post, "v1/assets/upload", () =>
        {
            var multipart = new MultipartFormDataContent();
            var claimsPart = new StringContent(claimsJson.ToJsonString(ApiJson.Options));
            claimsPart.Headers.ContentType = new MediaTypeHeaderValue(ApiJson.MediaType);
            multipart.Add(claimsPart, "claims");
            var filePart = new StreamContent(content, 81920);
            filePart.Headers.ContentType = new MediaTypeHeaderValue(string.IsNullOrEmpty(claims.MediaType) ? "application/octet-stream" : claims.MediaType);
            multipart.Add(filePart, "file", fileName ?? "file");
            return multipart;
        }, cancellationToken).ConfigureAwait(false);
        return await ApiTransport.ReadJsonAsync<AssetDto>(response, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// A handle on one asset (<c>client.Asset(id)</c>), like a grain reference: holds the id, sends nothing until called.
/// </summary>
public sealed class AssetHandle
{
    private readonly ApiTransport _transport;
    private readonly string _path;

    internal AssetHandle(ApiTransport transport, string assetId)
    {
        ArgumentException.ThrowIfNullOrEmpty(assetId);
        _transport = transport;
        Id = assetId;
        _path = $"v1/assets/{ApiTransport.Segment(assetId)}";
    }

    /// <summary>The asset id.</summary>
    public string Id { get; }

    /// <summary>GET /v1/assets/{id}.</summary>
    public Task<AssetDto> GetAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<AssetDto>(HttpMethod.Get, _path, null, cancellationToken);

    /// <summary>GET /v1/assets/{id}/manifest: the signed manifest with its canonical bytes and JWS.</summary>
    public Task<SignedManifestDto> ManifestAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<SignedManifestDto>(HttpMethod.Get, $"{_path}/manifest", null, cancellationToken);

    /// <summary>GET /v1/assets/{id}/ancestors: one page, breadth-first (depth default 10, limit default 100).</summary>
    public Task<LineagePage> AncestorsAsync(int? depth = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<LineagePage>(HttpMethod.Get, ApiTransport.Query($"{_path}/ancestors", ("depth", depth), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>GET /v1/assets/{id}/descendants: one page, breadth-first.</summary>
    public Task<LineagePage> DescendantsAsync(int? depth = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<LineagePage>(HttpMethod.Get, ApiTransport.Query($"{_path}/descendants", ("depth", depth), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>Every page of ancestors or descendants up to <paramref name="depth"/>, following cursors.</summary>
    public async IAsyncEnumerable<LineageNodeDto> LineageAsync(bool ancestors, int? depth = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        do
        {
            var page = ancestors
                ? await AncestorsAsync(depth, null, cursor, cancellationToken).ConfigureAwait(false)
                : await DescendantsAsync(depth, null, cursor, cancellationToken).ConfigureAwait(false);
            foreach (var node in page.Nodes)
            {
                yield return node;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>GET /v1/assets/{id}/roots: the ancestors without parents.</summary>
    public Task<IReadOnlyList<LineageNodeDto>> RootsAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<LineageNodeDto>>(HttpMethod.Get, $"{_path}/roots", null, cancellationToken);

    /// <summary>GET /v1/assets/{id}/audit: the audit trail.</summary>
    public Task<IReadOnlyList<AuditRecordDto>> AuditAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<AuditRecordDto>>(HttpMethod.Get, $"{_path}/audit", null, cancellationToken);

    /// <summary>POST /v1/assets/{id}/parents: links a parent (refused with lineage-cycle or unknown-parent).</summary>
    public Task<AssetDto> AddParentAsync(AddParentRequest request, CancellationToken cancellationToken = default) =>
        Post(request, "parents", cancellationToken);

    /// <summary>POST /v1/assets/{id}/status: a lifecycle transition.</summary>
    public Task<AssetDto> TransitionAsync(TransitionRequest request, CancellationToken cancellationToken = default) =>
        Post(request, "status", cancellationToken);

    /// <summary>POST /v1/assets/{id}/moderation.</summary>
    public Task<AssetDto> ModerateAsync(ModerationRequest request, CancellationToken cancellationToken = default) =>
        Post(request, "moderation", cancellationToken);

    /// <summary>POST /v1/assets/{id}/approvals.</summary>
    public Task<AssetDto> ApproveAsync(ApprovalRequest request, CancellationToken cancellationToken = default) =>
        Post(request, "approvals", cancellationToken);

    /// <summary>POST /v1/assets/{id}/restrictions.</summary>
    public Task<AssetDto> RestrictAsync(RestrictionRequest request, CancellationToken cancellationToken = default) =>
        Post(request, "restrictions", cancellationToken);

    /// <summary>GET /v1/assets/{id}/evidence: copies the evidence bundle (zip) to <paramref name="destination"/>, streamed.</summary>
    public async Task EvidenceAsync(Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var response = await _transport.SendAsync(HttpMethod.Get, $"{_path}/evidence", null, cancellationToken).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
    }

    private Task<AssetDto> Post<T>(T request, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _transport.SendJsonAsync<AssetDto>(HttpMethod.Post, $"{_path}/{action}", request, cancellationToken);
    }

    /// <inheritdoc />
    public override string ToString() => $"Asset({Id})";
}

/// <summary>A handle on one prompt family (<c>client.Prompt(familyId)</c>).</summary>
public sealed class PromptFamilyHandle
{
    private readonly ApiTransport _transport;
    private readonly string _path;

    internal PromptFamilyHandle(ApiTransport transport, string familyId)
    {
        ArgumentException.ThrowIfNullOrEmpty(familyId);
        _transport = transport;
        FamilyId = familyId;
        _path = $"v1/prompts/{ApiTransport.Segment(familyId)}";
    }

    /// <summary>The family id.</summary>
    public string FamilyId { get; }

    /// <summary>GET /v1/prompts/{familyId}: the family with all its versions.</summary>
    public Task<PromptFamilyDto> GetAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<PromptFamilyDto>(HttpMethod.Get, _path, null, cancellationToken);

    /// <summary>GET /v1/prompts/{familyId}/versions/{version}.</summary>
    public Task<PromptVersionDto> GetVersionAsync(string version, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<PromptVersionDto>(HttpMethod.Get, $"{_path}/versions/{ApiTransport.Segment(version)}", null, cancellationToken);

    /// <summary>POST /v1/prompts/{familyId}/versions: a new draft version.</summary>
    public Task<PromptVersionDto> CreateVersionAsync(CreatePromptVersionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _transport.SendJsonAsync<PromptVersionDto>(HttpMethod.Post, $"{_path}/versions", request, cancellationToken);
    }

    /// <summary>Approves a version (it becomes immutable).</summary>
    public Task<PromptVersionDto> ApproveAsync(string version, string? reason = null, CancellationToken cancellationToken = default) => Status(version, "approve", reason, cancellationToken);

    /// <summary>Deprecates a version.</summary>
    public Task<PromptVersionDto> DeprecateAsync(string version, string? reason = null, CancellationToken cancellationToken = default) => Status(version, "deprecate", reason, cancellationToken);

    /// <summary>Blocks a version (assets can no longer use it).</summary>
    public Task<PromptVersionDto> BlockAsync(string version, string? reason = null, CancellationToken cancellationToken = default) => Status(version, "block", reason, cancellationToken);

    /// <summary>GET /v1/prompts/{familyId}/diff: per-field line diff between two versions.</summary>
    public Task<PromptDiffDto> DiffAsync(string from, string to, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<PromptDiffDto>(HttpMethod.Get, ApiTransport.Query($"{_path}/diff", ("from", from), ("to", to)), null, cancellationToken);

    private Task<PromptVersionDto> Status(string version, string action, string? reason, CancellationToken cancellationToken) =>
        _transport.SendJsonAsync<PromptVersionDto>(HttpMethod.Post, $"{_path}/versions/{ApiTransport.Segment(version)}/{action}", new PromptStatusRequest(reason), cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"Prompt({FamilyId})";
}

/// <summary>Epoch commits: <c>client.Anchor</c>.</summary>
public sealed class AnchorClient
{
    private readonly ApiTransport _transport;
    private readonly ProvenanceClient _client;

    internal AnchorClient(ApiTransport transport, ProvenanceClient client)
    {
        _transport = transport;
        _client = client;
    }

    /// <summary>POST /v1/epochs/trigger: seals an epoch now (concurrent triggers share one).</summary>
    public Task<TriggerResultDto> TriggerAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<TriggerResultDto>(HttpMethod.Post, "v1/epochs/trigger", null, cancellationToken);

    /// <summary>GET /v1/anchor/status.</summary>
    public Task<AnchorStatusDto> StatusAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<AnchorStatusDto>(HttpMethod.Get, "v1/anchor/status", null, cancellationToken);

    /// <summary>
    /// Polls until an epoch covers the asset and returns the asset's inclusion proof into it.
    /// </summary>
    /// <exception cref="ProvenanceNotFoundException">The asset does not exist.</exception>
    /// <exception cref="TimeoutException">No epoch covered the asset within <paramref name="timeout"/>.</exception>
    public async Task<InclusionProofDto> WaitForEpochCoveringAsync(string assetId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await _client.Asset(assetId).GetAsync(cancellationToken).ConfigureAwait(false);
        var time = _transport.Options.TimeProvider;
        var deadline = time.GetUtcNow() + timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                return await _client.Proofs.InclusionAsync(assetId, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ProvenanceApiException e) when (e.Status is 404 or 409)
            {
                // Not in a sealed epoch yet.
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No epoch covered asset {assetId} within {timeout.TotalSeconds:0.#} s.");
            }

            await Task.Delay(delay < left ? delay : left, time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 2000));
        }
    }
}

/// <summary>Sealed epochs: <c>client.Epochs</c>.</summary>
public sealed class EpochsClient
{
    private readonly ApiTransport _transport;

    internal EpochsClient(ApiTransport transport) => _transport = transport;

    /// <summary>GET /v1/epochs: newest first.</summary>
    public Task<IReadOnlyList<EpochDto>> ListAsync(int? limit = null, long? before = null, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<EpochDto>>(HttpMethod.Get, ApiTransport.Query("v1/epochs", ("limit", limit), ("before", before)), null, cancellationToken);

    /// <summary>GET /v1/epochs/{n}.</summary>
    public Task<EpochDto> GetAsync(long epoch, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<EpochDto>(HttpMethod.Get, $"v1/epochs/{epoch}", null, cancellationToken);
}

/// <summary>RFC 9162 proofs: <c>client.Proofs</c>.</summary>
public sealed class ProofsClient
{
    private readonly ApiTransport _transport;

    internal ProofsClient(ApiTransport transport) => _transport = transport;

    /// <summary>GET /v1/proofs/inclusion: the asset's proof into <paramref name="epoch"/> (default: the latest covering it).</summary>
    public Task<InclusionProofDto> InclusionAsync(string assetId, long? epoch = null, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<InclusionProofDto>(HttpMethod.Get, ApiTransport.Query("v1/proofs/inclusion", ("assetId", assetId), ("epoch", epoch)), null, cancellationToken);

    /// <summary>GET /v1/proofs/consistency between two epochs.</summary>
    public Task<ConsistencyProofDto> ConsistencyAsync(long fromEpoch, long toEpoch, CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<ConsistencyProofDto>(HttpMethod.Get, ApiTransport.Query("v1/proofs/consistency", ("from", fromEpoch), ("to", toEpoch)), null, cancellationToken);
}

/// <summary>Public signing keys: <c>client.Keys</c>.</summary>
public sealed class KeysClient
{
    private readonly ApiTransport _transport;

    internal KeysClient(ApiTransport transport) => _transport = transport;

    /// <summary>GET /v1/keys: manifest and log signing keys, public parts, including retired ones.</summary>
    public Task<IReadOnlyList<PublicKeyDto>> ListAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<PublicKeyDto>>(HttpMethod.Get, "v1/keys", null, cancellationToken);
}

/// <summary>Administration (admin scope): <c>client.Admin</c>.</summary>
public sealed class AdminClient
{
    private readonly ApiTransport _transport;

    internal AdminClient(ApiTransport transport) => _transport = transport;

    /// <summary>POST /v1/admin/api-keys: the answer carries the secret, shown once.</summary>
    public Task<ApiKeyDto> CreateApiKeyAsync(CreateApiKeyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _transport.SendJsonAsync<ApiKeyDto>(HttpMethod.Post, "v1/admin/api-keys", request, cancellationToken);
    }

    /// <summary>GET /v1/admin/api-keys: the caller's tenant's keys (no secrets).</summary>
    public Task<IReadOnlyList<ApiKeyDto>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<ApiKeyDto>>(HttpMethod.Get, "v1/admin/api-keys", null, cancellationToken);

    /// <summary>DELETE /v1/admin/api-keys/{keyId}: revokes a key.</summary>
    public Task RevokeApiKeyAsync(string keyId, CancellationToken cancellationToken = default) =>
        _transport.SendNoContentAsync(HttpMethod.Delete, $"v1/admin/api-keys/{ApiTransport.Segment(keyId)}", null, cancellationToken);

    /// <summary>GET /v1/admin/tenant-policy.</summary>
    public Task<TenantPolicyDto> GetTenantPolicyAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<TenantPolicyDto>(HttpMethod.Get, "v1/admin/tenant-policy", null, cancellationToken);

    /// <summary>PUT /v1/admin/tenant-policy.</summary>
    public Task<TenantPolicyDto> SetTenantPolicyAsync(TenantPolicyDto policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return _transport.SendJsonAsync<TenantPolicyDto>(HttpMethod.Put, "v1/admin/tenant-policy", policy, cancellationToken);
    }

    /// <summary>GET /v1/audit/findings.</summary>
    public Task<IReadOnlyList<AuditFindingDto>> AuditFindingsAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<AuditFindingDto>>(HttpMethod.Get, "v1/audit/findings", null, cancellationToken);

    /// <summary>POST /v1/audit/run: starts the audit job now in the background, or joins the run in progress (findings under <see cref="AuditFindingsAsync"/>).</summary>
    public Task RunAuditAsync(CancellationToken cancellationToken = default) =>
        _transport.SendNoContentAsync(HttpMethod.Post, "v1/audit/run", null, cancellationToken);

    /// <summary>GET /v1/runtime: grain runtime statistics.</summary>
    public Task<RuntimeStatsDto> RuntimeAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<RuntimeStatsDto>(HttpMethod.Get, "v1/runtime", null, cancellationToken);
}

/// <summary>Webhook subscriptions (admin scope): <c>client.Webhooks</c>.</summary>
public sealed class WebhooksClient
{
    private readonly ApiTransport _transport;

    internal WebhooksClient(ApiTransport transport) => _transport = transport;

    /// <summary>POST /v1/webhooks: the answer carries the HMAC secret, shown once.</summary>
    public Task<WebhookDto> CreateAsync(CreateWebhookRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _transport.SendJsonAsync<WebhookDto>(HttpMethod.Post, "v1/webhooks", request, cancellationToken);
    }

    /// <summary>GET /v1/webhooks.</summary>
    public Task<IReadOnlyList<WebhookDto>> ListAsync(CancellationToken cancellationToken = default) =>
        _transport.SendJsonAsync<IReadOnlyList<WebhookDto>>(HttpMethod.Get, "v1/webhooks", null, cancellationToken);

    /// <summary>DELETE /v1/webhooks/{id}.</summary>
    public Task DeleteAsync(string webhookId, CancellationToken cancellationToken = default) =>
        _transport.SendNoContentAsync(HttpMethod.Delete, $"v1/webhooks/{ApiTransport.Segment(webhookId)}", null, cancellationToken);
}
