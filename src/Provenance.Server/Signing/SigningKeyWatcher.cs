using Provenance.Grains.Log;
using Provenance.Grains.Signing;
using Provenance.Server.Hosting;

namespace Provenance.Server.Signing;

/// <summary>
/// Reloads the manifest and log key rings when a store's <c>keys.json</c> changes: a rotation or revocation made with
/// <c>Provenance.Server signing-keys ...</c> on this node or on another one sharing the folder takes effect within
/// <see cref="ProvenanceOptions.SigningKeyReloadSeconds"/>, without a restart. Reloading swaps the ring, which also drops
/// every signature check remembered under the old ring. A ring that fails to load is reported and the old one kept.
/// </summary>
internal sealed partial class SigningKeyWatcher(SigningKeyStores stores, IManifestSigner manifests, ILogSigner log, ProvenanceOptions options,
    TimeProvider time, ILogger<SigningKeyWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var watched = new (FileKeyStore Store, Func<CancellationToken, Task> Reload, string Name)[]
        {
            (stores.ManifestKeys, manifests.ReloadAsync, SigningKeyStores.Manifest),
            (stores.LogKeys, log.ReloadAsync, SigningKeyStores.Log),
        };
        var seen = watched.Select(w => w.Store.IndexStamp()).ToArray();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(Math.Max(0.1, options.SigningKeyReloadSeconds)), time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            for (var i = 0; i < watched.Length; i++)
            {
                var stamp = watched[i].Store.IndexStamp();
                if (stamp == seen[i])
                {
                    continue;
                }

                try
                {
                    await watched[i].Reload(stoppingToken).ConfigureAwait(false);
                    seen[i] = stamp;
                    Reloaded(logger, watched[i].Name, watched[i].Store.Folder);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    ReloadFailed(logger, e, watched[i].Name, watched[i].Store.Folder);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reloaded the {Ring} signing keys from {Folder}.")]
    private static partial void Reloaded(ILogger logger, string ring, string folder);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {Ring} signing keys in {Folder} changed but could not be loaded; the previous keys stay in use.")]
    private static partial void ReloadFailed(ILogger logger, Exception error, string ring, string folder);
}
