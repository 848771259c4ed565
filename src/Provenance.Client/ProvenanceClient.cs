using System.Net.Http.Headers;
using Provenance.Core.Contracts;

namespace Provenance.Client;

/// <summary>
/// Typed client of the Provenance HTTP API (docs/api.md). Handles such as <see cref="Asset(string)"/> and
/// <see cref="Prompt(string)"/> are cheap references, like grain references: making one sends nothing; each
/// method is one call. Every call takes a cancellation token, runs under <see cref="ProvenanceClientOptions.Timeout"/>,
/// and is retried with backoff only when idempotent. Errors are <see cref="ProvenanceApiException"/> (the server
/// refused) or <see cref="ProvenanceTransportException"/> (no answer). Thread-safe.
/// </summary>
public sealed class ProvenanceClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client with its own HttpClient.</summary>
    /// <exception cref="ArgumentException"><see cref="ProvenanceClientOptions.BaseAddress"/> is missing or not absolute.</exception>
    public ProvenanceClient(ProvenanceClientOptions options)
        : this(new HttpClient(), options, ownsHttp: true)
    {
    }

    /// <summary>Creates a client over a caller-owned HttpClient (e.g. from IHttpClientFactory); its BaseAddress is used unless the options give one.</summary>
    /// <exception cref="ArgumentException">Neither the options nor the HttpClient give an absolute base address.</exception>
    public ProvenanceClient(HttpClient httpClient, ProvenanceClientOptions? options = null)
        : this(httpClient, options ?? new ProvenanceClientOptions(), ownsHttp: false)
    {
    }

    private ProvenanceClient(HttpClient http, ProvenanceClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var baseAddress = options.BaseAddress ?? http.BaseAddress;
        if (baseAddress is null || !baseAddress.IsAbsoluteUri)
        {
            if (ownsHttp)
            {
                http.Dispose();
            }

            throw new ArgumentException("An absolute BaseAddress is required (e.g. http://127.0.0.1:5080).", nameof(options));
        }

        // Relative paths resolve under the base only when it ends with '/'; the caller's HttpClient is never changed.
        BaseAddress = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        if (ownsHttp)
        {
            // The per-attempt timeout is ours; HttpClient's own would also cut long evidence downloads.
            http.Timeout = Timeout.InfiniteTimeSpan;
        }

        _http = http;
        _ownsHttp = ownsHttp;
        Transport = new ApiTransport(http, BaseAddress, options);
        Assets = new AssetsClient(Transport);
        Anchor = new AnchorClient(Transport, this);
        Epochs = new EpochsClient(Transport);
        Proofs = new ProofsClient(Transport);
        Keys = new KeysClient(Transport);
        Admin = new AdminClient(Transport);
        Webhooks = new WebhooksClient(Transport);
    }

    internal ApiTransport Transport { get; }

    /// <summary>The server's base address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Registering assets (by hash or by streamed upload).</summary>
    public AssetsClient Assets { get; }

    /// <summary>Epoch commits: trigger, status, waiting for an asset to be anchored.</summary>
    public AnchorClient Anchor { get; }

    /// <summary>Sealed epochs and their checkpoints and timestamps.</summary>
    public EpochsClient Epochs { get; }

    /// <summary>RFC 9162 inclusion and consistency proofs.</summary>
    public ProofsClient Proofs { get; }

    /// <summary>The service's public signing keys (manifest and log keys).</summary>
    public KeysClient Keys { get; }

    /// <summary>API keys, tenant policy, audit findings and runtime statistics (admin scope).</summary>
    public AdminClient Admin { get; }

    /// <summary>Webhook subscriptions (admin scope).</summary>
    public WebhooksClient Webhooks { get; }

    /// <summary>A handle on one asset; sends nothing until a method is called.</summary>
    public AssetHandle Asset(string assetId) => new(Transport, assetId);

    /// <summary>A handle on one prompt family; sends nothing until a method is called.</summary>
    public PromptFamilyHandle Prompt(string familyId) => new(Transport, familyId);

    /// <summary>GET /v1/me: the key this client uses, its tenant and scopes.</summary>
    public Task<CallerDto> MeAsync(CancellationToken cancellationToken = default) =>
        Transport.SendJsonAsync<CallerDto>(HttpMethod.Get, "v1/me", null, cancellationToken);

    /// <summary>GET /v1/search: assets by text, content hash, model or tag, paged.</summary>
    public Task<SearchResultDto> SearchAsync(string? q = null, string? hash = null, string? model = null, string? tag = null, int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        Transport.SendJsonAsync<SearchResultDto>(HttpMethod.Get, ApiTransport.Query("v1/search", ("q", q), ("hash", hash), ("model", model), ("tag", tag), ("limit", limit), ("cursor", cursor)), null, cancellationToken);

    /// <summary>GET /v1/lineage/path: a shortest parent chain from <paramref name="from"/> up to the ancestor <paramref name="to"/>.</summary>
    public Task<LineagePathDto> LineagePathAsync(string from, string to, CancellationToken cancellationToken = default) =>
        Transport.SendJsonAsync<LineagePathDto>(HttpMethod.Get, ApiTransport.Query("v1/lineage/path", ("from", from), ("to", to)), null, cancellationToken);

    /// <summary>POST /v1/verify by asset id or content hash (give exactly one).</summary>
    public Task<VerifyResultDto> VerifyAsync(VerifyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Transport.SendJsonAsync<VerifyResultDto>(HttpMethod.Post, "v1/verify", request, cancellationToken);
    }

    /// <summary>POST /v1/verify with the file itself, streamed as multipart part <c>file</c> (the server hashes it).</summary>
    public async Task<VerifyResultDto> VerifyAsync(Stream file, string? fileName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        using var response = await Transport.SendAsync(HttpMethod.Post, "v1/verify", () =>
        {
            var content = new MultipartFormDataContent();
            var part = new StreamContent(file);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, "file", fileName ?? "file");
            return content;
        }, cancellationToken).ConfigureAwait(false);
        return await ApiTransport.ReadJsonAsync<VerifyResultDto>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the HttpClient if this client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }
}
