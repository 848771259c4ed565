using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Orleans;
using Provenance.LoadGen;
using Provenance.Core.Storage;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains;
using Provenance.Grains.Assets;
using Provenance.Grains.Epochs;
using Provenance.Grains.Hosting;
using Provenance.Grains.Log;
using Provenance.Storage.Postgres;
using Provenance.Storage.Postgres.Embedded;
using Provenance.Timestamping;

namespace Provenance.Benchmarks.Grains;

/// <summary>
/// Console mode (not BenchmarkDotNet: each measurement needs a database and seconds of load):
/// <c>dotnet run -c Release --project tests/Provenance.Benchmarks -- epochs [--connection &lt;cs&gt;] [--entries 100000] [--seconds 10] [--workers 64]</c>.
/// Without a connection string it starts an embedded PostgreSQL under /tmp. Measures (1) sealing an epoch over N
/// pending entries without TSAs (sequencing + checkpoint + signature), (2) acknowledged-write → sequenced latency under
/// load, (3) asset registration throughput with epochs sealing every second vs. without.
/// </summary>
internal static class EpochBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = Arguments(args);
        var entries = int.Parse(options.GetValueOrDefault("entries", "100000"), CultureInfo.InvariantCulture);
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "10"), CultureInfo.InvariantCulture);
        var workers = int.Parse(options.GetValueOrDefault("workers", "64"), CultureInfo.InvariantCulture);
        var batch = int.Parse(options.GetValueOrDefault("batch", "100000"), CultureInfo.InvariantCulture);
        var only = options.GetValueOrDefault("only", "all");
        EmbeddedPostgres? embedded = null;
        var connection = options.GetValueOrDefault("connection");
        if (connection is null)
        {
            var folder = Path.Combine(Path.GetTempPath(), "provenance-bench-epochs-" + Environment.ProcessId);
            embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataFolder = folder, Database = "postgres" });
            connection = embedded.ConnectionString;
        }

        try
        {
            var server = new NpgsqlConnectionStringBuilder(connection);
            if (only is "all" or "seal")
            {
                await SealOverPendingAsync(await NewDatabaseAsync(server, "seal"), entries, batch);
            }

            if (only is "all" or "latency")
            {
                await SequencingLatencyAsync(await NewDatabaseAsync(server, "latency"), seconds, workers);
            }

            if (only is "all" or "registration")
            {
                // Alternating runs (plain, epochs, plain, epochs), each on a fresh database, so warm-up and neighbours' load
                // do not favour one side.
                double without = 0, with = 0;
                for (var round = 0; round < 2; round++)
                {
                    without += await RegistrationThroughputAsync(await NewDatabaseAsync(server, $"reg_plain{round}"), seconds, workers, sealEverySecond: false);
                    with += await RegistrationThroughputAsync(await NewDatabaseAsync(server, $"reg_epochs{round}"), seconds, workers, sealEverySecond: true);
                }

                Console.WriteLine(Invariant($"registration throughput (mean of 2): {without / 2:F0}/s without epochs, {with / 2:F0}/s with an epoch sealed every second ({(with - without) / without * 100:+0.0;-0.0}%)"));
            }
        }
        finally
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
                await EmbeddedPostgres.DeleteClusterAsync(Path.Combine(Path.GetTempPath(), "provenance-bench-epochs-" + Environment.ProcessId));
            }
        }

        return 0;
    }

    /// <summary>
    /// N entries pending (sequencer loop off), then one trigger: barrier sequencing, checkpoint, signature, state write.
    /// Then the steady state: N more entries with the loop on, and a trigger once it has caught up.
    /// </summary>
    private static async Task SealOverPendingAsync(string connection, int entries, int batch)
    {
        await using (var node = await Node.StartAsync(connection, runSequencer: false, tsa: false, interval: null, batch))
        {
            await AppendAsync(node, 0, entries);
            var clock = Stopwatch.StartNew();
            var result = await node.Grains.GetAnchor().TriggerAsync();
            clock.Stop();
            Console.WriteLine(Invariant($"seal over {entries} pending entries (sequenced in passes of up to {batch} + checkpoint + ES256, no TSA): {clock.Elapsed.TotalMilliseconds:F0} ms -> epoch {result.Epoch}, tree size {result.EpochInfo.Checkpoint.TreeSize}"));
        }

        await using (var node = await Node.StartAsync(connection, runSequencer: true, tsa: false, interval: null, batch))
        {
            await AppendAsync(node, entries, 2 * entries);
            var log = node.Services.GetRequiredService<ILogStore>();
            while ((await log.GetHeadAsync(CancellationToken.None)).Pending > 0)
            {
                await Task.Delay(20);
            }

            var clock = Stopwatch.StartNew();
            var result = await node.Grains.GetAnchor().TriggerAsync();
            clock.Stop();
            Console.WriteLine(Invariant($"seal over {entries} new entries already sequenced by the background loop (barrier + checkpoint + ES256, no TSA): {clock.Elapsed.TotalMilliseconds:F0} ms -> epoch {result.Epoch}, tree size {result.EpochInfo.Checkpoint.TreeSize}"));
        }
    }

    private static async Task AppendAsync(Node node, int begin, int end)
    {
        var storage = node.Services.GetRequiredService<IDurableStateStore>();
        for (var first = begin; first < end; first += 5000)
        {
            var effects = new DurableEffects();
            for (var i = first; i < Math.Min(end, first + 5000); i++)
            {
                effects.LogAppends.Add(new LogAppend($"seal-{i}@1", SHA256.HashData(BitConverter.GetBytes(i))));
            }

            await storage.WriteAsync(new GrainStateKey("bench", $"seal-{first}", "batch"), "{}"u8.ToArray(), null, effects, CancellationToken.None);
        }
    }

    /// <summary>Workers append single entries as fast as acknowledged for <paramref name="seconds"/>; latency = sequenced_at − accepted_at.</summary>
    private static async Task SequencingLatencyAsync(string connection, double seconds, int workers)
    {
        await using var node = await Node.StartAsync(connection, runSequencer: true, tsa: false, interval: null);
        var storage = node.Services.GetRequiredService<IDurableStateStore>();
        long next = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref next);
                var effects = new DurableEffects();
                effects.LogAppends.Add(new LogAppend($"lat-{n}@1", SHA256.HashData(BitConverter.GetBytes(n))));
                await storage.WriteAsync(new GrainStateKey("bench", $"lat-{n}", "entry"), "{}"u8.ToArray(), null, effects, CancellationToken.None);
            }
        })));
        var log = node.Services.GetRequiredService<ILogStore>();
        while ((await log.GetHeadAsync(CancellationToken.None)).Pending > 0)
        {
            await Task.Delay(20);
        }

        await using var db = NpgsqlDataSource.Create(connection);
        await using var query = db.CreateCommand("""
            SELECT count(*),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sequenced_at - accepted_at)) * 1000,
                   percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sequenced_at - accepted_at)) * 1000,
                   max(extract(epoch FROM sequenced_at - accepted_at)) * 1000
            FROM log_entries e JOIN log_sequence s ON s.entry_id = e.id
            """);
        await using var reader = await query.ExecuteReaderAsync();
        await reader.ReadAsync();
        Console.WriteLine(Invariant($"ack -> sequenced ({reader.GetInt64(0)} entries, {workers} writers, {seconds} s, {reader.GetInt64(0) / seconds:F0}/s): p50 {reader.GetDouble(1):F1} ms, p99 {reader.GetDouble(2):F1} ms, max {reader.GetDouble(3):F1} ms"));
    }

    /// <summary>Asset registrations (signed manifests, log leaf, event, index rows) for <paramref name="seconds"/>.</summary>
    private static async Task<double> RegistrationThroughputAsync(string connection, double seconds, int workers, bool sealEverySecond)
    {
        await using var node = await Node.StartAsync(connection, runSequencer: true, tsa: sealEverySecond, interval: sealEverySecond ? TimeSpan.FromSeconds(1) : null);
        var caller = CallerContext.System("default", "bench");
        await Register(node, caller, "warmup");
        long done = 0, next = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Register(node, caller, "reg-" + Interlocked.Increment(ref next));
                Interlocked.Increment(ref done);
            }
        })));
        clock.Stop();
        var epochs = (await node.Grains.GetAnchor().StatusAsync()).LastEpoch ?? 0;
        var rate = done / clock.Elapsed.TotalSeconds;
        Console.WriteLine(Invariant($"registrations {(sealEverySecond ? "with epochs every 1 s" : "without epochs")}: {done} in {clock.Elapsed.TotalSeconds:F1} s = {rate:F0}/s ({workers} workers, {epochs} epochs sealed)"));
        return rate;
    }

    private static Task<AssetDto> Register(Node node, CallerContext caller, string id) =>
        node.Grains.GetGrain<IAssetGrain>(id).RegisterAsync(caller, new RegisterAssetRequest(
            id, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))), "image/png", Title: id, Tags: ["bench"], Model: "bench-1"));

    internal static async Task<string> NewDatabaseAsync(NpgsqlConnectionStringBuilder server, string name)
    {
        var database = $"bench_{name}_{Environment.ProcessId}";
        await using (var admin = NpgsqlDataSource.Create(server.ConnectionString))
        {
            await using var drop = admin.CreateCommand($"DROP DATABASE IF EXISTS {database}");
            await drop.ExecuteNonQueryAsync();
            await using var create = admin.CreateCommand($"CREATE DATABASE {database}");
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
    }

    internal static Dictionary<string, string> Arguments(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            result[args[i].TrimStart('-')] = args[i + 1];
        }

        return result;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A one-silo cluster (TestingHost, composed as the server's) with the log and epochs; calls through the silo's own factory.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private readonly ClusterHost _cluster;

        private Node(ClusterHost cluster) => _cluster = cluster;

        public IServiceProvider Services => _cluster.Services;

        public IGrainFactory Grains => _cluster.SiloGrains;

        public static async Task<Node> StartAsync(string connection, bool runSequencer, bool tsa, TimeSpan? interval, int batch = 5000) =>
            new(await ClusterHost.StartAsync(connection, new ClusterHostOptions
            {
                Silos = 1,
                ClusterId = "bench-epochs-" + Guid.NewGuid().ToString("N")[..8],
                Services = services => services.AddSingleton(new Rfc3161Client(new HttpClient(new InProcessTsa()), TimeProvider.System)),
                Log = o =>
                {
                    o.RunSequencer = runSequencer;
                    o.BarrierBatchSize = batch;
                },
                Epochs = o =>
                {
                    o.Interval = interval;
                    o.PendingThreshold = null;
                    o.SchedulePollInterval = TimeSpan.FromMilliseconds(100);
                    if (tsa)
                    {
                        o.Authorities = [new TsaOptions { Name = "builtin", Url = new Uri("http://builtin.tsa.local/tsa"), PolicyOid = InProcessTsa.Tsa.PolicyOid, TrustAnchorCertificates = [InProcessTsa.Tsa.TrustAnchor] }];
                    }
                },
            }));

        public ValueTask DisposeAsync() => _cluster.DisposeAsync();
    }

    /// <summary>The built-in TSA answering in process (the TSA round trip is not what is measured).</summary>
    private sealed class InProcessTsa : HttpMessageHandler
    {
        private static readonly Lazy<BuiltInTsa> Shared = new(() => new BuiltInTsa(new MemoryKeys(), TimeProvider.System));

        public static BuiltInTsa Tsa => Shared.Value;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var reply = new ByteArrayContent(Tsa.Respond(await request.Content!.ReadAsByteArrayAsync(cancellationToken)));
            reply.Headers.ContentType = new MediaTypeHeaderValue(Rfc3161Labels.TimestampReplyMediaType);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = reply };
        }

        private sealed class MemoryKeys : ITsaKeyStore
        {
            private TsaKeyMaterial? _material;

            public TsaKeyMaterial? Load() => _material;

            public void Save(TsaKeyMaterial material) => _material = material;
        }
    }
}
