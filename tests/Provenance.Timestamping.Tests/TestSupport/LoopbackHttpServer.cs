using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Provenance.Timestamping.Tests.TestSupport;

internal sealed record LoopbackReply(int Status, string ContentType, byte[] Body)
{
    public static LoopbackReply TimestampReply(byte[] body) => new(200, Rfc3161Labels.TimestampReplyMediaType, body);
}

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 and a free port: one request per connection, body by Content-Length,
/// answered by a handler. Handler failures are answered with 500 and rethrown on dispose so tests see them.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private readonly TcpListener _listener;
    private readonly Func<byte[], CancellationToken, Task<LoopbackReply>> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _requestCount;
    private int _connectionCount;

    public LoopbackHttpServer(Func<byte[], CancellationToken, Task<LoopbackReply>> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/tsa");
        _acceptLoop = AcceptLoopAsync();
    }

    public Uri Url { get; }

    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>Connections accepted so far, counted before any request byte is read.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Waits until at least <paramref name="count"/> connections were accepted, or the wait runs out.</summary>
    public async Task<int> WaitForConnectionsAsync(int count, TimeSpan wait)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        while (ConnectionCount < count && watch.Elapsed < wait)
        {
            await Task.Delay(20);
        }

        return ConnectionCount;
    }

    public static LoopbackHttpServer ForTsa(Func<byte[], byte[]> respond) =>
        new((query, _) => Task.FromResult(LoopbackReply.TimestampReply(respond(query))));

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        await Task.WhenAll(_connections);
        _stop.Dispose();
        if (!_errors.IsEmpty)
        {
            throw new AggregateException("The loopback TSA handler failed.", _errors);
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            Interlocked.Increment(ref _connectionCount);
            _connections.Add(ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                byte[] body = await ReadRequestBodyAsync(stream);
                Interlocked.Increment(ref _requestCount);
                LoopbackReply reply;
                try
                {
                    reply = await _handler(body, _stop.Token);
                }
                catch (Exception e) when (!_stop.IsCancellationRequested)
                {
                    _errors.Enqueue(e);
                    reply = new LoopbackReply(500, "text/plain", Encoding.UTF8.GetBytes(e.Message));
                }

                string head = $"HTTP/1.1 {reply.Status} {(reply.Status == 200 ? "OK" : "Error")}\r\n" +
                              $"Content-Type: {reply.ContentType}\r\nContent-Length: {reply.Body.Length}\r\nConnection: close\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), _stop.Token);
                await stream.WriteAsync(reply.Body, _stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // The test is over (e.g. a handler that never answers); nothing is waiting for this connection.
            }
            catch (IOException)
            {
                // The client gave up (its timeout); that is the behaviour under test, not a server failure.
            }
        }
    }

    private async Task<byte[]> ReadRequestBodyAsync(NetworkStream stream)
    {
        var buffer = new MemoryStream();
        byte[] chunk = new byte[4096];
        int headerEnd;
        while ((headerEnd = buffer.GetBuffer().AsSpan(0, (int)buffer.Length).IndexOf(HeaderEnd)) < 0)
        {
            int read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                throw new IOException("Connection closed before the request headers ended.");
            }

            buffer.Write(chunk, 0, read);
        }

        string headers = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headerEnd);
        int length = headers.Split("\r\n")
            .Where(line => line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            .Select(line => int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture))
            .Single();
        var body = new MemoryStream();
        body.Write(buffer.GetBuffer(), headerEnd + HeaderEnd.Length, (int)buffer.Length - headerEnd - HeaderEnd.Length);
        while (body.Length < length)
        {
            int read = await stream.ReadAsync(chunk, _stop.Token);
            if (read == 0)
            {
                throw new IOException("Connection closed before the request body ended.");
            }

            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }
}
