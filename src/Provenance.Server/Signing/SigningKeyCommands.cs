using Provenance.Core.Signing;

namespace Provenance.Server.Signing;

/// <summary>
/// <c>Provenance.Server signing-keys list | rotate &lt;manifest|log&gt; | revoke &lt;manifest|log&gt; &lt;kid&gt;</c>: key
/// ring operations on the key folders, which running nodes pick up by themselves (<see cref="SigningKeyWatcher"/>).
/// Rotating makes a new active key and retires the old one (retired keys still verify what they signed). Revoking
/// makes a key fail verification everywhere; revoking the active key rotates first, so signing never stops.
/// </summary>
internal static class SigningKeyCommands
{
    public const string Usage = "usage: Provenance.Server signing-keys list | rotate <manifest|log> | revoke <manifest|log> <kid>";

    /// <summary>Runs one command; returns the process exit code (0 done, 2 usage, 1 refused) after one line of output.</summary>
    public static async Task<int> RunAsync(SigningKeyStores stores, IReadOnlyList<string> args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        switch (args)
        {
            case ["list"]:
                foreach (var (name, store) in new[] { (SigningKeyStores.Manifest, stores.ManifestKeys), (SigningKeyStores.Log, stores.LogKeys) })
                {
                    var created = await store.CreatedAtAsync(cancellationToken);
                    foreach (var key in await store.LoadAllAsync(cancellationToken))
                    {
                        await output.WriteLineAsync($"{name}\t{key.Kid}\t{key.Status.ToString().ToLowerInvariant()}\t{created.GetValueOrDefault(key.Kid):O}");
                    }
                }

                return 0;
            case ["rotate", var ring] when Store(stores, ring) is { } store:
            {
                var retired = ActiveKid(await store.LoadAllAsync(cancellationToken));
                var kid = await RotateAsync(store, cancellationToken);
                await output.WriteLineAsync($"{ring}: new active key {kid}{(retired is null ? "" : $"; {retired} retired (still verifies)")}");
                return 0;
            }

            case ["revoke", var ring, var kid] when Store(stores, ring) is { } store:
            {
                var keys = await store.LoadAllAsync(cancellationToken);
                if (keys.FirstOrDefault(k => k.Kid == kid) is not { } key)
                {
                    await error.WriteLineAsync($"{ring}: no key '{kid}' (see 'signing-keys list').");
                    return 1;
                }

                if (key.Status == KeyStatus.Revoked)
                {
                    await output.WriteLineAsync($"{ring}: {kid} was already revoked.");
                    return 0;
                }

                var replacement = key.Status == KeyStatus.Active ? await RotateAsync(store, cancellationToken) : null;
                await store.SetStatusAsync(kid, KeyStatus.Revoked, cancellationToken);
                await output.WriteLineAsync($"{ring}: {kid} revoked{(replacement is null ? "" : $"; new active key {replacement}")}; what it signed no longer verifies.");
                return 0;
            }

            default:
                await error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static FileKeyStore? Store(SigningKeyStores stores, string ring) => ring switch
    {
        SigningKeyStores.Manifest => stores.ManifestKeys,
        SigningKeyStores.Log => stores.LogKeys,
        _ => null,
    };

    private static string? ActiveKid(IReadOnlyList<StoredKey> keys) => keys.FirstOrDefault(k => k.Status == KeyStatus.Active)?.Kid;

    private static async Task<string> RotateAsync(FileKeyStore store, CancellationToken cancellationToken)
    {
        var key = StoredKey.From(SigningKey.Generate(), KeyStatus.Active);
        await store.SaveAsync(key, cancellationToken); // retires the previous active key under the folder lock
        return key.Kid;
    }
}
