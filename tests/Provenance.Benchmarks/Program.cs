using BenchmarkDotNet.Running;

// Console modes for measurements that BenchmarkDotNet's harness does not fit (latency percentiles,
// database-backed runs); anything else goes to BenchmarkDotNet.
switch (args)
{
    case ["lineage-latency", ..]:
        await Provenance.Benchmarks.Grains.LineageBenchmarks.RunLatencyProbeAsync();
        return 0;
    case ["epochs", ..]:
        return await Provenance.Benchmarks.Grains.EpochBenchmarks.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
