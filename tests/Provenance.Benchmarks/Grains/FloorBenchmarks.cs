using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Orleans;
using Provenance.Core.Contracts;
using Provenance.Grains;
using Provenance.Grains.Assets;
using Provenance.Grains.Persistence;
using Provenance.LoadGen;
using Provenance.Storage.Postgres.Embedded;

namespace Provenance.Benchmarks.Grains;

/// <summary>
/// Console mode <c>orleans-floor [--seconds 10] [--workers 256] [--silos 1] [--connection cs]</c>: what Orleans and the
/// store can do on this box at most, and the registration path as a fraction of it, in one process and one run:
/// (1) calls/s to a grain that only answers from memory, through the silo's own factory (as the HTTP API calls) and
/// through a cluster client over the gateway; (2) durable writes/s of a grain that only writes a small state through
/// the project's group-commit store (no log leaf, no outbox, no index rows); (3) durable signed registrations/s
/// (<see cref="IAssetGrain.RegisterAsync"/>, as LoadGen). Without a connection string it starts an embedded PostgreSQL.
/// </summary>
internal static class FloorBenchmarks
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = EpochBenchmarks.Arguments(args);
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "10"), CultureInfo.InvariantCulture);
        var workers = int.Parse(options.GetValueOrDefault("workers", "256"), CultureInfo.InvariantCulture);
        var silos = int.Parse(options.GetValueOrDefault("silos", "1"), CultureInfo.InvariantCulture);
        var folder = Path.Combine(Path.GetTempPath(), "provenance-bench-floor-" + Environment.ProcessId);
        EmbeddedPostgres? embedded = null;
        var connection = options.GetValueOrDefault("connection");
        if (connection is null)
        {
            embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataFolder = folder, Database = "postgres" });
            connection = embedded.ConnectionString;
        }

        try
        {
            var database = await EpochBenchmarks.NewDatabaseAsync(new NpgsqlConnectionStringBuilder(connection), "floor");
            await using var node = await ClusterHost.StartAsync(database, new ClusterHostOptions { Silos = silos, ClusterId = "bench-floor" });
            var caller = CallerContext.System("default", "bench");

            var local = await RateAsync(workers, seconds, (w, n) => node.SiloGrains.GetGrain<IFloorGrain>(w % 1_000).PingAsync());
            var gateway = await RateAsync(workers, seconds, (w, n) => node.Grains.GetGrain<IFloorGrain>(w % 1_000).PingAsync());
            var writes = await RateAsync(workers, seconds, (w, n) => node.SiloGrains.GetGrain<IFloorGrain>(10_000 + w).WriteAsync(n));
            var registrations = await RateAsync(workers, seconds, (w, n) =>
            {
                var id = $"floor-{w}-{n}";
                var hash = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)));
                return node.SiloGrains.GetGrain<IAssetGrain>(id).RegisterAsync(caller, new RegisterAssetRequest(id, hash, "image/png", Title: $"load {n}", Tags: ["load"], Model: "loadgen-1"));
            });

            Console.WriteLine(Invariant($"orleans-floor: {silos} silo(s), {workers} workers, {seconds:F0} s each"));
            Console.WriteLine(Invariant($"in-memory grain calls, silo factory: {local:F0}/s"));
            Console.WriteLine(Invariant($"in-memory grain calls, cluster client over the gateway: {gateway:F0}/s"));
            Console.WriteLine(Invariant($"durable writes of a bare group-commit grain: {writes:F0}/s"));
            Console.WriteLine(Invariant($"durable signed registrations: {registrations:F0}/s = {registrations / writes:P0} of the bare writes, {registrations / local:P1} of the in-memory calls"));
            return 0;
        }
        finally
        {
            if (embedded is not null)
            {
                await embedded.DisposeAsync();
                await EmbeddedPostgres.DeleteClusterAsync(folder);
            }
        }
    }

    /// <summary>Calls <paramref name="call"/> from <paramref name="workers"/> loops for 1 s of warm-up and then <paramref name="seconds"/>; returns completed calls per second of the counted part.</summary>
    private static async Task<double> RateAsync(int workers, double seconds, Func<int, long, Task> call)
    {
        long done = 0, counted = -1, sequence = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1 + seconds));
        var clock = new Stopwatch();
        var warm = Task.Run(async () =>
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            Interlocked.Exchange(ref counted, Interlocked.Read(ref done));
            clock.Start();
        });
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await call(w, Interlocked.Increment(ref sequence));
                Interlocked.Increment(ref done);
            }
        })));
        clock.Stop();
        await warm;
        return (Interlocked.Read(ref done) - Interlocked.Read(ref counted)) / clock.Elapsed.TotalSeconds;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>The floor grain: an in-memory answer, or a bare durable write (state only, no effects).</summary>
public interface IFloorGrain : IGrainWithIntegerKey
{
    /// <summary>Answers from memory.</summary>
    Task<int> PingAsync();

    /// <summary>Stores <paramref name="value"/> durably through the group-commit store.</summary>
    Task WriteAsync(long value);
}

/// <summary>State of <see cref="FloorGrain"/>.</summary>
public sealed class FloorState
{
    /// <summary>The last value written.</summary>
    public long Value { get; set; }
}

internal sealed class FloorGrain([DurableState("floor")] IDurableState<FloorState> state) : Grain, IFloorGrain
{
    private int _calls;

    public Task<int> PingAsync() => Task.FromResult(++_calls);

    public async Task WriteAsync(long value)
    {
        state.State.Value = value;
        await state.WriteStateAsync();
    }
}
