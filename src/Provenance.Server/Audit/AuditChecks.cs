using Orleans;
using Provenance.Core.Storage;
using Provenance.Core.Merkle;

namespace Provenance.Server.Audit;

/// <summary>One re-verification the audit job runs.</summary>
internal interface IAuditCheck
{
    /// <summary>Stable name, listed in the run record.</summary>
    string Name { get; }

    /// <summary>Re-verifies and reports each mismatch through <paramref name="report"/>; returns how many records were checked.</summary>
    Task<long> RunAsync(Func<AuditFinding, Task> report, CancellationToken cancellationToken);
}

/// <summary>
/// Recomputes the RFC 9162 tree from the stored leaf inputs and compares it with the stored log head root and with
/// every stored perfect-subtree node (the nodes proofs are served from). A leaf rewritten in place, a node that
/// no longer matches its leaves, or a head that does not match the leaves is a finding.
/// </summary>
internal sealed class LogTreeCheck(ILogStore log) : IAuditCheck
{
    private const int Batch = 4096;

    public string Name => "log-tree";

    public async Task<long> RunAsync(Func<AuditFinding, Task> report, CancellationToken cancellationToken)
    {
        var head = await log.GetHeadAsync(cancellationToken);
        var appender = new MerkleAppender(Sha256MerkleHasher.Instance);
        var computed = new Dictionary<TreeNodeId, byte[]>();
        var nodeMismatches = 0;
        for (long begin = 0; begin < head.Size; begin += Batch)
        {
            var end = Math.Min(head.Size, begin + Batch);
            var leaves = await log.ReadLeafInputsAsync(begin, end, cancellationToken);
            if (leaves.Count != end - begin)
            {
                await report(new AuditFinding("log-leaves-missing", "log", null, $"The log head says {head.Size} entries but leaves [{begin}, {end}) returned {leaves.Count}."));
                return begin + leaves.Count;
            }

            foreach (var leaf in leaves)
            {
                appender.AppendLeaf(leaf, (id, hash) => computed[new TreeNodeId(id.Level, id.Index)] = hash.ToArray());
            }

            if (computed.Count > 0)
            {
                var stored = await log.GetNodesAsync(computed.Keys, cancellationToken);
                foreach (var (id, hash) in computed)
                {
                    if (stored.TryGetValue(id, out var storedHash) && !storedHash.AsSpan().SequenceEqual(hash) && nodeMismatches++ < 20)
                    {
                        await report(new AuditFinding("log-node-mismatch", $"log:node:{id.Level}/{id.Index}", null,
                            $"Stored tree node ({id.Level}, {id.Index}) is {Convert.ToHexStringLower(storedHash)} but the stored leaves give {Convert.ToHexStringLower(hash)}."));
                    }
                }

                computed.Clear();
            }
        }

        var root = appender.Root();
        if (!root.AsSpan().SequenceEqual(head.RootHash))
        {
            await report(new AuditFinding("log-root-mismatch", "log", null,
                $"The log head root for size {head.Size} is {Convert.ToHexStringLower(head.RootHash)} but the stored leaves give {Convert.ToHexStringLower(root)}."));
        }

        return head.Size;
    }
}

