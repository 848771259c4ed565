using Provenance.Server.Hosting;

if (args is ["healthcheck", ..])
{
    return await HealthCheckCommand.RunAsync(args[1..]);
}

if (await AdminCommands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

var app = await ServerHost.BuildAsync(args);
await app.RunAsync();
return 0;
