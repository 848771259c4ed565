using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography.X509Certificates;

namespace Provenance.Timestamping;

/// <summary>A decoded <c>TimeStampReq</c> (RFC 3161 section 2.4.1).</summary>
/// <param name="Version">Must be 1.</param>
/// <param name="MessageImprintDer">The whole <c>MessageImprint</c> element, echoed verbatim into TSTInfo.</param>
/// <param name="HashAlgorithmOid">The imprint's hash algorithm.</param>
/// <param name="HashAlgorithmParametersValid">Parameters absent or NULL, as RFC 5754 requires for SHA-2.</param>
/// <param name="HashedMessage">The imprint's hash value.</param>
/// <param name="ReqPolicy">Requested policy, if any.</param>
/// <param name="Nonce">INTEGER content octets of the nonce, if any.</param>
/// <param name="CertReq">Whether the signer certificate must be included.</param>
/// <param name="HasExtensions">Whether request extensions were present.</param>
internal sealed record Rfc3161Request(
    BigInteger Version,
    ReadOnlyMemory<byte> MessageImprintDer,
    string HashAlgorithmOid,
    bool HashAlgorithmParametersValid,
    ReadOnlyMemory<byte> HashedMessage,
    string? ReqPolicy,
    ReadOnlyMemory<byte>? Nonce,
    bool CertReq,
    bool HasExtensions);

/// <summary>A decoded <c>TimeStampResp</c> (RFC 3161 section 2.4.2).</summary>
internal sealed record Rfc3161Response(PkiStatus Status, string? StatusText, PkiFailureInfo FailureInfo, byte[]? TokenDer);

/// <summary>
/// DER codec for the RFC 3161 structures the framework does not expose: decoding <c>TimeStampReq</c> and
/// <c>TimeStampResp</c>, encoding <c>TSTInfo</c> and <c>TimeStampResp</c>. Every reader runs under DER rules,
/// so non-canonical input throws <see cref="AsnContentException"/>.
/// </summary>
internal static class Rfc3161
{
    private static readonly Asn1Tag ExtensionsTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag TsaNameTag = new(TagClass.ContextSpecific, 0, isConstructed: true);
    private static readonly Asn1Tag DirectoryNameTag = new(TagClass.ContextSpecific, 4, isConstructed: true);
    private static readonly Asn1Tag MillisTag = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag MicrosTag = new(TagClass.ContextSpecific, 1);

    /// <summary>Decodes a <c>TimeStampReq</c> (section 2.4.1); trailing bytes are an error.</summary>
    /// <exception cref="AsnContentException">The input is not DER of that structure.</exception>
    public static Rfc3161Request DecodeRequest(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        AsnReader request = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        BigInteger version = request.ReadInteger();
        ReadOnlyMemory<byte> imprintDer = request.PeekEncodedValue();
        AsnReader imprint = request.ReadSequence();
        AsnReader algorithm = imprint.ReadSequence();
        string hashOid = algorithm.ReadObjectIdentifier();
        bool parametersValid = true;
        if (algorithm.HasData)
        {
            algorithm.ReadNull();
            parametersValid = !algorithm.HasData;
        }

        ReadOnlyMemory<byte> hash = imprint.ReadOctetString();
        imprint.ThrowIfNotEmpty();

        string? policy = null;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
        {
            policy = request.ReadObjectIdentifier();
        }

        ReadOnlyMemory<byte>? nonce = null;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            nonce = request.ReadIntegerBytes();
        }

        bool certReq = false;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
        {
            certReq = request.ReadBoolean();
        }

        bool hasExtensions = false;
        if (request.HasData && request.PeekTag().HasSameClassAndValue(ExtensionsTag))
        {
            request.ReadSequence(ExtensionsTag);
            hasExtensions = true;
        }

