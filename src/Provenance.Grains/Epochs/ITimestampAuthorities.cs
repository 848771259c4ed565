using Provenance.Timestamping;

namespace Provenance.Grains.Epochs;

/// <summary>
/// The TSAs epochs are stamped by, and how to reach them. The default implementation is
/// <see cref="TimestampAuthorities"/> (the configured list through one <see cref="Rfc3161Client"/>); the server may
/// register its own (e.g. the built-in TSA at its own URL, with metrics).
/// </summary>
public interface ITimestampAuthorities
{
    /// <summary>Every TSA; names are unique.</summary>
    IReadOnlyList<TsaOptions> Authorities { get; }

    /// <summary>Requests and verifies a token over a 32-byte SHA-256 hash.</summary>
    /// <exception cref="TimestampException">The TSA failed, timed out, or its reply did not verify.</exception>
    Task<TimestampToken> TimestampAsync(TsaOptions tsa, ReadOnlyMemory<byte> sha256, CancellationToken cancellationToken);
}

/// <summary><see cref="ITimestampAuthorities"/> over a fixed list and an <see cref="Rfc3161Client"/>.</summary>
public sealed class TimestampAuthorities(IReadOnlyList<TsaOptions> authorities, Rfc3161Client client) : ITimestampAuthorities
{
    /// <inheritdoc/>
    public IReadOnlyList<TsaOptions> Authorities { get; } = authorities;

    /// <inheritdoc/>
    public Task<TimestampToken> TimestampAsync(TsaOptions tsa, ReadOnlyMemory<byte> sha256, CancellationToken cancellationToken) =>
        client.TimestampAsync(tsa, sha256, cancellationToken);
}
