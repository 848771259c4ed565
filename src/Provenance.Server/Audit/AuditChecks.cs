using Provenance.Actors.Storage;
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
