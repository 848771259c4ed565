using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Provenance.Server.Tests.Webhooks;

/// <summary>A loopback HTTP receiver (HttpListener) that records every POST and answers with the next scripted status (200 when none).</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private readonly ConcurrentQueue<int> statuses = new();

    public WebhookReceiver()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/hook/";
            listener.Prefixes.Add(Url);
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Prefixes.Clear();
            }
        }

        loop = Task.Run(LoopAsync);
    }

    public string Url { get; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>Answers the next requests with these statuses, in order.</summary>
    public void Script(params int[] next)
    {
        foreach (var s in next)
        {
            statuses.Enqueue(s);
        }
    }

    /// <summary>Forgets the scripted statuses: every next request gets 200.</summary>
    public void ClearScript() => statuses.Clear();

    /// <summary>Waits until <paramref name="count"/> requests answered 2xx have arrived.</summary>
    public async Task<IReadOnlyList<Received>> WaitForDeliveredAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var ok = Requests.Where(r => r.AnsweredStatus < 300).ToList();
            if (ok.Count >= count)
            {
                return ok;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"only {Requests.Count(r => r.AnsweredStatus < 300)} of {count} deliveries arrived; {Requests.Count} requests in all");
    }

    private async Task LoopAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var body = await reader.ReadToEndAsync();
            var status = statuses.TryDequeue(out var s) ? s : 200;
            Requests.Enqueue(new Received(context.Request.Headers["Provenance-Signature"] ?? "", body, status));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }

    public sealed record Received(string Signature, string Body, int AnsweredStatus);
}
