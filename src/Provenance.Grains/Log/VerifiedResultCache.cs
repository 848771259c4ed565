using System.Collections.Concurrent;

namespace Provenance.Grains.Log;

/// <summary>
/// Remembers checks that passed over immutable inputs (an epoch's signed checkpoint, a TSA token over it), keyed by the
/// exact bytes that were checked and everything the outcome depends on, so POST /v1/verify need not repeat the same
/// signature and certificate-chain work for every asset of an epoch. Only passes are kept: a failure is re-checked every
/// time. The whole cache is dropped when the generation object changes (the log key ring was reloaded), and when
/// it grows past <see cref="VerifiedResultCache{TKey}.MaxEntries"/>.
/// </summary>
internal sealed class VerifiedResultCache : VerifiedResultCache<string>
{
    /// <summary>A cache of at most <see cref="VerifiedResultCache{TKey}.DefaultMaxEntries"/> passes keyed by ordinal strings.</summary>
    public VerifiedResultCache()
        : base(DefaultMaxEntries, StringComparer.Ordinal)
    {
    }
}

/// <summary>
/// <see cref="VerifiedResultCache"/> over any key (e.g. a digest of the checked bytes): passes only, dropped as a whole
/// when the generation object changes or when it grows past <see cref="MaxEntries"/>. Thread-safe.
/// </summary>
/// <typeparam name="TKey">The key: must identify the checked bytes and every other input of the check exactly.</typeparam>
internal class VerifiedResultCache<TKey>
    where TKey : notnull
{
    /// <summary>Default bound on remembered passes (a few per epoch are needed).</summary>
    public const int DefaultMaxEntries = 4096;

    private readonly ConcurrentDictionary<TKey, string> passes;
    private object? generation;

    /// <summary>A cache of at most <paramref name="maxEntries"/> (at least 1) passes.</summary>
    public VerifiedResultCache(int maxEntries, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        MaxEntries = maxEntries;
        passes = new ConcurrentDictionary<TKey, string>(comparer);
    }

    /// <summary>Bound on remembered passes; reaching it drops them all.</summary>
    public int MaxEntries { get; }

    /// <summary>The detail of a remembered pass of <paramref name="key"/>, or runs <paramref name="verify"/> (which throws on failure) and remembers its detail.</summary>
    public string GetOrVerify(object generation, TKey key, Func<string> verify)
    {
        if (TryGetPass(generation, key, out var detail))
        {
            return detail;
        }

        detail = verify();
        RememberPass(generation, key, detail);
        return detail;
    }

    /// <summary>The detail of a pass of <paramref name="key"/> remembered under <paramref name="generation"/>; false when none (check it).</summary>
    public bool TryGetPass(object generation, TKey key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? detail)
    {
        EnsureGeneration(generation);
        return passes.TryGetValue(key, out detail);
    }

    /// <summary>Remembers that the check of <paramref name="key"/> passed under <paramref name="generation"/>. Call only for passes.</summary>
    public void RememberPass(object generation, TKey key, string detail)
    {
        // Under the lock that switches generations: a pass checked under an older generation (a key ring since
        // reloaded) must never land in the newer one's cache. Only misses get here, so the lock is cheap.
        lock (passes)
        {
            if (!ReferenceEquals(this.generation, generation))
            {
                return;
            }

            if (passes.Count >= MaxEntries)
            {
                passes.Clear();
            }

            passes[key] = detail;
        }
    }

    private void EnsureGeneration(object generation)
    {
        if (!ReferenceEquals(Volatile.Read(ref this.generation), generation))
        {
            lock (passes)
            {
                if (!ReferenceEquals(this.generation, generation))
                {
                    passes.Clear();
                    Volatile.Write(ref this.generation, generation);
                }
            }
        }
    }
}
