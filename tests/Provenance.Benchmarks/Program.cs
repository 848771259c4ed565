using BenchmarkDotNet.Running;
using Provenance.Benchmarks.HttpLoad;

// `http-load ...` runs the HTTP load generator (docs/benchmarks.md, "Service"); everything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "http-load")
{
    return await HttpLoadCommand.RunAsync(args[1..]);
}

if (args is ["http-load-trace", ..])
{
    return Provenance.Benchmarks.HttpLoad.TraceTop.Run(args[1..]);
}

if (args is ["lineage-latency", ..])
{
    await Provenance.Benchmarks.Grains.LineageBenchmarks.RunLatencyProbeAsync();
    return 0;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
