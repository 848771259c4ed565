using System.Security.Cryptography.Pkcs;
using Provenance.Timestamping.Tests.TestSupport;

namespace Provenance.Timestamping.Tests;

public sealed class Rfc3161TokenVerifierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 4, 30, 15, 250, TimeSpan.Zero);

    [Fact]
    public void Verify_BuiltInToken_ReturnsItsFacts()
    {
        using TestTsa tsa = TestTsa.Create(new ManualTimeProvider(Now));
        byte[] hash = Tokens.Sha256("checkpoint");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        TimestampToken token = Rfc3161TokenVerifier.Verify(tokenDer, hash, [tsa.Tsa.TrustAnchor], Rfc3161Labels.BuiltInTsaPolicy);

        Assert.Equal(tokenDer, token.TokenDer);
        Assert.Equal(Now, token.GenTime);
        Assert.Equal(Rfc3161Labels.BuiltInTsaPolicy, token.PolicyOid);
        Assert.Equal(tsa.Tsa.SigningCertificate.Subject, token.TsaName);
        Assert.Matches("^[0-9A-F]+$", token.SerialNumber);
        Assert.Equal([tsa.Tsa.SigningCertificate.RawData, tsa.Tsa.TrustAnchor.RawData], token.SignerCertificates);
        Assert.Null(token.Authority);
    }

    [Fact]
    public void Verify_FlippedSignatureByte_ThrowsBadSignature()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var error = Assert.Throws<TimestampException>(() =>
            Rfc3161TokenVerifier.Verify(Tokens.Flip(tokenDer, tokenDer.Length - 1), hash, [tsa.Tsa.TrustAnchor], null));

        Assert.Equal(TimestampFailureReason.BadSignature, error.Reason);
    }

    [Fact]
    public void Verify_FlippedTstInfoSerialByte_ThrowsBadSignature()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);
        Rfc3161TimestampToken.TryDecode(tokenDer, out Rfc3161TimestampToken? decoded, out _);
        int serialAt = tokenDer.AsSpan().IndexOf(decoded!.TokenInfo.GetSerialNumber().Span);

        var error = Assert.Throws<TimestampException>(() =>
            Rfc3161TokenVerifier.Verify(Tokens.Flip(tokenDer, serialAt + 3), hash, [tsa.Tsa.TrustAnchor], null));

        Assert.True(serialAt > 0);
        Assert.Equal(TimestampFailureReason.BadSignature, error.Reason);
    }

    [Fact]
    public void Verify_EveryFlippedByte_IsRejected()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var accepted = new List<int>();
        for (int i = 0; i < tokenDer.Length; i++)
        {
            try
            {
                Rfc3161TokenVerifier.Verify(Tokens.Flip(tokenDer, i), hash, [tsa.Tsa.TrustAnchor], null);
                accepted.Add(i);
            }
            catch (TimestampException)
            {
            }
        }

        Assert.Empty(accepted);
    }

    public static TheoryData<string, Func<byte[], byte[]>> StructuralProbes => new()
    {
        { "trailing garbage", token => [.. token, 0x00] },
        { "truncated", token => token[..^10] },
        { "empty", _ => [] },
        { "not DER", _ => [0x30, 0x03, 0x02, 0x01] },
    };

    [Theory]
    [MemberData(nameof(StructuralProbes))]
    public void Verify_StructurallyBrokenToken_ThrowsMalformed(string probe, Func<byte[], byte[]> damage)
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var error = Assert.Throws<TimestampException>(() => Rfc3161TokenVerifier.Verify(damage(tokenDer), hash, [tsa.Tsa.TrustAnchor], null));

        Assert.True(error.Reason == TimestampFailureReason.Malformed, $"{probe}: {error.Reason}");
    }

    [Fact]
    public void Verify_OtherHash_ThrowsImprintMismatch()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, Tokens.Sha256("x"));

        var error = Assert.Throws<TimestampException>(() =>
            Rfc3161TokenVerifier.Verify(tokenDer, Tokens.Sha256("y"), [tsa.Tsa.TrustAnchor], null));

        Assert.Equal(TimestampFailureReason.ImprintMismatch, error.Reason);
    }

    [Fact]
    public void Verify_OtherPolicy_ThrowsPolicyMismatch()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var error = Assert.Throws<TimestampException>(() => Rfc3161TokenVerifier.Verify(tokenDer, hash, [tsa.Tsa.TrustAnchor], "1.2.3.4"));

        Assert.Equal(TimestampFailureReason.PolicyMismatch, error.Reason);
    }

    [Fact]
    public void Verify_AnotherTsasAnchor_ThrowsUntrustedSigner()
    {
        using TestTsa tsa = TestTsa.Create();
        using TestTsa stranger = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var error = Assert.Throws<TimestampException>(() => Rfc3161TokenVerifier.Verify(tokenDer, hash, [stranger.Tsa.TrustAnchor], null));

        Assert.Equal(TimestampFailureReason.UntrustedSigner, error.Reason);
    }

    [Fact]
    public void Verify_TokenWithoutSignerCertificate_ThrowsUntrustedSigner()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash, certReq: false);

        var error = Assert.Throws<TimestampException>(() => Rfc3161TokenVerifier.Verify(tokenDer, hash, [tsa.Tsa.TrustAnchor], null));

        Assert.Equal(TimestampFailureReason.UntrustedSigner, error.Reason);
    }

    [Fact]
    public void Verify_SignerWithoutTimestampingEku_ThrowsMissingTimestampingEku()
    {
        using TestTsa tsa = TestTsa.Create(withTimestampingEku: false);
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var error = Assert.Throws<TimestampException>(() => Rfc3161TokenVerifier.Verify(tokenDer, hash, [tsa.Tsa.TrustAnchor], null));

        Assert.Equal(TimestampFailureReason.MissingTimestampingEku, error.Reason);
    }

    [Fact]
    public void Verify_GenTimeBeforeSignerValidity_ThrowsGenTimeOutsideValidity()
    {
        var time = new ManualTimeProvider(Now);
        using TestTsa tsa = TestTsa.Create(time);
        time.Now = Now.AddDays(-1);
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        var error = Assert.Throws<TimestampException>(() => Rfc3161TokenVerifier.Verify(tokenDer, hash, [tsa.Tsa.TrustAnchor], null));

        Assert.Equal(TimestampFailureReason.GenTimeOutsideValidity, error.Reason);
    }

    [Fact]
    public void Verify_HashNot32Bytes_ThrowsArgumentException()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, Tokens.Sha256("x"));

        Assert.Throws<ArgumentException>(() => Rfc3161TokenVerifier.Verify(tokenDer, new byte[20], [tsa.Tsa.TrustAnchor], null));
    }

    [Fact]
    public void Verify_NoTrustAnchors_ThrowsArgumentException()
    {
        using TestTsa tsa = TestTsa.Create();
        byte[] hash = Tokens.Sha256("x");
        byte[] tokenDer = Tokens.FromBuiltIn(tsa.Tsa, hash);

        Assert.Throws<ArgumentException>(() => Rfc3161TokenVerifier.Verify(tokenDer, hash, [], null));
    }
}