/// <summary>
/// Every stored asset's current manifest: the canonical bytes hash to the recorded manifest hash, the JWS verifies with
/// the manifest key ring over exactly those bytes, and the asset's log entry (<c>{id}@{revision}</c>) holds that hash.
/// </summary>
internal sealed class ManifestCheck(Provenance.Storage.Postgres.PostgresStorage storage, IGrainFactory grains,
    Provenance.Grains.Signing.IManifestSigner signer, ILogStore log) : IAuditCheck
{
    public string Name => "manifests";

    public async Task<long> RunAsync(Func<AuditFinding, Task> report, CancellationToken cancellationToken)
    {
        long count = 0;
        string after = "";
        while (true)
        {
            var ids = new List<string>();
            await using (var cmd = storage.DataSource.CreateCommand("SELECT grain_key FROM grain_state WHERE grain_type = @t AND state_name = @s AND data IS NOT NULL AND grain_key > @after ORDER BY grain_key LIMIT 500"))
            {
                cmd.Parameters.AddWithValue("t", Provenance.Grains.StorageNames.AssetGrainType);
                cmd.Parameters.AddWithValue("s", Provenance.Grains.StorageNames.AssetState);
                cmd.Parameters.AddWithValue("after", after);
                await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    ids.Add(reader.GetString(0));
                }
            }

            if (ids.Count == 0)
            {
                return count;
            }

            foreach (var id in ids)
            {
                count++;
                await CheckAsync(id, report, cancellationToken);
            }

            after = ids[^1];
        }
    }

    private async Task CheckAsync(string id, Func<AuditFinding, Task> report, CancellationToken cancellationToken)
    {
        var grain = grains.GetGrain<Provenance.Grains.Assets.IAssetGrain>(id);
        if (await grain.GetSummaryAsync() is not { } summary)
        {
            return;
        }

        var manifest = await grain.GetManifestAsync(Provenance.Grains.CallerContext.System(summary.Tenant, "audit"));
        var canonical = Convert.FromBase64String(manifest.CanonicalBase64);
        var hash = System.Security.Cryptography.SHA256.HashData(canonical);
        if ("sha256:" + Convert.ToHexStringLower(hash) != manifest.ManifestHash)
        {
            await report(new AuditFinding("manifest-hash-mismatch", id, summary.Tenant, $"The stored manifest bytes hash to sha256:{Convert.ToHexStringLower(hash)}, not the recorded {manifest.ManifestHash}."));
        }

        try
        {
            if (!signer.Verify(manifest.Jws).Payload.Span.SequenceEqual(canonical))
            {
                await report(new AuditFinding("manifest-signature-invalid", id, summary.Tenant, "The manifest JWS is not over the stored canonical bytes."));
            }
        }
        catch (Provenance.Core.ProvenanceException e)
        {
            await report(new AuditFinding("manifest-signature-invalid", id, summary.Tenant, e.Message));
        }

        var entry = await log.FindBySourceAsync($"{id}@{summary.Revision}", cancellationToken);
        if (entry is null)
        {
            await report(new AuditFinding("log-entry-missing", id, summary.Tenant, $"No log entry for revision {summary.Revision}."));
        }
        else if (!entry.LeafInput.AsSpan().SequenceEqual(hash))
        {
            await report(new AuditFinding("log-entry-mismatch", id, summary.Tenant, $"The log entry of revision {summary.Revision} holds {Convert.ToHexStringLower(entry.LeafInput)}, not the manifest hash."));
        }
    }
}

/// <summary>
/// Every epoch's checkpoint: recomputes the root of its first <c>TreeSize</c> stored leaves and compares it with the
/// signed root, and verifies the checkpoint JWS over its text with the log key ring.
/// </summary>
internal sealed class CheckpointCheck(ILogStore log, IGrainFactory grains, Provenance.Grains.Log.ILogSigner logSigner) : IAuditCheck
{
    public string Name => "checkpoints";

    public async Task<long> RunAsync(Func<AuditFinding, Task> report, CancellationToken cancellationToken)
    {
        var anchor = grains.GetGrain<Provenance.Grains.Epochs.IAnchorGrain>(Provenance.Grains.Log.LogGrainKeys.Anchor);
        var epochs = new List<Provenance.Core.Contracts.EpochDto>();
        long? before = null;
        while (true)
        {
            var page = await anchor.ListEpochsAsync(1000, before);
            epochs.AddRange(page);
            if (page.Count < 1000)
            {
                break;
            }

            before = page[^1].Epoch;
        }

        epochs.Sort((a, b) => a.Checkpoint.TreeSize.CompareTo(b.Checkpoint.TreeSize));
        var appender = new MerkleAppender(Sha256MerkleHasher.Instance);
        foreach (var epoch in epochs)
        {
            var size = epoch.Checkpoint.TreeSize;
            while (appender.Size < size)
            {
                var leaves = await log.ReadLeafInputsAsync(appender.Size, Math.Min(size, appender.Size + 4096), cancellationToken);
                if (leaves.Count == 0)
                {
                    await report(new AuditFinding("checkpoint-leaves-missing", $"epoch:{epoch.Epoch}", null, $"The log holds {appender.Size} leaves but epoch {epoch.Epoch} covers {size}."));
                    return epochs.Count;
                }

                foreach (var leaf in leaves)
                {
                    appender.AppendLeaf(leaf);
                }
            }

            var root = appender.Root();
            if (Convert.ToBase64String(root) != epoch.Checkpoint.RootHash && Convert.ToHexStringLower(root) != epoch.Checkpoint.RootHash)
            {
                await report(new AuditFinding("checkpoint-root-mismatch", $"epoch:{epoch.Epoch}", null,
                    $"Epoch {epoch.Epoch} signed root {epoch.Checkpoint.RootHash} for size {size}, but the stored leaves give {Convert.ToBase64String(root)}."));
            }

            try
            {
                var verified = Provenance.Core.Signing.Es256Jws.Verify(epoch.Checkpoint.Jws, logSigner.KeyRing);
                if (!verified.Payload.Span.SequenceEqual(System.Text.Encoding.UTF8.GetBytes(epoch.Checkpoint.Text)))
                {
                    await report(new AuditFinding("checkpoint-signature-invalid", $"epoch:{epoch.Epoch}", null, "The checkpoint JWS is not over the checkpoint text."));
                }
            }
            catch (Provenance.Core.ProvenanceException e)
            {
                await report(new AuditFinding("checkpoint-signature-invalid", $"epoch:{epoch.Epoch}", null, e.Message));
            }
        }

        return epochs.Count;
    }
}
