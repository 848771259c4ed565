using BenchmarkDotNet.Running;

// "epochs" runs the database-backed epoch measurements (Grains/EpochBenchmarks.cs); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "epochs")
{
    return await Provenance.Benchmarks.Grains.EpochBenchmarks.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
