using System.Security.Cryptography;
using Provenance.Core.Assets;

namespace Provenance.Grains.Assets;

/// <summary>Makes new asset ids (<c>ast_</c> + 26-character time-ordered base32, see <see cref="AssetIds"/>).</summary>
public interface IAssetIdGenerator
{
    /// <summary>A new id.</summary>
    string NewId();
}

/// <summary>Source of random bytes, injected so that tests are deterministic.</summary>
public interface IRandomSource
{
    /// <summary>Fills <paramref name="buffer"/> with random bytes.</summary>
    void Fill(Span<byte> buffer);
}

/// <summary>Cryptographically strong random bytes.</summary>
public sealed class CryptoRandomSource : IRandomSource
{
    /// <inheritdoc/>
    public void Fill(Span<byte> buffer) => RandomNumberGenerator.Fill(buffer);
}

/// <summary>Ids from the injected clock and random source.</summary>
public sealed class AssetIdGenerator(TimeProvider time, IRandomSource random) : IAssetIdGenerator
{
    /// <inheritdoc/>
    public string NewId()
    {
        Span<byte> bytes = stackalloc byte[AssetIds.RandomBytes];
        random.Fill(bytes);
        return AssetIds.Format(time.GetUtcNow().ToUnixTimeMilliseconds(), bytes);
    }
}

/// <summary>Registration with a generated id when the request names none.</summary>
public static class AssetRegistration
{
    /// <summary>Registers <paramref name="request"/> under its id, or under a new id from <paramref name="ids"/>.</summary>
    /// <exception cref="ValidationFailedException">The requested id is malformed.</exception>
    public static Task<Core.Contracts.AssetDto> RegisterAsync(
        this Orleans.IGrainFactory grains, IAssetIdGenerator ids, CallerContext caller, Core.Contracts.RegisterAssetRequest request)
    {
        ArgumentNullException.ThrowIfNull(grains);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(request);
        var id = request.AssetId ?? ids.NewId();
        AssetIds.EnsureValid(id);
        return grains.GetGrain<IAssetGrain>(id).RegisterAsync(caller, request with { AssetId = id });
    }
}
