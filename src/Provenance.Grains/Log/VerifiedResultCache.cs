using System.Collections.Concurrent;

namespace Provenance.Grains.Log;

/// <summary>
/// Remembers checks that passed over immutable inputs (an epoch's signed checkpoint, a TSA token over it), keyed by the
/// exact bytes that were checked and everything the outcome depends on, so POST /v1/verify need not repeat the same
/// signature and certificate-chain work for every asset of an epoch. Only passes are kept: a failure is re-checked every
/// time. The whole cache is dropped when the generation object changes (the log key ring was reloaded), and when
/// it grows past <see cref="MaxEntries"/>.
/// </summary>
internal sealed class VerifiedResultCache
{
    /// <summary>Bound on remembered passes (a few per epoch are needed).</summary>
    public const int MaxEntries = 4096;

    private readonly ConcurrentDictionary<string, string> passes = new(StringComparer.Ordinal);
    private object? generation;

    /// <summary>The detail of a remembered pass of <paramref name="key"/>, or runs <paramref name="verify"/> (which throws on failure) and remembers its detail.</summary>
    public string GetOrVerify(object generation, string key, Func<string> verify)
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

        if (passes.TryGetValue(key, out var detail))
        {
            return detail;
        }

        detail = verify();
        if (passes.Count >= MaxEntries)
        {
            passes.Clear();
        }

        passes[key] = detail;
        return detail;
    }
}
