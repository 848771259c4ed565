using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;

namespace Provenance.Timestamping;

/// <summary>Settings of the <see cref="BuiltInTsa"/>.</summary>
public sealed class BuiltInTsaOptions
{
    /// <summary>Common name of the signing certificate; the root is named "<c>{Name} Root CA</c>".</summary>
    public string Name { get; set; } = "Provenance Built-in TSA";

    /// <summary>Policy OID put in every token; requests naming another policy are rejected (unacceptedPolicy).</summary>
    public string PolicyOid { get; set; } = Rfc3161Labels.BuiltInTsaPolicy;

    /// <summary>TSTInfo accuracy; <see langword="null"/> or zero omits the field.</summary>
    public TimeSpan? Accuracy { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether TSTInfo names the TSA (the signing certificate's subject) in its <c>tsa</c> field.</summary>
    public bool IncludeTsaName { get; set; } = true;

    /// <summary>Validity of a newly generated root CA certificate.</summary>
    public TimeSpan RootLifetime { get; set; } = TimeSpan.FromDays(20 * 365);

    /// <summary>Validity of a newly issued signing certificate (capped at the root's end).</summary>
    public TimeSpan SigningLifetime { get; set; } = TimeSpan.FromDays(5 * 365);
}

/// <summary>
/// A self-contained RFC 3161 Time-Stamp Authority for development and for installations without an external TSA.
/// On first start it generates an ECDSA P-256 root CA and a signing certificate issued by it (critical
/// id-kp-timeStamping EKU, digitalSignature key usage) and stores both through an <see cref="ITsaKeyStore"/>;
/// later starts reuse them (a new signing certificate is issued by the same root once the old one has expired).
/// Only certificates are exposed. Thread-safe.
/// </summary>
public sealed class BuiltInTsa : IDisposable
{
    /// <summary>Clock skew tolerated between nodes: certificates become valid this long before their creation.</summary>
    private static readonly TimeSpan BackdateBy = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time;
    private readonly BuiltInTsaOptions _options;
    private readonly X509Certificate2 _signer;
    private readonly X500DistinguishedName? _tsaName;
    private readonly long _instanceTag;
    private readonly Lock _serialLock = new();
    private BigInteger _lastSerial;

    /// <summary>Loads the TSA's certificates from <paramref name="keyStore"/>, generating and saving them if absent.</summary>
    /// <param name="keyStore">Persistent store, e.g. <see cref="FileTsaKeyStore"/>.</param>
    /// <param name="timeProvider">Source of genTime and of certificate validity.</param>
    /// <param name="options">Settings; <see langword="null"/> means defaults.</param>
    /// <exception cref="TimestampException"><see cref="TimestampFailureReason.Configuration"/>: the store is unusable or holds unreadable PEM.</exception>
    public BuiltInTsa(ITsaKeyStore keyStore, TimeProvider timeProvider, BuiltInTsaOptions? options = null)
        : this(keyStore, timeProvider, options ?? new BuiltInTsaOptions(), withTimestampingEku: true)
    {
    }

    /// <summary>Test hook: <paramref name="withTimestampingEku"/> = false issues a signing certificate without the timeStamping EKU.</summary>
    internal BuiltInTsa(ITsaKeyStore keyStore, TimeProvider timeProvider, BuiltInTsaOptions options, bool withTimestampingEku)
    {
        ArgumentNullException.ThrowIfNull(keyStore);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.Name);
        ArgumentException.ThrowIfNullOrEmpty(options.PolicyOid);
        _time = timeProvider;
        _options = options;

        try
        {
            TsaKeyMaterial material = LoadOrCreate(keyStore, withTimestampingEku);
            _signer = X509Certificate2.CreateFromPem(material.SigningCertificatePem, material.SigningPrivateKeyPem);
            TrustAnchor = X509Certificate2.CreateFromPem(material.RootCertificatePem);
        }
        catch (CryptographicException e)
        {
            throw new TimestampException(TimestampFailureReason.Configuration, "The stored built-in TSA certificates or keys are unreadable.", e);
        }

        SigningCertificate = X509CertificateLoader.LoadCertificate(_signer.RawData);
        RootCertificatePem = TrustAnchor.ExportCertificatePem();
        SigningCertificatePem = SigningCertificate.ExportCertificatePem();
        _tsaName = options.IncludeTsaName ? _signer.SubjectName : null;
        _instanceTag = RandomNumberGenerator.GetInt32(int.MaxValue);
    }

    /// <summary>The policy OID in every token this TSA issues.</summary>
    public string PolicyOid => _options.PolicyOid;

    /// <summary>The self-signed root CA certificate (public part only): the trust anchor for this TSA's tokens.</summary>
    public X509Certificate2 TrustAnchor { get; }

    /// <summary>The signing certificate (public part only).</summary>
    public X509Certificate2 SigningCertificate { get; }

    /// <summary>PEM of <see cref="TrustAnchor"/>, for download and <c>openssl ts -verify -CAfile</c>.</summary>
    public string RootCertificatePem { get; }

    /// <summary>PEM of <see cref="SigningCertificate"/>, for download and <c>openssl ts -verify -untrusted</c>.</summary>
    public string SigningCertificatePem { get; }

    /// <summary>
    /// Answers one DER <c>TimeStampReq</c> with a DER <c>TimeStampResp</c> (RFC 3161 section 2.4.2). Bad requests
    /// get a rejection with failInfo, never an exception: badDataFormat (not DER, trailing bytes, wrong hash
    /// length, bad algorithm parameters), badRequest (version not 1), badAlg (hash not SHA-256/384/512),
    /// unacceptedPolicy (reqPolicy not <see cref="PolicyOid"/>), unacceptedExtension (any extension).
    /// </summary>
    /// <param name="timeStampReqDer">The request body as received.</param>
    /// <returns>A granted response with a token (signer certificate included when certReq), or a rejection.</returns>
    /// <exception cref="ObjectDisposedException">The TSA was disposed.</exception>
    public byte[] Respond(ReadOnlySpan<byte> timeStampReqDer)
    {
        Rfc3161Request request;
        try
        {
            request = Rfc3161.DecodeRequest(timeStampReqDer.ToArray());
        }
        catch (AsnContentException)
        {
            return Reject(PkiFailureInfo.BadDataFormat, "The request is not a DER TimeStampReq.");
        }

        if (request.Version != 1)
        {
            return Reject(PkiFailureInfo.BadRequest, $"Unsupported TimeStampReq version {request.Version}; expected 1.");
        }

        int hashLength = request.HashAlgorithmOid switch
        {
            Rfc3161Labels.Sha256 => SHA256.HashSizeInBytes,
            Rfc3161Labels.Sha384 => SHA384.HashSizeInBytes,
            Rfc3161Labels.Sha512 => SHA512.HashSizeInBytes,
            _ => 0,
        };
        if (hashLength == 0)
        {
            return Reject(PkiFailureInfo.BadAlg, $"Unsupported hash algorithm {request.HashAlgorithmOid}; use SHA-256, SHA-384 or SHA-512.");
        }

        if (!request.HashAlgorithmParametersValid || request.HashedMessage.Length != hashLength)
        {
            return Reject(PkiFailureInfo.BadDataFormat, "The message imprint does not match its hash algorithm.");
        }

        if (request.ReqPolicy is not null && request.ReqPolicy != _options.PolicyOid)
        {
            return Reject(PkiFailureInfo.UnacceptedPolicy, $"Policy {request.ReqPolicy} is not offered; this TSA uses {_options.PolicyOid}.");
        }

        if (request.HasExtensions)
        {
            return Reject(PkiFailureInfo.UnacceptedExtension, "Request extensions are not supported.");
        }

        DateTimeOffset genTime = _time.GetUtcNow();
        byte[] tstInfo = Rfc3161.EncodeTstInfo(
            _options.PolicyOid, request.MessageImprintDer, NextSerial(genTime), genTime, _options.Accuracy, request.Nonce, _tsaName);
        return Rfc3161.EncodeResponse(PkiStatus.Granted, null, PkiFailureInfo.None, Sign(tstInfo, request.CertReq));
    }

    /// <summary>
    /// In-process convenience for hosts that use the built-in TSA without going through HTTP: requests a token
    /// over <paramref name="sha256"/> (fresh nonce, certReq) from this TSA and verifies it exactly as
    /// <see cref="Rfc3161Client"/> would, against <see cref="TrustAnchor"/> and <see cref="PolicyOid"/>.
    /// </summary>
    /// <param name="sha256">The 32-byte SHA-256 hash to stamp.</param>
    /// <returns>The verified token, with <see cref="TimestampToken.Authority"/> set to <see cref="BuiltInTsaOptions.Name"/>.</returns>
    /// <exception cref="ArgumentException">The hash is not 32 bytes.</exception>
    /// <exception cref="TimestampException">The token did not verify (e.g. the signing certificate is not yet valid on this clock).</exception>
    public TimestampToken Stamp(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != SHA256.HashSizeInBytes)
        {
            throw new ArgumentException("The hash to stamp must be a 32-byte SHA-256 value.", nameof(sha256));
        }

        byte[] nonce = RandomNumberGenerator.GetBytes(8);
        nonce[0] = (byte)((nonce[0] & 0x7F) | 0x01); // a minimal positive INTEGER as is
        var request = Rfc3161TimestampRequest.CreateFromHash(
            sha256.ToArray(), HashAlgorithmName.SHA256, new Oid(PolicyOid), nonce, requestSignerCertificates: true);
        Rfc3161Response response = Rfc3161.DecodeResponse(Respond(request.Encode()));
        if (response.Status != PkiStatus.Granted || response.TokenDer is null)
        {
            throw new TimestampException(TimestampFailureReason.Rejected, $"The built-in TSA refused its own request: {response.StatusText}")
            {
                Status = response.Status,
                FailureInfo = response.FailureInfo,
                StatusText = response.StatusText,
            };
        }

        TimestampToken token = Rfc3161TokenVerifier.Verify(response.TokenDer, sha256, [TrustAnchor], PolicyOid, request.GetNonce());
        return token with { Authority = _options.Name };
    }

