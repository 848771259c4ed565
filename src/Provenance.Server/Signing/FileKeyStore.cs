using System.Text.Json;
using Provenance.Core.Signing;
using Provenance.Server.Hosting;

namespace Provenance.Server.Signing;

/// <summary>
/// <see cref="IKeyStore"/> in a folder: each private key as <c>&lt;kid&gt;.pem</c> (PKCS#8 PEM, mode 0600) and the
/// statuses in <c>keys.json</c> (0600), the folder itself 0700. Signing keys never leave the server: the API serves
/// only public parts. Several nodes may share the folder (a shared volume): changes take an exclusive lock file
/// (<c>.lock</c>) so two nodes starting together create one active key; writes replace files atomically.
/// </summary>
internal sealed class FileKeyStore : IKeyStore
{
    private const string IndexFile = "keys.json";
    private static readonly JsonSerializerOptions IndexJson = new() { WriteIndented = true, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
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
            await using var folderLock = await LockFolderAsync(cancellationToken);
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
            await using var folderLock = await LockFolderAsync(cancellationToken);
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

    /// <summary>Size and last write of the status file: changes whenever a key is added, retired or revoked.</summary>
    public (long Length, DateTime LastWriteUtc) IndexStamp()
    {
        var info = new FileInfo(Path.Combine(Folder, IndexFile));
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, DateTime.MinValue);
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

    /// <summary>Creates an active key unless one exists, under the folder lock (so concurrent first starts agree on one key).</summary>
    public async Task EnsureActiveKeyAsync(CancellationToken cancellationToken)
    {
        await gate.WaitAsync(cancellationToken);
        try
        {
            // Checked first without the lock: a read-only key folder (a mounted secret) that has its keys is never written.
            if ((await ReadIndexAsync(cancellationToken)).Exists(e => e.Status == KeyStatus.Active))
            {
                return;
            }

            await using var folderLock = await LockFolderAsync(cancellationToken);
            var index = await ReadIndexAsync(cancellationToken);
            if (index.Exists(e => e.Status == KeyStatus.Active))
            {
                return;
            }

            var key = StoredKey.From(SigningKey.Generate(), KeyStatus.Active);
            await SecretFile.WriteAsync(KeyPath(key.Kid), key.Pkcs8Pem, cancellationToken);
            index = index.Select(e => e.Status == KeyStatus.Active ? e with { Status = KeyStatus.Retired } : e).ToList();
            index.Add(new Entry(key.Kid, key.Status, DateTimeOffset.UtcNow));
            await WriteIndexAsync(index, cancellationToken);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>An exclusive lock on the folder across processes (retried for up to 30 s).</summary>
    private async Task<FileStream> LockFolderAsync(CancellationToken cancellationToken)
    {
        EnsureFolder();
        var path = Path.Combine(Folder, ".lock");
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (attempt < 300)
            {
                await Task.Delay(100, cancellationToken);
            }
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
        return await JsonSerializer.DeserializeAsync<List<Entry>>(stream, IndexJson, cancellationToken) ?? [];
    }

    private Task WriteIndexAsync(List<Entry> index, CancellationToken cancellationToken) =>
        SecretFile.WriteAsync(Path.Combine(Folder, IndexFile), JsonSerializer.Serialize(index, IndexJson), cancellationToken);

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
        await ManifestKeys.EnsureActiveKeyAsync(cancellationToken);
        await LogKeys.EnsureActiveKeyAsync(cancellationToken);
    }
}
