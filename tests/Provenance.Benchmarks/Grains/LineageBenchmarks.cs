using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Npgsql;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains;
using Orleans;
using Provenance.Grains.Assets;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Embedded;

namespace Provenance.Benchmarks.Grains;

/// <summary>
/// Warm lineage answers from the grain graph against plain SQL over the same edges (the <c>children</c> rows of
/// <c>grain_index</c>), on a real embedded PostgreSQL (fsync on). Targets: ancestors of a depth-1,000 chain p99 &lt; 10 ms;
/// a page of 1,000 descendants of an asset with 100,000 children &lt; 20 ms; the grain graph at least 2x faster than SQL.
/// The data (1,001-asset chain, 100,000-child fan-out, all registered through the grains) is built once under
/// <c>/tmp/provenance-bench-lineage</c> and reused by later runs; delete the folder to rebuild.
/// The SQL baseline gets an extra index on <c>(index_name, value)</c> so walking up is an index probe per hop, and
/// returns ids and depths only (less than the grain answer, which carries each node's summary).
/// Run: <c>dotnet run -c Release --project tests/Provenance.Benchmarks -- --filter '*LineageBenchmarks*' --inProcess --launchCount 1 --warmupCount 3 --iterationCount 15</c>
/// </summary>
[Config(typeof(PercentileConfig))]
[MemoryDiagnoser]
public class LineageBenchmarks
{
    private const int ChainDepth = 1_000;
    private const int FanOut = 100_000;
    private const string Folder = "/tmp/provenance-bench-lineage";
    private const string ChainLeaf = "chain-1000";
    private const string FanRoot = "fan-root";

    private static readonly CallerContext Caller = CallerContext.System("bench", "bench");