    /// <summary>Releases the signing key.</summary>
    public void Dispose()
    {
        _signer.Dispose();
        TrustAnchor.Dispose();
        SigningCertificate.Dispose();
    }

    private byte[] Sign(byte[] tstInfo, bool includeCertificate)
    {
        var cms = new SignedCms(new ContentInfo(new Oid(Rfc3161Labels.TstInfoContentType), tstInfo), detached: false);
        var signer = new CmsSigner(SubjectIdentifierType.IssuerAndSerialNumber, _signer)
        {
            DigestAlgorithm = new Oid(Rfc3161Labels.Sha256),
            IncludeOption = includeCertificate ? X509IncludeOption.EndCertOnly : X509IncludeOption.None,
        };
        signer.SignedAttributes.Add(new AsnEncodedData(
            new Oid(Rfc3161Labels.SigningCertificateV2Attribute), Rfc5035.EncodeSigningCertificateV2(_signer)));
        cms.ComputeSignature(signer, silent: true);
        return cms.Encode();
    }

    /// <summary>
    /// Serial numbers increase per instance: (Unix milliseconds × 1000, bumped by one on collision) shifted left
    /// by 31 bits, plus a random per-instance tag so two nodes sharing the key never collide (RFC 3161 section 2.4.2
    /// requires uniqueness per TSA). At most 84 bits, well under the 160 bits clients must accept.
    /// </summary>
    private BigInteger NextSerial(DateTimeOffset now)
    {
        lock (_serialLock)
        {
            _lastSerial = BigInteger.Max(new BigInteger(now.ToUnixTimeMilliseconds()) * 1000, _lastSerial + 1);
            return (_lastSerial << 31) + _instanceTag;
        }
    }

