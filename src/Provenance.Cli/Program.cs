using Provenance.Cli;

using var cancel = new CancellationTokenSource();
return await CliApp.RunAsync(args, CliEnvironment.FromConsole(), cancel.Token);
