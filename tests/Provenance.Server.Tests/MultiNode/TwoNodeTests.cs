using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Provenance.Cli.Tests.Walkthrough;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.MultiNode;

/// <summary>
/// Several nodes on one database (docs/architecture.md, "Scale-out"): two real server processes on one PostgreSQL
/// database, driven concurrently through both. Acknowledged work must be visible through either node, duplicates and
/// racing transitions resolved by the database, and the log/epochs gap-free.
/// </summary>
public sealed class TwoNodeTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private const int Originals = 30;

    [Fact]
    public async Task TwoProcessesOnOneDatabase_ConcurrentWork_NothingLostDuplicatedOrForked()
    {
        string[] anchorByTriggerOnly = ["--Provenance:Anchor:IntervalSeconds=0", "--Provenance:Anchor:PendingThreshold=0"];
        await using var nodeA = await ServerProcess.StartAsync(TimeSpan.FromMinutes(2), postgres.ConnectionString, anchorByTriggerOnly);
        // As in docker-compose.yml, the nodes share the signing keys and the built-in TSA's material (A created them).
        await using var nodeB = await ServerProcess.StartAsync(TimeSpan.FromMinutes(2), postgres.ConnectionString,
            [.. anchorByTriggerOnly, $"--Provenance:KeyDirectory={Path.Combine(nodeA.DataDirectory, "keys")}", $"--Provenance:Tsa:KeyDirectory={Path.Combine(nodeA.DataDirectory, "tsa")}"]);
        Assert.False(string.IsNullOrEmpty(nodeA.AdminKey));
        Assert.Equal("", nodeB.AdminKey); // one deployment, one bootstrap key: B found A's
        using var a = Client(nodeA.BaseAddress, nodeA.AdminKey);
        using var b = Client(nodeB.BaseAddress, nodeA.AdminKey);
        HttpClient[] nodes = [a, b];
        var acknowledged = new ConcurrentDictionary<string, string>(StringComparer.Ordinal); // id → content hash
        long logEntries = 0; // every acknowledged revision is one log leaf

        try
        {
            // 1. Originals through both nodes at once.
            var originals = await Task.WhenAll(Enumerable.Range(0, Originals).SelectMany(i => new[]
            {
                RegisterAsync(a, $"a-o-{i}"),
                RegisterAsync(b, $"b-o-{i}"),
            }));
            foreach (var (id, hash, status) in originals)
            {
                Assert.True(status == HttpStatusCode.Created, $"{id}: {status}");
                acknowledged[id] = hash;
            }

            // 2. Derivatives whose parents were registered through the other node (some with two parents), at once.
            var derivatives = await Task.WhenAll(Enumerable.Range(0, Originals).SelectMany(i => new[]
            {
                RegisterAsync(a, $"a-d-{i}", $"b-o-{i}"),
                RegisterAsync(b, $"b-d-{i}", $"a-o-{i}", i % 3 == 0 ? $"a-o-{(i + 1) % Originals}" : null),
            }));
            foreach (var (id, hash, status) in derivatives)
            {
                Assert.True(status == HttpStatusCode.Created, $"{id}: {status}");
                acknowledged[id] = hash;
            }

            // 3. The same id on both nodes at once: exactly one 201, the other 409 asset-exists.
            for (var k = 0; k < 8; k++)
            {
                var id = $"dup-{k}";
                var both = await Task.WhenAll(RegisterAsync(a, id, content: $"{id} via A"), RegisterAsync(b, id, content: $"{id} via B"));
                Assert.True(both.Count(r => r.Status == HttpStatusCode.Created) == 1, $"{id}: {both[0].Status} / {both[1].Status}");
                Assert.True(both.Count(r => r.Status == HttpStatusCode.Conflict) == 1, $"{id}: {both[0].Status} / {both[1].Status}");
                var winner = both.Single(r => r.Status == HttpStatusCode.Created);
                acknowledged[id] = winner.Hash;
            }

            logEntries += acknowledged.Count;

            // 4. Racing transitions of the same assets from both nodes around the cycle generated → failed → retrying → generated.
            var transitionIds = Enumerable.Range(0, 4).Select(i => $"a-o-{i}").ToArray();
            var acknowledgedHashes = new ConcurrentDictionary<string, ConcurrentBag<string>>(StringComparer.Ordinal);
            await Task.WhenAll(transitionIds.SelectMany(id => nodes.Select(node => Task.Run(async () =>
            {
                for (var step = 0; step < 6; step++)
                {
                    var current = await node.GetFromJsonAsync<AssetDto>($"v1/assets/{id}", ApiJson.Options);
                    var next = current!.Status switch
                    {
                        LifecycleStatus.Generated => LifecycleStatus.Failed,
                        LifecycleStatus.Failed => LifecycleStatus.Retrying,
                        _ => LifecycleStatus.Generated,
                    };
                    using var response = await node.PostAsJsonAsync($"v1/assets/{id}/status", new TransitionRequest(next, next == LifecycleStatus.Failed ? "render crashed" : null), ApiJson.Options);
                    var text = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        var dto = System.Text.Json.JsonSerializer.Deserialize<AssetDto>(text, ApiJson.Options)!;
                        acknowledgedHashes.GetOrAdd(id, _ => []).Add(dto.ManifestHash);
                    }
                    else
                    {
                        Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{id} → {next}: {(int)response.StatusCode} {text}");
                    }
                }
            }))));
            foreach (var id in transitionIds)
            {
                var acks = acknowledgedHashes.GetValueOrDefault(id)?.ToArray() ?? [];
                Assert.NotEmpty(acks);
                logEntries += acks.Length;
                foreach (var node in nodes)
                {
                    var trail = (await node.GetFromJsonAsync<AuditRecordDto[]>($"v1/assets/{id}/audit", ApiJson.Options))!;
                    var changes = trail.Where(r => r.Action == "status-changed").ToArray();
                    // Every acknowledged change is in the trail, and nothing else is.
                    Assert.Equal(acks.Order(StringComparer.Ordinal), changes.Select(c => c.AfterHash).Order(StringComparer.Ordinal));
                    // One linear history: each record follows the previous one (no fork from a lost update).
                    for (var i = 1; i < trail.Length; i++)
                    {
                        Assert.Equal(trail[i - 1].AfterHash, trail[i].BeforeHash);
                        Assert.Equal(trail[i - 1].Sequence + 1, trail[i].Sequence);
                    }

                    var asset = (await node.GetFromJsonAsync<AssetDto>($"v1/assets/{id}", ApiJson.Options))!;
                    Assert.Equal(trail[^1].AfterHash, asset.ManifestHash);
                }
            }

            // 5. Every acknowledged registration is readable through either node, with its content hash.
            await Task.WhenAll(acknowledged.SelectMany(kv => nodes.Select(async node =>
            {
                using var response = await node.GetAsync($"v1/assets/{kv.Key}");
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{kv.Key} via {node.BaseAddress}: {response.StatusCode}");
                Assert.Equal(kv.Value, (await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options))!.ContentHash);
            })));

            // 6. Lineage through B sees children registered through A, and the other way round.
            for (var i = 0; i < Originals; i++)
            {
                var viaB = (await b.GetFromJsonAsync<LineagePage>($"v1/assets/b-o-{i}/descendants", ApiJson.Options))!;
                Assert.Contains(viaB.Nodes, n => n.AssetId == $"a-d-{i}");
                var viaA = (await a.GetFromJsonAsync<LineagePage>($"v1/assets/a-o-{i}/descendants", ApiJson.Options))!;
                Assert.Contains(viaA.Nodes, n => n.AssetId == $"b-d-{i}");
            }

            // 7. Epoch triggers from both nodes at once, three rounds with new entries in between.
            var triggered = new List<long>();
            for (var round = 0; round < 3; round++)
            {
                var extra = await Task.WhenAll(RegisterAsync(a, $"e-a-{round}"), RegisterAsync(b, $"e-b-{round}"));
                Assert.All(extra, r => Assert.Equal(HttpStatusCode.Created, r.Status));
                logEntries += extra.Length;
                var results = await Task.WhenAll(nodes.Select(async node =>
                {
                    using var response = await node.PostAsync("v1/epochs/trigger", null);
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"trigger via {node.BaseAddress}: {await response.Content.ReadAsStringAsync()}");
                    return (await response.Content.ReadFromJsonAsync<TriggerResultDto>(ApiJson.Options))!;
                }));
                triggered.AddRange(results.Select(r => r.Epoch));
            }

            foreach (var node in nodes)
            {
                var epochs = (await node.GetFromJsonAsync<EpochDto[]>("v1/epochs?limit=1000", ApiJson.Options))!.OrderBy(e => e.Epoch).ToArray();
                Assert.Equal(Enumerable.Range(1, epochs.Length).Select(n => (long)n), epochs.Select(e => e.Epoch)); // consecutive, no duplicate
                Assert.Subset(epochs.Select(e => e.Epoch).ToHashSet(), triggered.ToHashSet());
                for (var i = 1; i < epochs.Length; i++)
                {
                    Assert.Equal(epochs[i - 1].Epoch, epochs[i].Checkpoint.PreviousEpoch);
                    Assert.Equal(epochs[i - 1].Checkpoint.RootHash, epochs[i].Checkpoint.PreviousRootHash);
                    Assert.True(epochs[i].Checkpoint.TreeSize >= epochs[i - 1].Checkpoint.TreeSize);
                }

                // Everything acknowledged before the last trigger is in the last epoch: one leaf per acknowledged revision.
                Assert.Equal(logEntries, epochs[^1].Checkpoint.TreeSize);
            }

            // The log itself: indexes 0..n-1, each once, one row per acknowledged revision, nothing left unsequenced.
            await using (var data = NpgsqlDataSource.Create(postgres.ConnectionString))
            await using (var cmd = data.CreateCommand("SELECT count(*), count(s.idx), count(DISTINCT s.idx), coalesce(min(s.idx), -1), coalesce(max(s.idx), -1) FROM log_entries e LEFT JOIN log_sequence s ON s.entry_id = e.id"))
            await using (var reader = await cmd.ExecuteReaderAsync())
            {
                Assert.True(await reader.ReadAsync());
                Assert.Equal(logEntries, reader.GetInt64(0));
                Assert.Equal(logEntries, reader.GetInt64(1));
                Assert.Equal(logEntries, reader.GetInt64(2));
                Assert.Equal(0, reader.GetInt64(3));
                Assert.Equal(logEntries - 1, reader.GetInt64(4));
            }

            // Assets registered through one node verify through the other against the shared epochs (once the last is timestamped).
            var last = triggered.Max();
            for (var wait = 0; (await a.GetFromJsonAsync<EpochDto>($"v1/epochs/{last}", ApiJson.Options))!.Status != "timestamped"; wait++)
            {
                Assert.True(wait < 100, $"epoch {last} was not timestamped within 20 s");
                await Task.Delay(200);
            }

            foreach (var (node, id) in new[] { (b, "a-d-1"), (a, "b-d-1"), (b, "e-a-2"), (a, "e-b-2") })
            {
                using var verify = await node.PostAsJsonAsync("v1/verify", new VerifyRequest(AssetId: id), ApiJson.Options);
                var result = (await verify.Content.ReadFromJsonAsync<VerifyResultDto>(ApiJson.Options))!;
                Assert.True(result.Verdict == "verified", $"{id} via {node.BaseAddress}: " + string.Join("; ", result.Checks.Select(c => $"{c.Name} {c.Outcome} {c.Detail}")));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- node A ---\n{nodeA.Log}\n--- node B ---\n{nodeB.Log}");
        }
    }

    private static HttpClient Client(Uri baseAddress, string key)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private static async Task<(string Id, string Hash, HttpStatusCode Status)> RegisterAsync(HttpClient node, string id, string? parent = null, string? secondParent = null, string? content = null)
    {
        var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(content ?? id)));
        var parents = new[] { parent, secondParent }.OfType<string>().Select(p => new ParentClaim(p)).ToArray();
        var request = new RegisterAssetRequest(id, hash, "image/png", Title: id, Parents: parents.Length == 0 ? null : parents);
        using var response = await node.PostAsJsonAsync("v1/assets", request, ApiJson.Options);
        if (response.StatusCode == HttpStatusCode.Conflict)
        {
            await Problem.AssertAsync(response, 409, "asset-exists");
        }

        return (id, hash, response.StatusCode);
    }
}
