namespace Provenance.Timestamping;

/// <summary>
/// A verified RFC 3161 time-stamp token and the facts read from it. Keep <see cref="TokenDer"/>: it is the
/// evidence; the other members are conveniences derived from it.
/// </summary>
/// <param name="TokenDer">The <c>TimeStampToken</c> (a CMS ContentInfo) in DER, as <c>openssl ts -verify -token_in</c> reads it.</param>
/// <param name="GenTime">The TSA's <c>genTime</c>.</param>
/// <param name="SerialNumber">The TSTInfo serial number, upper-case hex of its big-endian two's-complement bytes.</param>
/// <param name="TsaName">The TSTInfo <c>tsa</c> name if present, else the signer certificate's subject.</param>
/// <param name="PolicyOid">The TSA policy under which the token was issued.</param>
/// <param name="SignerCertificates">DER certificates of the verified chain, signer first, trust anchor last.</param>
/// <param name="Authority">Configured name of the TSA that issued it (<see cref="TsaOptions.Name"/>), or <see langword="null"/> when verified offline.</param>
public sealed record TimestampToken(
    byte[] TokenDer,
    DateTimeOffset GenTime,
    string SerialNumber,
    string TsaName,
    string PolicyOid,
    IReadOnlyList<byte[]> SignerCertificates,
    string? Authority = null);
