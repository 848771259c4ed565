using Provenance.Server.Hosting;

if (await AdminCommands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

var app = await ServerHost.BuildAsync(args);
await app.RunAsync();
return 0;
