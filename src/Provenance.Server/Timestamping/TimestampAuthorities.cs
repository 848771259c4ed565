using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Provenance.Server.Hosting;
using Provenance.Server.Metrics;
using Provenance.Timestamping;

namespace Provenance.Server.Timestamping;

/// <summary>
/// The TSAs every epoch is stamped by: <c>Provenance:Tsa:Authorities</c>, or, when none is configured, the built-in
/// TSA reached over HTTP at this server's own <c>POST /tsa</c> (so the same client path as an external TSA is exercised).
/// The built-in TSA's URL is known only once Kestrel listens, hence the lazy resolution.
/// </summary>
internal sealed class TimestampAuthorities(IOptions<ProvenanceOptions> options, BuiltInTsa builtIn, IServer server)
{
    public const string BuiltInName = "builtin";

    private IReadOnlyList<TsaOptions>? resolved;

    /// <summary>True when no external TSA is configured.</summary>
    public bool UsesBuiltIn => options.Value.Tsa.Authorities.Count == 0;

    /// <summary>The authorities; for the built-in one, valid only after the server has started listening.</summary>
    /// <exception cref="InvalidOperationException">The built-in TSA is used and the server has no address yet.</exception>
    public IReadOnlyList<TsaOptions> Get()
    {
        if (resolved is not null)
        {
            return resolved;
        }

        if (!UsesBuiltIn)
        {
            return resolved = options.Value.Tsa.Authorities.Select(a => new TsaOptions
            {
                Name = a.Name,
                Url = new Uri(a.Url, UriKind.Absolute),
                PolicyOid = string.IsNullOrWhiteSpace(a.PolicyOid) ? null : a.PolicyOid,
                TrustAnchorPaths = [.. a.TrustAnchorPaths],
                Timeout = TimeSpan.FromSeconds(a.TimeoutSeconds),
            }).ToList();
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server is not listening yet.");
        var baseUri = new Uri(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal).Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal).Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal));
        return resolved =
        [
            new TsaOptions
            {
                Name = BuiltInName,
                Url = new Uri(baseUri, "/tsa"),
                PolicyOid = builtIn.PolicyOid,
                TrustAnchorCertificates = [builtIn.TrustAnchor],
            },
        ];
    }
}

/// <summary>Stamps a hash with one TSA through <see cref="Rfc3161Client"/>, recording latency and failures in /metrics.</summary>
internal sealed class TimestampService(Rfc3161Client client, TimestampAuthorities authorities, ServerMetrics metrics, TsaStatistics statistics) : Grains.Epochs.ITimestampAuthorities
{
    public IReadOnlyList<TsaOptions> Authorities => authorities.Get();

    /// <exception cref="TimestampException">The TSA failed or its reply did not verify.</exception>
    public async Task<TimestampToken> TimestampAsync(TsaOptions tsa, ReadOnlyMemory<byte> sha256, CancellationToken cancellationToken)
    {
        var tag = new KeyValuePair<string, object?>("tsa", tsa.Name);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var token = await client.TimestampAsync(tsa, sha256, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            metrics.TsaLatency.Record(elapsed, tag);
            statistics.Record(elapsed);
            return token;
        }
        catch (TimestampException)
        {
            metrics.TsaFailures.Add(1, tag);
            statistics.Failed();
            throw;
        }
    }
}
