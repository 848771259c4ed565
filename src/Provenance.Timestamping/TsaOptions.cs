using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Provenance.Timestamping;

/// <summary>
/// One external (or the built-in) TSA. Settable properties so it binds from configuration
/// (e.g. <c>Timestamping:Authorities:0:Url</c>).
/// </summary>
public sealed class TsaOptions
{
    /// <summary>Stable display name, recorded with every token (e.g. <c>freetsa</c>). Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>Absolute http(s) URL accepting <c>application/timestamp-query</c> POSTs. Required.</summary>
    public Uri? Url { get; set; }

    /// <summary>Per-request deadline, connection included. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Policy OID to request and to require in the token; <see langword="null"/> accepts the TSA's default.</summary>
    public string? PolicyOid { get; set; }

    /// <summary>PEM or DER files holding the root certificates the TSA's signer must chain to.</summary>
    public IList<string> TrustAnchorPaths { get; set; } = [];

    /// <summary>Trust anchors given in code (e.g. <see cref="BuiltInTsa.TrustAnchor"/>); combined with <see cref="TrustAnchorPaths"/>.</summary>
    public IList<X509Certificate2> TrustAnchorCertificates { get; set; } = [];

    /// <summary>Checks the options and loads the trust anchors.</summary>
    /// <returns>Every anchor from <see cref="TrustAnchorCertificates"/> and <see cref="TrustAnchorPaths"/>; never empty.</returns>
    /// <exception cref="TimestampException"><see cref="TimestampFailureReason.Configuration"/>: missing name or URL,
    /// non-positive timeout, an unreadable anchor file, or no anchor at all.</exception>
    public IReadOnlyCollection<X509Certificate2> ResolveTrustAnchors()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            throw Invalid("TSA options need a Name.");
        }

        if (Url is null || !Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw Invalid($"TSA '{Name}' needs an absolute http(s) Url.");
        }

        if (Timeout <= TimeSpan.Zero)
        {
            throw Invalid($"TSA '{Name}' needs a positive Timeout.");
        }

        var anchors = new List<X509Certificate2>(TrustAnchorCertificates);
        foreach (string path in TrustAnchorPaths)
        {
            try
            {
                anchors.AddRange(AnchorFiles.Load(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new TimestampException(
                    TimestampFailureReason.Configuration, $"TSA '{Name}': cannot read trust anchor file '{path}'.", e) { Authority = Name };
            }
        }

        if (anchors.Count == 0)
        {
            throw Invalid($"TSA '{Name}' has no trust anchors; set TrustAnchorPaths or TrustAnchorCertificates.");
        }

        return anchors;
    }

    private TimestampException Invalid(string message) =>
        new(TimestampFailureReason.Configuration, message) { Authority = Name };
}

/// <summary>
/// Parsed trust anchor files, reused while a file's size and last-write time stay the same. Every verification resolves
/// the anchors of each TSA it checks; re-reading and parsing the PEM each time was most of a verification's cost with
/// file anchors. A replaced file is read again on the next call (one stat per file and call), so a rotated root takes
/// effect as before, without a restart.
/// </summary>
internal static class AnchorFiles
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Entry> Loaded = new(StringComparer.Ordinal);

    public static IReadOnlyList<X509Certificate2> Load(string path)
    {
        var full = Path.GetFullPath(path);
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"Trust anchor file '{path}' does not exist.", path);
        }

        var stamp = (info.Length, info.LastWriteTimeUtc);
        if (Loaded.TryGetValue(full, out var entry) && entry.Stamp == stamp)
        {
            return entry.Certificates;
        }

        var collection = new X509Certificate2Collection();
        string text = File.ReadAllText(full);
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            collection.ImportFromPem(text);
        }
        else
        {
            collection.Add(X509CertificateLoader.LoadCertificateFromFile(full));
        }

        X509Certificate2[] certificates = [.. collection];
        Loaded[full] = new Entry(stamp, certificates);
        return certificates;
    }

    private sealed record Entry((long Length, DateTime LastWriteUtc) Stamp, X509Certificate2[] Certificates);
}

/// <summary>The <c>Timestamping</c> configuration section: every TSA an epoch is stamped by.</summary>
public sealed class TimestampingOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Timestamping";

    /// <summary>External TSAs; each epoch gets one token per entry.</summary>
    public IList<TsaOptions> Authorities { get; set; } = [];
}
