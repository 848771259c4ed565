using System.Text.Json;
using Provenance.Core.Signing;
using Provenance.Server.Hosting;

namespace Provenance.Server.Signing;

/// <summary>
/// <see cref="IKeyStore"/> in a folder: each private key as <c>&lt;kid&gt;.pem</c> (PKCS#8 PEM, mode 0600) and the
/// statuses in <c>keys.json</c> (0600), the folder itself 0700. Signing keys never leave the server: the API serves
/// only public parts. Single process per folder (the server's); writes replace files atomically.
/// </summary>
internal sealed class FileKeyStore : IKeyStore
{
    private const string IndexFile = "keys.json";
    private readonly SemaphoreSlim gate = new(1, 1);

    public FileKeyStore(string folder)
    {
        Folder = Path.GetFullPath(folder);
    }

    public string Folder { get; }

    public async ValueTask<IReadOnlyList<StoredKey>> LoadAllAsync(CancellationToken cancellationToken = default)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            var index = await ReadIndexAsync(cancellationToken);
            var keys = new List<StoredKey>(index.Count);
            foreach (var entry in index)
            {
                var pem = await File.ReadAllTextAsync(KeyPath(entry.Kid), cancellationToken);
                keys.Add(new StoredKey(entry.Kid, pem, entry.Status));
            }

            return keys;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask SaveAsync(StoredKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var index = await ReadIndexAsync(cancellationToken);
            if (index.Exists(e => e.Kid == key.Kid))
            {
                throw new ArgumentException($"Key '{key.Kid}' is already stored.", nameof(key));
            }

            if (key.Status == KeyStatus.Active)
            {
                index = index.Select(e => e.Status == KeyStatus.Active ? e with { Status = KeyStatus.Retired } : e).ToList();
            }

            EnsureFolder();
            await SecretFile.WriteAsync(KeyPath(key.Kid), key.Pkcs8Pem, cancellationToken);
            index.Add(new Entry(key.Kid, key.Status, DateTimeOffset.UtcNow));
            await WriteIndexAsync(index, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask SetStatusAsync(string kid, KeyStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(kid);
        await gate.WaitAsync(cancellationToken);
        try
        {
            var index = await ReadIndexAsync(cancellationToken);
            var at = index.FindIndex(e => e.Kid == kid);
            if (at < 0)
            {
                throw new UnknownKeyException(kid);
            }

            var from = index[at].Status;
            if (from != status && (from, status) is not ((KeyStatus.Active, KeyStatus.Retired) or (KeyStatus.Active, KeyStatus.Revoked) or (KeyStatus.Retired, KeyStatus.Revoked)))
            {
                throw new KeyStatusTransitionException(kid, from, status);
            }

            index[at] = index[at] with { Status = status };
            await WriteIndexAsync(index, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>When each key was stored (for the public key listing).</summary>
    public async Task<IReadOnlyDictionary<string, DateTimeOffset>> CreatedAtAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            return (await ReadIndexAsync(cancellationToken)).ToDictionary(e => e.Kid, e => e.CreatedAt, StringComparer.Ordinal);
        }
        finally
        {
            gate.Release();
        }
    }

    private string KeyPath(string kid)
    {
        if (kid.Length == 0 || kid.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ArgumentException("A kid is base64url text.", nameof(kid));
        }

        return Path.Combine(Folder, kid + ".pem");
    }

    private void EnsureFolder()
    {
        if (!Directory.Exists(Folder))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(Folder);
            }
            else
            {
                Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    private async Task<List<Entry>> ReadIndexAsync(CancellationToken cancellationToken)
    {
        var path = Path.Combine(Folder, IndexFile);
        if (!File.Exists(path))
        {
            return [];
        }

        await using var stream = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync<List<Entry>>(stream, cancellationToken: cancellationToken) ?? [];
    }

    private Task WriteIndexAsync(List<Entry> index, CancellationToken cancellationToken) =>
        SecretFile.WriteAsync(Path.Combine(Folder, IndexFile), JsonSerializer.Serialize(index), cancellationToken);

    private sealed record Entry(string Kid, KeyStatus Status, DateTimeOffset CreatedAt);
}

/// <summary>The server's two signing key stores: manifests (asset grains) and the log's checkpoints (epoch grains).</summary>
internal sealed class SigningKeyStores(ProvenanceOptions options)
{
    public const string Manifest = "manifest";
    public const string Log = "log";

    public FileKeyStore ManifestKeys { get; } = new(Path.Combine(options.ResolvedKeyDirectory, Manifest));

    public FileKeyStore LogKeys { get; } = new(Path.Combine(options.ResolvedKeyDirectory, Log));

    /// <summary>Creates an active key in each store that has none (first start).</summary>
    public async Task EnsureActiveKeysAsync(CancellationToken cancellationToken)
    {
        foreach (var store in new[] { ManifestKeys, LogKeys })
        {
            var keys = await store.LoadAllAsync(cancellationToken);
            if (!keys.Any(k => k.Status == KeyStatus.Active))
            {
                await store.SaveAsync(StoredKey.From(SigningKey.Generate(), KeyStatus.Active), cancellationToken);
            }
        }
    }
}
