using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Provenance.Core.Signing;

/// <summary>
/// One P-256 key as a small pool of <see cref="ECDsa"/> instances: creating one per operation is costly,
/// and one instance is not documented as safe for concurrent use, so each caller rents its own.
/// </summary>
internal sealed class EcdsaP256
{
    internal const string P256Oid = "1.2.840.10045.3.1.7";
    internal const int CoordinateLength = 32;
    internal const int SignatureLength = 64;

    private readonly ECParameters _parameters;
    private readonly ConcurrentBag<ECDsa> _pool = [];

    private EcdsaP256(ECParameters parameters, ECDsa first)
    {
        _parameters = parameters;
        _pool.Add(first);
        X = parameters.Q.X!;
        Y = parameters.Q.Y!;
    }

    public bool HasPrivateKey => _parameters.D is not null;

    public byte[] X { get; }

    public byte[] Y { get; }

    /// <summary>Imports and validates parameters (curve must be P-256; the point must be on it).</summary>
    /// <exception cref="InvalidKeyException">Not a valid P-256 key.</exception>
    public static EcdsaP256 Import(ECParameters parameters)
    {
        ECDsa? ecdsa = null;
        try
        {
            ecdsa = ECDsa.Create();
            ecdsa.ImportParameters(parameters);
            return FromInstance(ecdsa, parameters.D is not null);
        }
        catch (CryptographicException e)
        {
            ecdsa?.Dispose();
            throw new InvalidKeyException("The key is not a valid ECDSA P-256 key.", e);
        }
    }

    /// <summary>Takes ownership of <paramref name="ecdsa"/>.</summary>
    /// <exception cref="InvalidKeyException">Not a P-256 key.</exception>
    public static EcdsaP256 FromInstance(ECDsa ecdsa, bool includePrivate)
    {
        var parameters = ecdsa.ExportParameters(includePrivate);
        if (parameters.Curve.Oid?.Value != P256Oid)
        {
            ecdsa.Dispose();
            throw new InvalidKeyException($"The key is on curve '{parameters.Curve.Oid?.FriendlyName ?? parameters.Curve.Oid?.Value ?? "explicit"}'; only P-256 is accepted.");
        }

        return new EcdsaP256(parameters, ecdsa);
    }

    public ECDsa Rent()
    {
        if (_pool.TryTake(out var ecdsa))
        {
            return ecdsa;
        }

        ecdsa = ECDsa.Create();
        ecdsa.ImportParameters(_parameters);
        return ecdsa;
    }

    public void Return(ECDsa ecdsa) => _pool.Add(ecdsa);

    public void Sign(ReadOnlySpan<byte> data, Span<byte> signature)
    {
        var ecdsa = Rent();
        try
        {
            if (!ecdsa.TrySignData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation, out var written)
                || written != SignatureLength)
            {
                throw new CryptographicException("ECDSA P-256 did not produce a 64-byte signature.");
            }
        }
        finally
        {
            Return(ecdsa);
        }
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength)
        {
            return false;
        }

        var ecdsa = Rent();
        try
        {
            return ecdsa.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
        finally
        {
            Return(ecdsa);
        }
    }

    public string ExportSpkiPem()
    {
        var ecdsa = Rent();
        try
        {
            return ecdsa.ExportSubjectPublicKeyInfoPem();
        }
        finally
        {
            Return(ecdsa);
        }
    }

    public string ExportPkcs8Pem()
    {
        var ecdsa = Rent();
        try
        {
            return ecdsa.ExportPkcs8PrivateKeyPem();
        }
        finally
        {
            Return(ecdsa);
        }
    }
}
