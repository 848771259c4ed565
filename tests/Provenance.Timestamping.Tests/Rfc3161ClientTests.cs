using System.Diagnostics;
using System.Security.Cryptography.Pkcs;
using Provenance.Core;
using Provenance.Timestamping.Tests.TestSupport;

namespace Provenance.Timestamping.Tests;

public sealed class Rfc3161ClientTests(OpenSslTsa openSsl) : IClassFixture<OpenSslTsa>, IDisposable
{
    private readonly HttpClient _http = new();

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task TimestampAsync_OpenSslTsa_ReturnsVerifiedToken()
    {
        await using var server = new LoopbackHttpServer(async (query, _) => LoopbackReply.TimestampReply(await openSsl.ReplyAsync(query)));
        var client = new Rfc3161Client(_http, TimeProvider.System);
        byte[] hash = Tokens.Sha256("epoch 1");
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-2);

        TimestampToken token = await client.TimestampAsync(openSsl.Options(server.Url), hash);

        Assert.Equal("openssl", token.Authority);
        Assert.Equal(OpenSslTsa.DefaultPolicy, token.PolicyOid);
        Assert.InRange(token.GenTime, before, DateTimeOffset.UtcNow.AddSeconds(2));
        Assert.Contains("CN=OpenSSL Test TSA", token.TsaName);
        Assert.Equal(openSsl.Root.RawData, token.SignerCertificates[^1]);
        Assert.Equal(2, token.SignerCertificates.Count);
        Rfc3161TokenVerifier.Verify(token.TokenDer, hash, [openSsl.Root], OpenSslTsa.DefaultPolicy);
    }

    [Fact]
    public async Task TimestampAsync_OpenSslTsaWithRequestedPolicy_ReturnsTokenUnderThatPolicy()
    {
        await using var server = new LoopbackHttpServer(async (query, _) => LoopbackReply.TimestampReply(await openSsl.ReplyAsync(query)));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        TimestampToken token = await client.TimestampAsync(openSsl.Options(server.Url, OpenSslTsa.OtherPolicy), Tokens.Sha256("epoch 2"));

        Assert.Equal(OpenSslTsa.OtherPolicy, token.PolicyOid);
    }

    [Fact]
    public async Task TimestampAsync_OpenSslTsaRefusesPolicy_ThrowsRejectedWithStatusAndFailInfo()
    {
        await using var server = new LoopbackHttpServer(async (query, _) => LoopbackReply.TimestampReply(await openSsl.ReplyAsync(query)));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() =>
            client.TimestampAsync(openSsl.Options(server.Url, "1.2.3.4.99"), Tokens.Sha256("epoch 3")));

        Assert.Equal(TimestampFailureReason.Rejected, error.Reason);
        Assert.Equal(PkiStatus.Rejection, error.Status);
        Assert.Equal(PkiFailureInfo.UnacceptedPolicy, error.FailureInfo);
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.Equal("openssl", error.Authority);
    }

    [Fact]
    public async Task TimestampAsync_BuiltInTsaOverHttp_ReturnsVerifiedTokenWithTheSourcedNonce()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[]? seenNonce = null;
        await using var server = LoopbackHttpServer.ForTsa(query =>
        {
            seenNonce = Rfc3161.DecodeRequest(query).Nonce?.ToArray();
            return tsa.Tsa.Respond(query);
        });
        var client = new Rfc3161Client(_http, TimeProvider.System, new FixedNonceSource([0x00, 0x00, 0x9A, 0xBC]));

        TimestampToken token = await client.TimestampAsync(tsa.Options(server.Url, tsa.Tsa.PolicyOid), Tokens.Sha256("epoch 4"));

        Rfc3161TimestampToken.TryDecode(token.TokenDer, out Rfc3161TimestampToken? decoded, out _);
        Assert.Equal([0x00, 0x9A, 0xBC], seenNonce);
        Assert.Equal([0x00, 0x9A, 0xBC], decoded!.TokenInfo.GetNonce()!.Value.ToArray());
        Assert.Equal("built-in", token.Authority);
    }

    [Fact]
    public async Task TimestampAsync_ReplyToAnotherRequest_ThrowsNonceMismatch()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("epoch 5");
        await using var server = LoopbackHttpServer.ForTsa(_ => tsa.Tsa.Respond(Tokens.Query(hash, nonce: [0x55, 0x66])));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), hash));

        Assert.Equal(TimestampFailureReason.NonceMismatch, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_ReplyForAnotherHash_ThrowsImprintMismatch()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = LoopbackHttpServer.ForTsa(_ => tsa.Tsa.Respond(Tokens.Query(Tokens.Sha256("something else"))));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 6")));

        Assert.Equal(TimestampFailureReason.ImprintMismatch, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_TamperedReply_ThrowsBadSignature()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = LoopbackHttpServer.ForTsa(query =>
        {
            byte[] reply = tsa.Tsa.Respond(query);
            return Tokens.Flip(reply, reply.Length - 1);
        });
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 7")));

        Assert.Equal(TimestampFailureReason.BadSignature, error.Reason);
        Assert.Equal(ErrorKind.Invalid, error.Kind);
    }

    [Fact]
    public async Task TimestampAsync_SignerChainsToAnotherAnchor_ThrowsUntrustedSigner()
    {
        using TestTsa tsa = TestTsa.Create();
        using TestTsa stranger = TestTsa.Create();
        await using var server = LoopbackHttpServer.ForTsa(query => tsa.Tsa.Respond(query));
        var client = new Rfc3161Client(_http, TimeProvider.System);
        TsaOptions options = stranger.Options(server.Url);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(options, Tokens.Sha256("epoch 8")));

        Assert.Equal(TimestampFailureReason.UntrustedSigner, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_OpenSslTokenWithBuiltInAnchor_ThrowsUntrustedSigner()
    {
        using TestTsa stranger = TestTsa.Create();
        await using var server = new LoopbackHttpServer(async (query, _) => LoopbackReply.TimestampReply(await openSsl.ReplyAsync(query)));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(stranger.Options(server.Url), Tokens.Sha256("epoch 9")));

        Assert.Equal(TimestampFailureReason.UntrustedSigner, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_SignerWithoutTimestampingEku_ThrowsMissingTimestampingEku()
    {
        using TestTsa tsa = TestTsa.Create(withTimestampingEku: false);
        await using var server = LoopbackHttpServer.ForTsa(query => tsa.Tsa.Respond(query));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 10")));

        Assert.Equal(TimestampFailureReason.MissingTimestampingEku, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_BuiltInTsaRefusesPolicy_ThrowsRejectedWithStatusText()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = LoopbackHttpServer.ForTsa(query => tsa.Tsa.Respond(query));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() =>
            client.TimestampAsync(tsa.Options(server.Url, "1.2.3.4.99"), Tokens.Sha256("epoch 11")));

        Assert.Equal(TimestampFailureReason.Rejected, error.Reason);
        Assert.Equal(PkiStatus.Rejection, error.Status);
        Assert.Equal(PkiFailureInfo.UnacceptedPolicy, error.FailureInfo);
        Assert.Contains("1.2.3.4.99", error.StatusText);
    }

    [Fact]
    public async Task TimestampAsync_TsaNeverAnswers_ThrowsTimeoutQuickly()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = new LoopbackHttpServer(async (_, stop) =>
        {
            await Task.Delay(Timeout.Infinite, stop);
            throw new UnreachableException();
        });
        var client = new Rfc3161Client(_http, TimeProvider.System);
        TsaOptions options = tsa.Options(server.Url);
        options.Timeout = TimeSpan.FromSeconds(1);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(options, Tokens.Sha256("epoch 12")));

        Assert.Equal(TimestampFailureReason.Timeout, error.Reason);
        Assert.Equal(ErrorKind.Unavailable, error.Kind);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(30));
        // The client reached the silent TSA and did not retry: exactly one connection. The accept loop may lag
        // behind the client on a loaded machine, so wait for it instead of reading the counter at once
        // (CI once saw the count at 0 with a 300 ms timeout).
        Assert.Equal(1, await server.WaitForConnectionsAsync(1, TimeSpan.FromSeconds(10)));
        await Task.Delay(200);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task TimestampAsync_CallerCancels_ThrowsOperationCanceledNotTimeout()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = new LoopbackHttpServer(async (_, stop) =>
        {
            await Task.Delay(Timeout.Infinite, stop);
            throw new UnreachableException();
        });
        var client = new Rfc3161Client(_http, TimeProvider.System);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 13"), cancel.Token));
    }

    [Fact]
    public async Task TimestampAsync_Http500_ThrowsHttpErrorWithStatusCode()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = new LoopbackHttpServer((_, _) => Task.FromResult(new LoopbackReply(500, "text/plain", "boom"u8.ToArray())));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 14")));

        Assert.Equal(TimestampFailureReason.HttpError, error.Reason);
        Assert.Equal(500, error.HttpStatusCode);
        Assert.Equal("timestamp-http-error", error.Code);
    }

    [Fact]
    public async Task TimestampAsync_NothingListening_ThrowsHttpError()
    {
        using TestTsa tsa = TestTsa.Create();
        Uri url;
        await using (var server = LoopbackHttpServer.ForTsa(query => tsa.Tsa.Respond(query)))
        {
            url = server.Url;
        }

        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(url), Tokens.Sha256("epoch 15")));

        Assert.Equal(TimestampFailureReason.HttpError, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_GarbageReply_ThrowsMalformed()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = LoopbackHttpServer.ForTsa(_ => [0x30, 0x03, 0x02, 0x01, 0x00, 0xFF]);
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 16")));

        Assert.Equal(TimestampFailureReason.Malformed, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_WrongContentType_ThrowsMalformed()
    {
        using TestTsa tsa = TestTsa.Create();
        await using var server = new LoopbackHttpServer((query, _) => Task.FromResult(new LoopbackReply(200, "text/html", tsa.Tsa.Respond(query))));
        var client = new Rfc3161Client(_http, TimeProvider.System);

        var error = await Assert.ThrowsAsync<TimestampException>(() => client.TimestampAsync(tsa.Options(server.Url), Tokens.Sha256("epoch 17")));

        Assert.Equal(TimestampFailureReason.Malformed, error.Reason);
    }

    [Fact]
    public async Task TimestampAsync_HashNot32Bytes_ThrowsArgumentException()
    {
        using TestTsa tsa = TestTsa.Create();
        var client = new Rfc3161Client(_http, TimeProvider.System);

        await Assert.ThrowsAsync<ArgumentException>(() => client.TimestampAsync(tsa.Options(new Uri("http://127.0.0.1:1/")), new byte[31]));
    }

    private sealed class FixedNonceSource(byte[] nonce) : INonceSource
    {
        public byte[] NextNonce() => nonce.ToArray();
    }
}
