using System.Formats.Asn1;

namespace Provenance.Core.Evidence;

/// <summary>
/// The fields of an RFC 3161 TimeStampToken that a bundle check needs without trusting it: the message
/// imprint (section 2.4.2, <c>TSTInfo.messageImprint</c>) and <c>genTime</c>. Reads only; signature and chain
/// checks belong to an <see cref="ITimestampTokenVerifier"/>.
/// </summary>
/// <param name="HashAlgorithmOid">OID of the imprint's hash algorithm (SHA-256 is 2.16.840.1.101.3.4.2.1).</param>
public sealed record Rfc3161TokenInfo(string HashAlgorithmOid, byte[] MessageImprint, string PolicyOid, DateTimeOffset GenTime)
{
    /// <summary>OID of SHA-256 (RFC 5758 section 2).</summary>
    public const string Sha256Oid = "2.16.840.1.101.3.4.2.1";

    private const string SignedDataOid = "1.2.840.113549.1.7.2";
    private const string TstInfoOid = "1.2.840.113549.1.9.16.1.4";

    /// <summary>Reads the TSTInfo of a token: ContentInfo (RFC 5652 section 3) → SignedData → encapContentInfo → TSTInfo.</summary>
    /// <exception cref="FormatException">The bytes are not a DER TimeStampToken.</exception>
    public static Rfc3161TokenInfo Read(ReadOnlyMemory<byte> tokenDer)
    {
        try
        {
            var contentInfo = new AsnReader(tokenDer, AsnEncodingRules.BER).ReadSequence();
            if (contentInfo.ReadObjectIdentifier() != SignedDataOid)
            {
                throw new FormatException("The token is not CMS SignedData.");
            }

            var signedData = contentInfo.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadSequence();
            signedData.ReadInteger();
            signedData.ReadSetOf();
            var encap = signedData.ReadSequence();
            if (encap.ReadObjectIdentifier() != TstInfoOid)
            {
                throw new FormatException("The token's content is not a TSTInfo.");
            }

            var eContent = encap.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0, true)).ReadOctetString();
            var tst = new AsnReader(eContent, AsnEncodingRules.DER).ReadSequence();
            tst.ReadInteger();
            var policy = tst.ReadObjectIdentifier();
            var imprint = tst.ReadSequence();
            var algorithm = imprint.ReadSequence().ReadObjectIdentifier();
            var hashed = imprint.ReadOctetString();
            tst.ReadInteger();
            var genTime = tst.ReadGeneralizedTime();
            return new Rfc3161TokenInfo(algorithm, hashed, policy, genTime);
        }
        catch (AsnContentException e)
        {
            throw new FormatException("The token is not a DER RFC 3161 TimeStampToken.", e);
        }
    }
}
