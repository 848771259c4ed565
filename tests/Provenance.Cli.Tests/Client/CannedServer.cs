using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Provenance.Cli.Tests.Client;

/// <summary>A real HTTP peer on loopback (HttpListener) that answers each request with a canned response and records what it got.</summary>
internal sealed class CannedServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<RecordedRequest, int, CannedResponse> _respond;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public CannedServer(Func<RecordedRequest, int, CannedResponse> respond)
    {
        _respond = respond;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    public static CannedServer Always(int status, string body, string contentType = "application/problem+json") =>
        new((_, _) => new CannedResponse(status, body, contentType));

    public static string Problem(int status, string code, string title, string? detail = null, string? field = null) =>
        $$"""{"type":"https://provenance.dev/problems/{{code}}","title":"{{title}}","status":{{status}}{{(detail is null ? "" : $",\"detail\":\"{detail}\"")}}{{(field is null ? "" : $",\"field\":\"{field}\"")}},"traceId":"00-abc-01"}""";

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        var count = 0;
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var recorded = new RecordedRequest(
                context.Request.HttpMethod,
                context.Request.Url!.PathAndQuery,
                context.Request.Headers["Authorization"],
                context.Request.ContentType,
                await reader.ReadToEndAsync());
            Requests.Enqueue(recorded);
            var response = _respond(recorded, ++count);
            if (response.Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(response.Delay, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            try
            {
                context.Response.StatusCode = response.Status;
                context.Response.ContentType = response.ContentType;
                var bytes = Encoding.UTF8.GetBytes(response.Body);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The client gave up (timeout tests); nothing to answer.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by the listener closing under it.
        }

        _stop.Dispose();
    }
}

internal sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization, string? ContentType, string Body);

internal sealed record CannedResponse(int Status, string Body, string ContentType = "application/json", TimeSpan Delay = default);