    private static byte[] Reject(PkiFailureInfo failure, string text) =>
        Rfc3161.EncodeResponse(PkiStatus.Rejection, text, failure, tokenDer: null);

    private TsaKeyMaterial LoadOrCreate(ITsaKeyStore store, bool withTimestampingEku)
    {
        DateTimeOffset now = _time.GetUtcNow();
        TsaKeyMaterial? stored = store.Load();
        if (stored is not null)
        {
            using X509Certificate2 signing = X509Certificate2.CreateFromPem(stored.SigningCertificatePem);
            if (new DateTimeOffset(signing.NotAfter) > now)
            {
                return stored;
            }

            using X509Certificate2 storedRoot = X509Certificate2.CreateFromPem(stored.RootCertificatePem, stored.RootPrivateKeyPem);
            if (new DateTimeOffset(storedRoot.NotAfter) > now.AddDays(1))
            {
                TsaKeyMaterial renewed = IssueSigning(storedRoot, stored.RootPrivateKeyPem, now, withTimestampingEku);
                store.Save(renewed);
                return renewed;
            }
        }

        using ECDsa rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootName = new X500DistinguishedNameBuilder();
        rootName.AddCommonName(_options.Name + " Root CA");
        var rootRequest = new CertificateRequest(rootName.Build(), rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using X509Certificate2 root = rootRequest.CreateSelfSigned(now - BackdateBy, now + _options.RootLifetime);
        TsaKeyMaterial created = IssueSigning(root, rootKey.ExportPkcs8PrivateKeyPem(), now, withTimestampingEku);
        store.Save(created);
        return created;
    }

    private TsaKeyMaterial IssueSigning(X509Certificate2 rootWithKey, string rootKeyPem, DateTimeOffset now, bool withTimestampingEku)
    {
        using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName(_options.Name);
        var request = new CertificateRequest(name.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (withTimestampingEku)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(Rfc3161Labels.TimestampingEku)], critical: true));
        }

        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(rootWithKey, true, false));

        DateTimeOffset notAfter = now + _options.SigningLifetime;
        DateTimeOffset rootNotAfter = new(rootWithKey.NotAfter);
        if (notAfter > rootNotAfter)
        {
            notAfter = rootNotAfter;
        }

        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x7F) | 0x40);
        using X509Certificate2 signing = request.Create(rootWithKey, now - BackdateBy, notAfter, serial);
        return new TsaKeyMaterial(
            rootWithKey.ExportCertificatePem(), rootKeyPem, signing.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }
}
