using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Provenance.Timestamping;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>
/// TSAs for epoch tests: the real <see cref="BuiltInTsa"/> answering through an <see cref="HttpMessageHandler"/>
/// (hosts <c>*.tsa.test</c>, each switchable to "down": HTTP 503), and a loopback TCP listener that accepts and never
/// answers (timeouts). Other hosts go to the network stack.
/// </summary>
internal sealed class TestTsas : DelegatingHandler
{
    private static readonly Lazy<BuiltInTsa> Shared = new(() => new BuiltInTsa(new MemoryTsaKeyStore(), TimeProvider.System));
    private readonly ConcurrentDictionary<string, bool> _down = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _requests = new(StringComparer.OrdinalIgnoreCase);

    public TestTsas()
        : base(new SocketsHttpHandler())
    {
    }

    public static BuiltInTsa Tsa => Shared.Value;

    /// <summary>A client whose requests to <c>*.tsa.test</c> are answered in process.</summary>
    public Rfc3161Client Client() => new(new HttpClient(this, disposeHandler: false), TimeProvider.System);

    /// <summary>A TSA answered by the built-in TSA (while not <see cref="SetDown"/>).</summary>
    public static TsaOptions BuiltIn(string name) => new()
    {
        Name = name,
        Url = new Uri($"http://{name}.tsa.test/tsa"),
        Timeout = TimeSpan.FromSeconds(20),
        PolicyOid = Tsa.PolicyOid,
        TrustAnchorCertificates = [Tsa.TrustAnchor],
    };

    /// <summary>A TSA at a loopback listener that never answers, with a short timeout.</summary>
    public static TsaOptions Silent(string name, SilentListener listener, TimeSpan timeout) => new()
    {
        Name = name,
        Url = listener.Url,
        Timeout = timeout,
        TrustAnchorCertificates = [Tsa.TrustAnchor],
    };

    /// <summary>Makes TSA <paramref name="name"/> answer HTTP 503 (down) or the built-in TSA's reply (up).</summary>
    public void SetDown(string name, bool down) => _down[name] = down;

    public int Requests(string name) => _requests.GetValueOrDefault(name);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var host = request.RequestUri!.Host;
        if (!host.EndsWith(".tsa.test", StringComparison.OrdinalIgnoreCase))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        var name = host[..^".tsa.test".Length];
        _requests.AddOrUpdate(name, 1, (_, n) => n + 1);
        if (_down.GetValueOrDefault(name))
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }

        var query = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
        var reply = new ByteArrayContent(Tsa.Respond(query));
        reply.Headers.ContentType = new MediaTypeHeaderValue(Rfc3161Labels.TimestampReplyMediaType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = reply };
    }

    private sealed class MemoryTsaKeyStore : ITsaKeyStore
    {
        private TsaKeyMaterial? _material;

        public TsaKeyMaterial? Load() => _material;

        public void Save(TsaKeyMaterial material) => _material = material;
    }
}

/// <summary>A loopback TCP listener that accepts connections and never answers.</summary>
internal sealed class SilentListener : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentBag<Socket> _held = [];
    private readonly CancellationTokenSource _stop = new();

    public SilentListener()
    {
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/tsa");
        _ = AcceptAsync();
    }

    public Uri Url { get; }

    public int Accepted => _held.Count;

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        foreach (var socket in _held)
        {
            socket.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                _held.Add(await _listener.AcceptSocketAsync(_stop.Token));
            }
        }
        catch (Exception) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
    }
}
