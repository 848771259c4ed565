using System.Collections.Immutable;

namespace Provenance.Core.Signing;

/// <summary>Lifecycle of a signing key. Allowed changes: Active to Retired or Revoked, Retired to Revoked; Revoked is final.</summary>
public enum KeyStatus
{
    /// <summary>Signs new content; at most one key is active. Verifies.</summary>
    Active,
    /// <summary>No longer signs, still verifies what it signed.</summary>
    Retired,
    /// <summary>Compromised or withdrawn: nothing it signed verifies.</summary>
    Revoked,
}

/// <summary>One key in a <see cref="KeyRing"/>.</summary>
/// <param name="Key">The public key.</param>
/// <param name="Status">Its status.</param>
/// <param name="Signer">The private key, when the ring can sign with it.</param>
public sealed record KeyRingEntry(VerificationKey Key, KeyStatus Status, SigningKey? Signer = null)
{
    /// <summary>The key id.</summary>
    public string Kid => Key.Kid;
}

/// <summary>
/// An immutable set of keys by kid: at most one active key signs; active and retired keys verify; revoked keys never
/// verify. Changes return a new ring, so a ring can be shared between threads and swapped atomically.
/// </summary>
public sealed class KeyRing
{
    private readonly ImmutableDictionary<string, KeyRingEntry> _entries;
    private readonly string? _activeKid;

    private KeyRing(ImmutableDictionary<string, KeyRingEntry> entries, string? activeKid)
    {
        _entries = entries;
        _activeKid = activeKid;
    }

    /// <summary>A ring with no keys.</summary>
    public static KeyRing Empty { get; } = new(ImmutableDictionary.Create<string, KeyRingEntry>(StringComparer.Ordinal), null);

    /// <summary>All keys, ordered by kid (ordinal).</summary>
    public IReadOnlyList<KeyRingEntry> Entries => [.. _entries.Values.OrderBy(e => e.Kid, StringComparer.Ordinal)];

    /// <summary>The key new content is signed with.</summary>
    /// <exception cref="NoActiveKeyException">No key is active, or the active key's private half is not in this ring.</exception>
    public SigningKey Active => _activeKid is not null && _entries[_activeKid].Signer is { } signer ? signer : throw new NoActiveKeyException();

    /// <summary>Builds a ring from stored keys (see <see cref="IKeyStore"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    /// <exception cref="InvalidKeyException">A PEM is not a P-256 private key, a stored kid is not the key's thumbprint, or more than one key is active.</exception>
    public static KeyRing FromStoredKeys(IEnumerable<StoredKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var ring = Empty;
        foreach (var stored in keys)
        {
            var key = SigningKey.FromPkcs8Pem(stored.Pkcs8Pem);
            if (key.Kid != stored.Kid)
            {
                throw new InvalidKeyException($"Stored kid '{stored.Kid}' is not the key's thumbprint '{key.Kid}'.");
            }

            if (stored.Status == KeyStatus.Active && ring._activeKid is not null)
            {
                throw new InvalidKeyException($"Keys '{ring._activeKid}' and '{key.Kid}' are both active; at most one may be.");
            }

            ring = ring.Add(key, stored.Status);
        }

        return ring;
    }

    /// <summary>Loads every key of <paramref name="store"/> into a new ring.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="store"/> is null.</exception>
    /// <exception cref="InvalidKeyException">As for <see cref="FromStoredKeys"/>.</exception>
    public static async ValueTask<KeyRing> LoadAsync(IKeyStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return FromStoredKeys(await store.LoadAllAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Adds a private key. Adding it as <see cref="KeyStatus.Active"/> retires the previously active key (rotation).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">A key with the same kid is already in the ring.</exception>
    public KeyRing Add(SigningKey key, KeyStatus status)
    {
        ArgumentNullException.ThrowIfNull(key);
        return AddEntry(new KeyRingEntry(key.PublicKey, status, key));
    }

    /// <summary>Adds a public key (verification only; such a key cannot sign even when active).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">A key with the same kid is already in the ring.</exception>
    public KeyRing Add(VerificationKey key, KeyStatus status)
    {
        ArgumentNullException.ThrowIfNull(key);
        return AddEntry(new KeyRingEntry(key, status));
    }

    /// <summary>Changes a key's status; setting the current status again is a no-op.</summary>
    /// <exception cref="UnknownKeyException">No key <paramref name="kid"/>.</exception>
    /// <exception cref="KeyStatusTransitionException">The change is not allowed (see <see cref="KeyStatus"/>).</exception>
    public KeyRing WithStatus(string kid, KeyStatus status)
    {
        ArgumentNullException.ThrowIfNull(kid);
        if (!_entries.TryGetValue(kid, out var entry))
        {
            throw new UnknownKeyException(kid);
        }

        KeyStatusRules.EnsureAllowed(kid, entry.Status, status);
        if (entry.Status == status)
        {
            return this;
        }

        return new KeyRing(_entries.SetItem(kid, entry with { Status = status }), _activeKid == kid ? null : _activeKid);
    }

    /// <summary>Status of <paramref name="kid"/>, or <see langword="null"/> if unknown. Never throws.</summary>
    public KeyStatus? StatusOf(string? kid) => kid is not null && _entries.TryGetValue(kid, out var entry) ? entry.Status : null;

    /// <summary>The key that may verify signatures made by <paramref name="kid"/>.</summary>
    /// <exception cref="UnknownKeyException"><paramref name="kid"/> is null or not in the ring.</exception>
    /// <exception cref="RevokedKeyException">The key is revoked.</exception>
    public VerificationKey Resolve(string? kid)
    {
        if (kid is null || !_entries.TryGetValue(kid, out var entry))
        {
            throw new UnknownKeyException(kid);
        }

        return entry.Status == KeyStatus.Revoked ? throw new RevokedKeyException(kid) : entry.Key;
    }

    private KeyRing AddEntry(KeyRingEntry entry)
    {
        if (_entries.ContainsKey(entry.Kid))
        {
            throw new ArgumentException($"Key '{entry.Kid}' is already in the ring.", nameof(entry));
        }

        var entries = _entries;
        var activeKid = _activeKid;
        if (entry.Status == KeyStatus.Active)
        {
            if (activeKid is not null)
            {
                entries = entries.SetItem(activeKid, entries[activeKid] with { Status = KeyStatus.Retired });
            }

            activeKid = entry.Kid;
        }

        return new KeyRing(entries.Add(entry.Kid, entry), activeKid);
    }
}

/// <summary>The one place that says which status changes are allowed.</summary>
internal static class KeyStatusRules
{
    /// <exception cref="KeyStatusTransitionException">The change is not allowed.</exception>
    public static void EnsureAllowed(string kid, KeyStatus from, KeyStatus to)
    {
        var allowed = from == to || (from, to) switch
        {
            (KeyStatus.Active, KeyStatus.Retired) => true,
            (KeyStatus.Active, KeyStatus.Revoked) => true,
            (KeyStatus.Retired, KeyStatus.Revoked) => true,
            _ => false,
        };
        if (!allowed)
        {
            throw new KeyStatusTransitionException(kid, from, to);
        }
    }
}
