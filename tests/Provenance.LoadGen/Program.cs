using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Core.Signing;
using Provenance.Grains;
using Provenance.Grains.Assets;
using Provenance.LoadGen;

// Registers signed assets in a loop against a PostgreSQL database and prints each acknowledged (durable) asset id on
// its own line, flushed, so a test can SIGKILL this process and check that every printed id survived.
// Usage: Provenance.LoadGen --connection <cs> [--workers 64] [--count 0 (until killed)] [--prefix <id prefix>]
//        [--tenant default] [--seconds 0] [--warmup 0] [--quiet] [--silos 1] [--client] [--no-state-notify (diagnostics: no cross-node cache invalidation)]
// --warmup S: run S seconds more first and count only what follows (JIT tiering and pools settle; steady state).
// With --quiet only the summary is printed (stderr): acknowledged registrations and the rate.
// Provenance.LoadGen --start-embedded <folder> starts a local PostgreSQL for manual runs and prints its connection string.
var options = ParseArguments(args);
if (options.TryGetValue("start-embedded", out var folder))
{
    // Starts (or restarts) a PostgreSQL cluster in <folder> and leaves it running; prints its connection string.
    // Stop it with: pg_ctl stop -D <folder>/data (as the postgres user when root).
    var server = await Provenance.Storage.Postgres.Embedded.EmbeddedPostgres.StartAsync(new() { DataFolder = folder, Database = "loadgen" });
    Console.WriteLine(server.ConnectionString);
    return 0;
}

if (!options.TryGetValue("connection", out var connection))
{
    Console.Error.WriteLine("usage: Provenance.LoadGen --connection <connection string> [--workers N] [--count N] [--seconds N] [--prefix P] [--tenant T] [--silos N] [--client] [--quiet]");
    return 2;
}

var workers = int.Parse(options.GetValueOrDefault("workers", "64"), CultureInfo.InvariantCulture);
var count = long.Parse(options.GetValueOrDefault("count", "0"), CultureInfo.InvariantCulture);
var seconds = double.Parse(options.GetValueOrDefault("seconds", "0"), CultureInfo.InvariantCulture);
var warmup = double.Parse(options.GetValueOrDefault("warmup", "0"), CultureInfo.InvariantCulture);
var prefix = options.GetValueOrDefault("prefix", "lg-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
var tenant = options.GetValueOrDefault("tenant", "default");
var quiet = options.ContainsKey("quiet");

// An Orleans cluster of --silos in-process silos (default 1) on the database; calls go through the first silo's own grain
// factory, as the HTTP API's do (--client: through a cluster client and the gateway instead).
await using var node = await ClusterHost.StartAsync(connection, new ClusterHostOptions
{
    Silos = int.Parse(options.GetValueOrDefault("silos", "1"), CultureInfo.InvariantCulture),
    Storage = options.ContainsKey("no-state-notify") ? o => o.PublishStateChanges = false : null,
});
var grains = options.ContainsKey("client") ? node.Grains : node.SiloGrains;
var caller = CallerContext.System(tenant, "loadgen");
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = false };
var printLock = new Lock();
long next = 0;
long acknowledged = 0;
using var stop = seconds > 0 ? new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds)) : new CancellationTokenSource();
long countedFrom = 0;

// Warm up (first activation, JIT, connection pool) before the clock starts.
await grains.GetGrain<IAssetGrain>($"{prefix}-warmup").RegisterAsync(caller, Request($"{prefix}-warmup", 0));
var clock = Stopwatch.StartNew();
var measuring = warmup <= 0 ? Task.CompletedTask : Task.Run(async () =>
{
    await Task.Delay(TimeSpan.FromSeconds(warmup));
    Interlocked.Exchange(ref countedFrom, Interlocked.Read(ref acknowledged));
    clock.Restart();
});
await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        var n = Interlocked.Increment(ref next);
        if (count > 0 && n > count)
        {
            break;
        }

        var id = $"{prefix}-{n}";
        await grains.GetGrain<IAssetGrain>(id).RegisterAsync(caller, Request(id, n));
        Interlocked.Increment(ref acknowledged);
        if (!quiet)
        {
            lock (printLock)
            {
                stdout.Write(id);
                stdout.Write('\n');
                stdout.Flush();
            }
        }
    }
})));
clock.Stop();
await measuring;
var done = Interlocked.Read(ref acknowledged) - Interlocked.Read(ref countedFrom);
Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"acknowledged {done} registrations in {clock.Elapsed.TotalSeconds:F2} s = {done / clock.Elapsed.TotalSeconds:F0}/s ({workers} workers{(warmup > 0 ? $", after a {warmup:F0} s warm-up" : "")})"));
return 0;

static RegisterAssetRequest Request(string id, long n)
{
    var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
    return new RegisterAssetRequest(id, hash, "image/png", Title: $"load {n}", Tags: ["load"], Model: "loadgen-1");
}

static Dictionary<string, string> ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (args[i].StartsWith("--", StringComparison.Ordinal))
        {
            var name = args[i][2..];
            result[name] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "true";
        }
    }

    return result;
}
