using System.Net.Http.Headers;
using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace Provenance.Timestamping;

/// <summary>
/// Obtains RFC 3161 time-stamps over HTTP (section 3.4) and verifies every reply before returning it. Thread-safe;
/// one instance serves any number of TSAs.
/// </summary>
public sealed class Rfc3161Client
{
    private const int MaxReplyBytes = 1 << 20;

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly INonceSource _nonces;

    /// <summary>Creates a client.</summary>
    /// <param name="httpClient">Used for every POST; its own <see cref="HttpClient.Timeout"/> should exceed the per-TSA timeouts.</param>
    /// <param name="timeProvider">Drives the per-TSA timeout.</param>
    /// <param name="nonceSource">Request nonces; <see langword="null"/> means <see cref="CryptographicNonceSource.Instance"/>.</param>
    public Rfc3161Client(HttpClient httpClient, TimeProvider timeProvider, INonceSource? nonceSource = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _http = httpClient;
        _time = timeProvider;
        _nonces = nonceSource ?? CryptographicNonceSource.Instance;
    }

    /// <summary>
    /// Asks <paramref name="tsa"/> to stamp a SHA-256 hash: builds a request (SHA-256 imprint, fresh nonce,
    /// certReq, the configured policy if any), POSTs it as <c>application/timestamp-query</c> and verifies the
    /// reply: PKIStatus granted, nonce, imprint, signature, signer chain to the TSA's trust anchors, critical
    /// timeStamping EKU, policy, genTime within the signer's validity.
    /// </summary>
    /// <param name="tsa">The TSA; see <see cref="TsaOptions.ResolveTrustAnchors"/> for what must be set.</param>
    /// <param name="sha256">The 32-byte SHA-256 hash to stamp.</param>
    /// <param name="cancellationToken">Cancels the call; cancellation surfaces as <see cref="OperationCanceledException"/>, not as a timeout.</param>
    /// <returns>The verified token, with <see cref="TimestampToken.Authority"/> set to <see cref="TsaOptions.Name"/>.</returns>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    /// <exception cref="TimestampException">The TSA timed out, failed over HTTP, rejected the request, or its reply did not verify.</exception>
    public async Task<TimestampToken> TimestampAsync(TsaOptions tsa, ReadOnlyMemory<byte> sha256, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tsa);
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The hash to stamp must be a 32-byte SHA-256 value.", nameof(sha256));
        }

        IReadOnlyCollection<System.Security.Cryptography.X509Certificates.X509Certificate2> anchors = tsa.ResolveTrustAnchors();
        try
        {
            var request = Rfc3161TimestampRequest.CreateFromHash(
                sha256,
                HashAlgorithmName.SHA256,
                tsa.PolicyOid is null ? null : new Oid(tsa.PolicyOid),
                MinimalPositive(_nonces.NextNonce()),
                requestSignerCertificates: true);

            byte[] reply = await PostAsync(tsa, request.Encode(), cancellationToken).ConfigureAwait(false);
            byte[] tokenDer = ReadGrantedToken(reply);
            TimestampToken token = Rfc3161TokenVerifier.Verify(tokenDer, sha256.Span, anchors, tsa.PolicyOid, request.GetNonce());
            return token with { Authority = tsa.Name };
        }
        catch (TimestampException e)
        {
            e.Authority ??= tsa.Name;
            throw;
        }
    }

    private async Task<byte[]> PostAsync(TsaOptions tsa, byte[] query, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(tsa.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var content = new ByteArrayContent(query);
        content.Headers.ContentType = new MediaTypeHeaderValue(Rfc3161Labels.TimestampQueryMediaType);
        using var message = new HttpRequestMessage(HttpMethod.Post, tsa.Url) { Content = content };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(Rfc3161Labels.TimestampReplyMediaType));
        try
        {
            using HttpResponseMessage response = await _http
                .SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token)
                .ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new TimestampException(
                    TimestampFailureReason.HttpError, $"TSA '{tsa.Name}' answered HTTP {(int)response.StatusCode}.")
                {
                    HttpStatusCode = (int)response.StatusCode,
                };
            }

            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (mediaType is not (Rfc3161Labels.TimestampReplyMediaType or Rfc3161Labels.LegacyTimestampReplyMediaType))
            {
                throw new TimestampException(
                    TimestampFailureReason.Malformed, $"TSA '{tsa.Name}' answered '{mediaType}', not {Rfc3161Labels.TimestampReplyMediaType}.");
            }

            return await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimestampException(
                TimestampFailureReason.Timeout, $"TSA '{tsa.Name}' did not answer within {tsa.Timeout.TotalSeconds:0.###} s.", e);
        }
        catch (IOException e)
        {
            throw new TimestampException(TimestampFailureReason.HttpError, $"TSA '{tsa.Name}' broke off its reply: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new TimestampException(TimestampFailureReason.HttpError, $"TSA '{tsa.Name}' could not be reached: {e.Message}", e)
            {
                HttpStatusCode = e.StatusCode is { } code ? (int)code : null,
            };
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxReplyBytes)
        {
            throw new TimestampException(TimestampFailureReason.Malformed, $"The TSA reply exceeds {MaxReplyBytes} bytes.");
        }

        using Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        byte[] chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxReplyBytes)
            {
                throw new TimestampException(TimestampFailureReason.Malformed, $"The TSA reply exceeds {MaxReplyBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static byte[] ReadGrantedToken(byte[] reply)
    {
        Rfc3161Response response;
        try
        {
            response = Rfc3161.DecodeResponse(reply);
        }
        catch (AsnContentException e)
        {
            throw new TimestampException(TimestampFailureReason.Malformed, "The TSA reply is not a DER TimeStampResp.", e);
        }

        if (response.Status is not (PkiStatus.Granted or PkiStatus.GrantedWithMods))
        {
            throw new TimestampException(
                TimestampFailureReason.Rejected,
                $"The TSA answered {response.Status} ({response.FailureInfo}){(response.StatusText is null ? "" : ": " + response.StatusText)}.")
            {
                Status = response.Status,
                FailureInfo = response.FailureInfo,
                StatusText = response.StatusText,
            };
        }

        return response.TokenDer
            ?? throw new TimestampException(TimestampFailureReason.Malformed, "The TSA granted the request but sent no token.");
    }

    /// <summary>Strips leading zero bytes so the framework encodes the nonce as a minimal positive INTEGER.</summary>
    private static byte[] MinimalPositive(byte[] nonce)
    {
        ArgumentNullException.ThrowIfNull(nonce);
        int start = 0;
        while (start < nonce.Length && nonce[start] == 0)
        {
            start++;
        }

        return start == nonce.Length ? [1] : nonce[start..];
    }
}
