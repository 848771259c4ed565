using BenchmarkDotNet.Running;

if (args is ["lineage-latency", ..])
{
    await Provenance.Benchmarks.Grains.LineageBenchmarks.RunLatencyProbeAsync();
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
