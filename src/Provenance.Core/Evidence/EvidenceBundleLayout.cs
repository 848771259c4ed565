namespace Provenance.Core.Evidence;

/// <summary>File names and the format label of an evidence bundle (docs/evidence-bundle.md), in one place.</summary>
public static class EvidenceBundleLayout
{
    /// <summary><c>format</c> of a version-1 bundle index.</summary>
    public const string FormatV1 = "provenance.evidence/v1";

    /// <summary><c>checkpointFormat</c> of the index: the six-line checkpoint text of docs/epochs.md (<see cref="Epochs.Checkpoint"/>).</summary>
    public const string CheckpointFormatV1 = "provenance.checkpoint/v1";

    /// <summary>Media type of a bundle.</summary>
    public const string MediaType = "application/zip";

    public const string Index = "bundle.json";
    public const string Readme = "README.md";
    public const string Manifest = "manifest.json";
    public const string ManifestJws = "manifest.jws";
    public const string SignerKeyPem = "signer-key.pem";
    public const string SignerKeyJwk = "signer-key.jwk";
    public const string Lineage = "lineage.json";
    public const string InclusionProof = "inclusion-proof.json";
    public const string Checkpoint = "checkpoint.txt";
    public const string CheckpointJws = "checkpoint.jws";
    public const string LogKeyPem = "log-key.pem";
    public const string LogKeyJwk = "log-key.jwk";
    public const string TimestampsFolder = "timestamps/";

    /// <summary>Path of a TSA's token: <c>timestamps/&lt;name&gt;.tsr</c>.</summary>
    public static string TokenPath(string tsa) => $"{TimestampsFolder}{SafeName(tsa)}.tsr";

    /// <summary>Path of a TSA's certificate chain: <c>timestamps/&lt;name&gt;-chain.pem</c>.</summary>
    public static string ChainPath(string tsa) => $"{TimestampsFolder}{SafeName(tsa)}-chain.pem";

    /// <summary>A TSA name made safe as a file name: characters outside <c>[A-Za-z0-9._-]</c> become <c>-</c>.</summary>
    public static string SafeName(string tsa)
    {
        ArgumentException.ThrowIfNullOrEmpty(tsa);
        var chars = tsa.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                chars[i] = '-';
            }
        }

        var name = new string(chars);
        return name.Trim('.').Length == 0 ? "tsa" : name;
    }
}
