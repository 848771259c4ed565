using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Security.Cryptography.X509Certificates;
using Provenance.Timestamping.Tests.TestSupport;

namespace Provenance.Timestamping.Tests;

public sealed class BuiltInTsaTests
{
    [Fact]
    public async Task Respond_OpenSslQuery_OpenSslVerifiesReply()
    {
        using TestTsa tsa = TestTsa.Create();
        string dir = tsa.Folder.Path;
        await File.WriteAllTextAsync(tsa.Folder.File("data.txt"), "epoch 42 checkpoint");
        await File.WriteAllTextAsync(tsa.Folder.File("root.pem"), tsa.Tsa.RootCertificatePem);
        await OpenSsl.RunCheckedAsync(dir, "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "query.tsq");

        byte[] reply = tsa.Tsa.Respond(await File.ReadAllBytesAsync(tsa.Folder.File("query.tsq")));
        await File.WriteAllBytesAsync(tsa.Folder.File("reply.tsr"), reply);
        OpenSsl.Result verify = await OpenSsl.RunAsync(dir, "ts", "-verify", "-queryfile", "query.tsq", "-in", "reply.tsr", "-CAfile", "root.pem");
        OpenSsl.Result text = await OpenSsl.RunAsync(dir, "ts", "-reply", "-in", "reply.tsr", "-text");

        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("Verification: OK", verify.Output);
        Assert.True(text.ExitCode == 0, text.Output);
        Assert.Contains("Status: Granted.", text.Output);
        Assert.Contains($"Policy OID: {Rfc3161Labels.BuiltInTsaPolicy}", text.Output);
        Assert.Contains("Nonce: 0x", text.Output);
    }

    [Fact]
    public async Task Respond_Token_OpenSslVerifiesItWithDataAndWithDigest()
    {
        using TestTsa tsa = TestTsa.Create();
        string dir = tsa.Folder.Path;
        byte[] data = "merkle root of epoch 7"u8.ToArray();
        await File.WriteAllBytesAsync(tsa.Folder.File("data.bin"), data);
        await File.WriteAllTextAsync(tsa.Folder.File("root.pem"), tsa.Tsa.RootCertificatePem);
        byte[] hash = SHA256.HashData(data);
        await File.WriteAllBytesAsync(tsa.Folder.File("token.der"), Tokens.FromBuiltIn(tsa.Tsa, hash));

        OpenSsl.Result byData = await OpenSsl.RunAsync(dir, "ts", "-verify", "-data", "data.bin", "-in", "token.der", "-token_in", "-CAfile", "root.pem");
        OpenSsl.Result byDigest = await OpenSsl.RunAsync(dir, "ts", "-verify", "-digest", Convert.ToHexString(hash), "-in", "token.der", "-token_in", "-CAfile", "root.pem");
        OpenSsl.Result otherDigest = await OpenSsl.RunAsync(dir, "ts", "-verify", "-digest", Convert.ToHexString(Tokens.Sha256("other")), "-in", "token.der", "-token_in", "-CAfile", "root.pem");

        Assert.True(byData.ExitCode == 0, byData.Output);
        Assert.True(byDigest.ExitCode == 0, byDigest.Output);
        Assert.NotEqual(0, otherDigest.ExitCode);
    }

    [Fact]
    public async Task Respond_TokenSignedWithoutTimestampingEku_OpenSslRejectsIt()
    {
        using TestTsa tsa = TestTsa.Create(withTimestampingEku: false);
        string dir = tsa.Folder.Path;
        byte[] hash = Tokens.Sha256("no eku");
        await File.WriteAllTextAsync(tsa.Folder.File("root.pem"), tsa.Tsa.RootCertificatePem);
        await File.WriteAllBytesAsync(tsa.Folder.File("token.der"), Tokens.FromBuiltIn(tsa.Tsa, hash));

        OpenSsl.Result verify = await OpenSsl.RunAsync(dir, "ts", "-verify", "-digest", Convert.ToHexString(hash), "-in", "token.der", "-token_in", "-CAfile", "root.pem");

        Assert.NotEqual(0, verify.ExitCode);
    }

    [Fact]
    public void Respond_FrameworkRequest_FrameworkProcessResponseAcceptsIt()
    {
        var now = new DateTimeOffset(2026, 11, 21, 5, 0, 0, 123, TimeSpan.Zero);
        using TestTsa tsa = TestTsa.Create(new ManualTimeProvider(now));
        var request = Rfc3161TimestampRequest.CreateFromHash(Tokens.Sha256("x"), HashAlgorithmName.SHA256, nonce: new byte[] { 0x7F, 0x42 }, requestSignerCertificates: true);

        Rfc3161TimestampToken token = request.ProcessResponse(tsa.Tsa.Respond(request.Encode()), out _);

        Assert.Equal(now, token.TokenInfo.Timestamp);
        Assert.Equal(Rfc3161Labels.BuiltInTsaPolicy, token.TokenInfo.PolicyId.Value);
        Assert.True(token.VerifySignatureForHash(Tokens.Sha256("x"), HashAlgorithmName.SHA256, out X509Certificate2? signer));
        Assert.Equal(tsa.Tsa.SigningCertificate.Thumbprint, signer.Thumbprint);
    }

    [Theory]
    [InlineData("SHA384")]
    [InlineData("SHA512")]
    public void Respond_LongerSha2Imprint_IsGranted(string algorithm)
    {
        using TestTsa tsa = TestTsa.Create();
        var name = new HashAlgorithmName(algorithm);
        byte[] hash = algorithm == "SHA384" ? SHA384.HashData("x"u8) : SHA512.HashData("x"u8);
        var request = Rfc3161TimestampRequest.CreateFromHash(hash, name, requestSignerCertificates: true);

        Rfc3161TimestampToken token = request.ProcessResponse(tsa.Tsa.Respond(request.Encode()), out _);

        Assert.Equal(hash, token.TokenInfo.GetMessageHash().ToArray());
    }

    public static TheoryData<string, byte[], PkiFailureInfo> BadRequests => new()
    {
        { "garbage", [0x01, 0x02, 0x03], PkiFailureInfo.BadDataFormat },
        { "empty", [], PkiFailureInfo.BadDataFormat },
        { "trailing byte", [.. Tokens.Query(Tokens.Sha256("x")), 0x00], PkiFailureInfo.BadDataFormat },
        { "version 2", Request(version: 2), PkiFailureInfo.BadRequest },
        { "SHA-1 imprint", Request(hashOid: "1.3.14.3.2.26", hash: SHA1.HashData("x"u8)), PkiFailureInfo.BadAlg },
        { "SHA-256 imprint of 20 bytes", Request(hash: new byte[20]), PkiFailureInfo.BadDataFormat },
        { "unoffered policy", Request(policy: "1.2.3.4"), PkiFailureInfo.UnacceptedPolicy },
        { "extension", Request(withExtension: true), PkiFailureInfo.UnacceptedExtension },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Respond_BadRequest_ReturnsRejectionWithFailInfo(string probe, byte[] query, PkiFailureInfo expected)
    {
        using TestTsa tsa = TestTsa.Create();

        Rfc3161Response response = Rfc3161.DecodeResponse(tsa.Tsa.Respond(query));

        Assert.True(response.Status == PkiStatus.Rejection, probe);
        Assert.Equal(expected, response.FailureInfo);
        Assert.Null(response.TokenDer);
        Assert.False(string.IsNullOrEmpty(response.StatusText));
    }

    [Fact]
    public async Task Respond_BadRequest_OpenSslParsesTheRejection()
    {
        using TestTsa tsa = TestTsa.Create();
        await File.WriteAllBytesAsync(tsa.Folder.File("reply.tsr"), tsa.Tsa.Respond(Request(policy: "1.2.3.4")));

        OpenSsl.Result text = await OpenSsl.RunAsync(tsa.Folder.Path, "ts", "-reply", "-in", "reply.tsr", "-text");

        Assert.True(text.ExitCode == 0, text.Output);
        Assert.Contains("Status: Rejected", text.Output);
        Assert.Contains("policy is not supported", text.Output);
    }

    [Fact]
    public void Respond_RequestWithoutCertReq_OmitsTheCertificate()
    {
        using TestTsa tsa = TestTsa.Create();

        byte[] token = Tokens.FromBuiltIn(tsa.Tsa, Tokens.Sha256("x"), certReq: false);

        var cms = new SignedCms();
        cms.Decode(token);
        Assert.Empty(cms.Certificates);
    }

    [Fact]
    public void Respond_ManyRequests_SerialNumbersStrictlyIncrease()
    {
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using TestTsa tsa = TestTsa.Create(time);

        var serials = new List<System.Numerics.BigInteger>();
        for (int i = 0; i < 20; i++)
        {
            byte[] token = Tokens.FromBuiltIn(tsa.Tsa, Tokens.Sha256("x"));
            Rfc3161TimestampToken.TryDecode(token, out Rfc3161TimestampToken? decoded, out _);
            serials.Add(new System.Numerics.BigInteger(decoded!.TokenInfo.GetSerialNumber().Span, isUnsigned: false, isBigEndian: true));
            if (i == 10)
            {
                time.Now -= TimeSpan.FromSeconds(1);
            }
        }

        Assert.All(serials.Zip(serials.Skip(1)), pair => Assert.True(pair.First < pair.Second));
        Assert.All(serials, s => Assert.True(s > 0));
    }

    [Fact]
    public void Stamp_Hash_ReturnsTokenVerifiableOffline()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("epoch in process");

        TimestampToken token = tsa.Tsa.Stamp(hash);

        Assert.Equal("Provenance Built-in TSA", token.Authority);
        Assert.Equal(token.GenTime, Rfc3161TokenVerifier.Verify(token.TokenDer, hash, [tsa.Tsa.TrustAnchor], tsa.Tsa.PolicyOid).GenTime);
    }

    [Fact]
    public void Constructor_SameFolderTwice_ReusesCertificates()
    {
        using var folder = new TempFolder();
        using var first = new BuiltInTsa(new FileTsaKeyStore(folder.Path), TimeProvider.System);

        using var second = new BuiltInTsa(new FileTsaKeyStore(folder.Path), TimeProvider.System);

        Assert.Equal(first.RootCertificatePem, second.RootCertificatePem);
        Assert.Equal(first.SigningCertificatePem, second.SigningCertificatePem);
        byte[] hash = Tokens.Sha256("reused");
        Rfc3161TokenVerifier.Verify(Tokens.FromBuiltIn(second, hash), hash, [first.TrustAnchor], first.PolicyOid);
    }

    [Fact]
    public void Constructor_FreshFolder_IssuesP256SigningCertificateWithCriticalTimestampingEku()
    {
        using TestTsa tsa = TestTsa.Create();

        X509Certificate2 signing = tsa.Tsa.SigningCertificate;
        var eku = signing.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single();
        var keyUsage = signing.Extensions.OfType<X509KeyUsageExtension>().Single();
        Assert.True(eku.Critical);
        Assert.Equal([Rfc3161Labels.TimestampingEku], eku.EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, keyUsage.KeyUsages);
        Assert.Equal(tsa.Tsa.TrustAnchor.SubjectName.Name, signing.IssuerName.Name);
        Assert.Equal(256, signing.GetECDsaPublicKey()!.KeySize);
        Assert.False(signing.HasPrivateKey);
        Assert.False(tsa.Tsa.TrustAnchor.HasPrivateKey);
        Assert.DoesNotContain("PRIVATE KEY", tsa.Tsa.RootCertificatePem + tsa.Tsa.SigningCertificatePem);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Constructor_FreshFolder_WritesKeyFilesReadableByOwnerOnly()
    {
        using TestTsa tsa = TestTsa.Create();

        UnixFileMode mode = File.GetUnixFileMode(tsa.Folder.File(FileTsaKeyStore.SigningKeyFile));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode);
        Assert.Equal(tsa.Tsa.RootCertificatePem, File.ReadAllText(tsa.Folder.File(FileTsaKeyStore.RootCertificateFile)));
    }

    [Fact]
    public void Constructor_StoredSigningCertificateExpired_RenewsItUnderTheSameRoot()
    {
        using var folder = new TempFolder();
        var time = new ManualTimeProvider(DateTimeOffset.UtcNow);
        using var first = new BuiltInTsa(new FileTsaKeyStore(folder.Path), time);
        time.Now += TimeSpan.FromDays(6 * 365);

        using var renewed = new BuiltInTsa(new FileTsaKeyStore(folder.Path), time);

        Assert.Equal(first.RootCertificatePem, renewed.RootCertificatePem);
        Assert.NotEqual(first.SigningCertificatePem, renewed.SigningCertificatePem);
        Assert.True(renewed.SigningCertificate.NotAfter > time.Now.UtcDateTime);
    }

    [Fact]
    public void Constructor_PartialKeyFolder_ThrowsConfiguration()
    {
        using var folder = new TempFolder();
        new BuiltInTsa(new FileTsaKeyStore(folder.Path), TimeProvider.System).Dispose();
        File.Delete(folder.File(FileTsaKeyStore.SigningKeyFile));

        var error = Assert.Throws<TimestampException>(() => new BuiltInTsa(new FileTsaKeyStore(folder.Path), TimeProvider.System));

        Assert.Equal(TimestampFailureReason.Configuration, error.Reason);
    }

    [Fact]
    public void Constructor_CorruptCertificateFile_ThrowsConfiguration()
    {
        using var folder = new TempFolder();
        new BuiltInTsa(new FileTsaKeyStore(folder.Path), TimeProvider.System).Dispose();
        File.WriteAllText(folder.File(FileTsaKeyStore.SigningCertificateFile), "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<TimestampException>(() => new BuiltInTsa(new FileTsaKeyStore(folder.Path), TimeProvider.System));

        Assert.Equal(TimestampFailureReason.Configuration, error.Reason);
    }

    private static byte[] Request(int version = 1, string hashOid = Rfc3161Labels.Sha256, byte[]? hash = null, string? policy = null, bool withExtension = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(version);
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(hashOid);
                    writer.WriteNull();
                }

                writer.WriteOctetString(hash ?? Tokens.Sha256("x"));
            }

            if (policy is not null)
            {
                writer.WriteObjectIdentifier(policy);
            }

            writer.WriteInteger(99);
            writer.WriteBoolean(true);
            if (withExtension)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier("1.2.3.4.5.6");
                    writer.WriteOctetString([0x05, 0x00]);
                }
            }
        }

        return writer.Encode();
    }
}