    private EmbeddedPostgres _server = null!;
    private ClusterHost _node = null!;
    private NpgsqlDataSource _sql = null!;
    private IAssetGrain _leaf = null!;
    private IAssetGrain _root = null!;
    private int _silos = 2;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        _node.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _sql.Dispose();
        _server.Stop();
    }

    /// <summary>All 1,000 ancestors of the chain's leaf in one page (depth 1,000, limit 1,000).</summary>
    [Benchmark]
    public async Task<int> Ancestors_Chain1000_Grains() =>
        (await _leaf.GetAncestorsAsync(Caller, new LineageQuery(ChainDepth, 1_000))).Nodes.Count;

    /// <summary>The same question as a recursive CTE walking child→parent edges.</summary>
    [Benchmark]
    public async Task<int> Ancestors_Chain1000_SqlRecursiveCte()
    {
        await using var command = _sql.CreateCommand("""
            WITH RECURSIVE a(id, depth) AS (
                SELECT key, 1 FROM grain_index WHERE index_name = 'children' AND value = $1
                UNION ALL
                SELECT g.key, a.depth + 1 FROM a JOIN grain_index g ON g.index_name = 'children' AND g.value = a.id WHERE a.depth < $2)
            SELECT id, min(depth) AS depth FROM a GROUP BY id ORDER BY depth, id LIMIT 1000
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ChainLeaf });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = ChainDepth });
        return await CountRowsAsync(command);
    }

    /// <summary>First page (1,000 nodes, default depth 10) of the descendants of an asset with 100,000 children.</summary>
    [Benchmark]
    public async Task<int> Descendants_FanOut100k_FirstPage_Grains() =>
        (await _root.GetDescendantsAsync(Caller, new LineageQuery(10, 1_000))).Nodes.Count;

    /// <summary>The same question (depth 10, by depth then id, first 1,000) as a recursive CTE over parent→child edges.</summary>
    [Benchmark]
    public async Task<int> Descendants_FanOut100k_FirstPage_SqlRecursiveCte()
    {
        await using var command = _sql.CreateCommand("""
            WITH RECURSIVE d(id, depth) AS (
                SELECT value, 1 FROM grain_index WHERE index_name = 'children' AND key = $1
                UNION ALL
                SELECT g.value, d.depth + 1 FROM d JOIN grain_index g ON g.index_name = 'children' AND g.key = d.id WHERE d.depth < $2)
            SELECT id, min(depth) AS depth FROM d GROUP BY id ORDER BY depth, id LIMIT 1000
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = FanRoot });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = 10 });
        return await CountRowsAsync(command);
    }

    /// <summary>The cheapest SQL for a depth-1 page: one index range scan, no recursion (a floor, not the same question).</summary>
    [Benchmark]
    public async Task<int> Descendants_FanOut100k_FirstPage_SqlDirectChildrenOnly()
    {
        await using var command = _sql.CreateCommand(
            "SELECT value FROM grain_index WHERE index_name = 'children' AND key = $1 ORDER BY value LIMIT 1000");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = FanRoot });
        return await CountRowsAsync(command);
    }

    /// <summary>
    /// Per-call latency percentiles (BenchmarkDotNet reports per-iteration means): <paramref name="calls"/> sequential warm
    /// calls of each grain query, after <see cref="Setup"/>. Run: <c>dotnet run -c Release --project tests/Provenance.Benchmarks -- lineage-latency</c>
    /// </summary>
    public static async Task RunLatencyProbeAsync(string[] args, int calls = 2_000)
    {
        var options = EpochBenchmarks.Arguments(args);
        var bench = new LineageBenchmarks { _silos = int.Parse(options.GetValueOrDefault("silos", "2"), CultureInfo.InvariantCulture) };
        bench.Setup();
        try
        {
            // Where the chain's activations are: the answers below ask grains on every silo when they are spread.
            await bench._leaf.GetAncestorsAsync(Caller, new LineageQuery(ChainDepth, 1_000));
            var management = bench._node.Grains.GetGrain<IManagementGrain>(0);
            var perSilo = (await management.GetSimpleGrainStatistics())
                .Where(s => s.GrainType.Contains("Asset", StringComparison.Ordinal))
                .GroupBy(s => s.SiloAddress)
                .Select(g => g.Sum(s => s.ActivationCount).ToString(CultureInfo.InvariantCulture));
            Console.WriteLine($"{bench._silos} silo(s); asset activations per silo: {string.Join(", ", perSilo)}");

            foreach (var (name, call) in new (string, Func<Task<int>>)[]
            {
                ("ancestors, depth-1,000 chain", bench.Ancestors_Chain1000_Grains),
                ("descendants, first page of 1,000 of 100,000 children", bench.Descendants_FanOut100k_FirstPage_Grains),
            })
            {
                var samples = new double[calls];
                for (var i = 0; i < calls; i++)
                {
                    var start = System.Diagnostics.Stopwatch.GetTimestamp();
                    await call();
                    samples[i] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }

                Array.Sort(samples);
                Console.WriteLine(System.FormattableString.Invariant(
                    $"{name}: p50 {samples[calls / 2]:F3} ms, p99 {samples[(int)(calls * 0.99)]:F3} ms, max {samples[^1]:F3} ms ({calls} calls)"));
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static async Task<int> CountRowsAsync(NpgsqlCommand command)
    {
        var rows = 0;
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return rows;
    }

    private async Task SetupAsync()
    {
        _server = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataFolder = Folder, Database = "lineage" });
        var keys = new InMemoryKeyStore();
        _node = await ClusterHost.StartAsync(_server.ConnectionString, new ClusterHostOptions { ManifestKeys = keys, ClusterId = "bench-lineage", Silos = _silos });
        _leaf = _node.Grains.GetGrain<IAssetGrain>(ChainLeaf);
        _root = _node.Grains.GetGrain<IAssetGrain>(FanRoot);
        if (await _leaf.GetSummaryAsync() is null || (await _root.GetDescendantsAsync(Caller, new LineageQuery(1, 1_000))).NextCursor is null)
        {
            await PopulateAsync(_server.ConnectionString, keys);
            await _node.DisposeAsync();
            _node = await ClusterHost.StartAsync(_server.ConnectionString, new ClusterHostOptions { ManifestKeys = keys, ClusterId = "bench-lineage", Silos = _silos });
            _leaf = _node.Grains.GetGrain<IAssetGrain>(ChainLeaf);
            _root = _node.Grains.GetGrain<IAssetGrain>(FanRoot);
        }

        _sql = NpgsqlDataSource.Create(_server.ConnectionString);
        await using (var index = _sql.CreateCommand("CREATE INDEX IF NOT EXISTS bench_grain_index_value ON grain_index (index_name, value)"))
        {
            await index.ExecuteNonQueryAsync();
        }

        await using (var analyze = _sql.CreateCommand("ANALYZE grain_index"))
        {
            await analyze.ExecuteNonQueryAsync();
        }

        // Warm: activations, summaries and children lists in memory, JIT, connection pool.
        for (var i = 0; i < 3; i++)
        {
            await Ancestors_Chain1000_Grains();
            await Descendants_FanOut100k_FirstPage_Grains();
        }
    }

    private static async Task PopulateAsync(string connectionString, IKeyStore keys)
    {
        await using var loader = await ClusterHost.StartAsync(connectionString, new ClusterHostOptions { ManifestKeys = keys, Silos = 1, ClusterId = "bench-lineage-load" });
        await Register(loader, "chain-0");
        for (var i = 1; i <= ChainDepth; i++)
        {
            await Register(loader, $"chain-{i}", $"chain-{i - 1}");
        }

        await Register(loader, FanRoot);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 128).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < FanOut; i = Interlocked.Increment(ref next))
            {
                await Register(loader, $"fan-{i:D6}", FanRoot);
            }
        })));
    }

    private static async Task Register(ClusterHost node, string id, string? parent = null)
    {
        var hash = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id)));
        var request = new RegisterAssetRequest(id, hash, "image/png", Title: id, Model: "bench",
            Parents: parent is null ? null : [new ParentClaim(parent)]);
        try
        {
            await node.SiloGrains.GetGrain<IAssetGrain>(id).RegisterAsync(Caller, request);
        }
        catch (Provenance.Core.Assets.AssetExistsException)
        {
            // A rerun after an interrupted build: the asset is there already.
        }
    }

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P95, StatisticColumn.Max);
    }
}