        request.ThrowIfNotEmpty();
        return new Rfc3161Request(version, imprintDer, hashOid, parametersValid, hash, policy, nonce, certReq, hasExtensions);
    }

    /// <summary>
    /// Encodes a <c>TSTInfo</c> (section 2.4.2) with version 1 and ordering absent (false).
    /// </summary>
    /// <param name="policyOid">TSA policy.</param>
    /// <param name="messageImprintDer">The request's <c>MessageImprint</c>, echoed verbatim.</param>
    /// <param name="serialNumber">Positive, unique per TSA.</param>
    /// <param name="genTime">Encoded as GeneralizedTime in UTC with fractional seconds, trailing zeros dropped (DER).</param>
    /// <param name="accuracy">Optional; whole seconds, millis and micros are taken from it.</param>
    /// <param name="nonce">The request's nonce INTEGER content octets, echoed, if any.</param>
    /// <param name="tsaName">Optional <c>tsa</c> field as a directoryName.</param>
    public static byte[] EncodeTstInfo(
        string policyOid,
        ReadOnlyMemory<byte> messageImprintDer,
        BigInteger serialNumber,
        DateTimeOffset genTime,
        TimeSpan? accuracy,
        ReadOnlyMemory<byte>? nonce,
        X500DistinguishedName? tsaName)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            writer.WriteObjectIdentifier(policyOid);
            writer.WriteEncodedValue(messageImprintDer.Span);
            writer.WriteInteger(serialNumber);
            writer.WriteGeneralizedTime(genTime.ToUniversalTime(), omitFractionalSeconds: false);
            if (accuracy is { } a && a > TimeSpan.Zero)
            {
                WriteAccuracy(writer, a);
            }

            if (nonce is { } n)
            {
                writer.WriteInteger(n.Span);
            }

            if (tsaName is not null)
            {
                using (writer.PushSequence(TsaNameTag))
                using (writer.PushSequence(DirectoryNameTag))
                {
                    writer.WriteEncodedValue(tsaName.RawData);
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>Encodes a <c>TimeStampResp</c> (section 2.4.2).</summary>
    /// <param name="status">PKIStatus.</param>
    /// <param name="statusText">Optional PKIFreeText (one UTF8String).</param>
    /// <param name="failureInfo">PKIFailureInfo; omitted when <see cref="PkiFailureInfo.None"/>.</param>
    /// <param name="tokenDer">The TimeStampToken; required with granted status, absent otherwise.</param>
    public static byte[] EncodeResponse(PkiStatus status, string? statusText, PkiFailureInfo failureInfo, byte[]? tokenDer)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence())
            {
                writer.WriteInteger((int)status);
                if (statusText is not null)
                {
                    using (writer.PushSequence())
                    {
                        writer.WriteCharacterString(UniversalTagNumber.UTF8String, statusText);
                    }
                }

                if (failureInfo != PkiFailureInfo.None)
                {
                    writer.WriteNamedBitList(failureInfo);
                }
            }

            if (tokenDer is not null)
            {
                writer.WriteEncodedValue(tokenDer);
            }
        }

        return writer.Encode();
    }

    /// <summary>Decodes a <c>TimeStampResp</c> (section 2.4.2); the token is returned undecoded.</summary>
    /// <exception cref="AsnContentException">The input is not BER of that structure, or has trailing bytes.</exception>
    public static Rfc3161Response DecodeResponse(ReadOnlyMemory<byte> der)
    {
        // BER, not DER: the outer envelope is not signed, and real TSAs are not always canonical there.
        var outer = new AsnReader(der, AsnEncodingRules.BER);
        AsnReader response = outer.ReadSequence();
        outer.ThrowIfNotEmpty();

        AsnReader statusInfo = response.ReadSequence();
        if (!statusInfo.TryReadInt32(out int status))
        {
            throw new AsnContentException("PKIStatus is out of range.");
        }

        string? text = null;
        if (statusInfo.HasData && statusInfo.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            AsnReader freeText = statusInfo.ReadSequence();
            var parts = new List<string>();
            while (freeText.HasData)
            {
                parts.Add(freeText.ReadCharacterString(UniversalTagNumber.UTF8String));
            }

            text = string.Join("; ", parts);
        }

        PkiFailureInfo failure = PkiFailureInfo.None;
        if (statusInfo.HasData)
        {
            failure = statusInfo.ReadNamedBitListValue<PkiFailureInfo>();
        }

        statusInfo.ThrowIfNotEmpty();

        byte[]? token = response.HasData ? response.ReadEncodedValue().ToArray() : null;
        response.ThrowIfNotEmpty();
        return new Rfc3161Response((PkiStatus)status, text, failure, token);
    }

    /// <summary>
    /// Reads a <c>GeneralName</c> for display: a directoryName as its distinguished name, any other choice as
    /// <see langword="null"/>.
    /// </summary>
    public static string? DescribeGeneralName(ReadOnlyMemory<byte> generalNameDer)
    {
        try
        {
            var reader = new AsnReader(generalNameDer, AsnEncodingRules.DER);
            if (!reader.PeekTag().HasSameClassAndValue(DirectoryNameTag))
            {
                return null;
            }

            AsnReader inner = reader.ReadSequence(DirectoryNameTag);
            return new X500DistinguishedName(inner.ReadEncodedValue().Span).Name;
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    private static void WriteAccuracy(AsnWriter writer, TimeSpan accuracy)
    {
        long totalMicros = accuracy.Ticks / TimeSpan.TicksPerMicrosecond;
        long seconds = totalMicros / 1_000_000;
        int millis = (int)(totalMicros / 1000 % 1000);
        int micros = (int)(totalMicros % 1000);
        using (writer.PushSequence())
        {
            if (seconds > 0)
            {
                writer.WriteInteger(seconds);
            }

            if (millis > 0)
            {
                writer.WriteInteger(millis, MillisTag);
            }

            if (micros > 0)
            {
                writer.WriteInteger(micros, MicrosTag);
            }
        }
    }
}

/// <summary>ESS signing-certificate-v2 attribute (RFC 5035 section 3), which binds the signer certificate into the signature.</summary>
internal static class Rfc5035
{
    private static readonly Asn1Tag DirectoryNameTag = new(TagClass.ContextSpecific, 4, isConstructed: true);

    /// <summary>
    /// Encodes <c>SigningCertificateV2</c> with one <c>ESSCertIDv2</c>: SHA-256 hash (the DEFAULT, hence omitted)
    /// of the certificate and its <c>issuerSerial</c>.
    /// </summary>
    public static byte[] EncodeSigningCertificateV2(X509Certificate2 certificate)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        using (writer.PushSequence())
        using (writer.PushSequence())
        {
            writer.WriteOctetString(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));
            using (writer.PushSequence())
            {
                using (writer.PushSequence())
                using (writer.PushSequence(DirectoryNameTag))
                {
                    writer.WriteEncodedValue(certificate.IssuerName.RawData);
                }

                writer.WriteInteger(certificate.SerialNumberBytes.Span);
            }
        }

        return writer.Encode();
    }
}
