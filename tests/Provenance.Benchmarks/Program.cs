using BenchmarkDotNet.Running;
using Provenance.Benchmarks.HttpLoad;

// Console modes for measurements that BenchmarkDotNet's harness does not fit (HTTP load, latency percentiles,
// database-backed runs); anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["http-load", ..]:
        return await HttpLoadCommand.RunAsync(args[1..]);
    case ["http-load-trace", ..]:
        return TraceTop.Run(args[1..]);
    case ["lineage-latency", ..]:
        await Provenance.Benchmarks.Grains.LineageBenchmarks.RunLatencyProbeAsync(args[1..]);
        return 0;
    case ["kill-cycles", ..]:
        return await Provenance.Benchmarks.Chaos.KillCyclesCommand.RunAsync(args[1..]);
    case ["eviction-check", ..]:
        return await Provenance.Benchmarks.Chaos.EvictionCheckCommand.RunAsync(args[1..]);
    case ["orleans-floor", ..]:
        return await Provenance.Benchmarks.Grains.FloorBenchmarks.RunAsync(args[1..]);
    case ["epochs", ..]:
        return await Provenance.Benchmarks.Grains.EpochBenchmarks.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Provenance.Benchmarks.Grains.LineageBenchmarks).Assembly).Run(args);
return 0;
