using Provenance.Server.Hosting;

if (args is ["healthcheck", ..])
{
    return await HealthCheckCommand.RunAsync(args[1..]);
}

if (await AdminCommands.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

WebApplication app;
try
{
    app = await ServerHost.BuildAsync(args);
    // Starting runs the silo: membership, reminders and storage are reached here, so a bad setting fails now.
    await app.StartAsync();
}
catch (Exception exception)
{
    // An unusable setting (clustering, storage, addresses) stops the server with a one-line reason, not a stack trace.
    Console.Error.WriteLine($"Provenance.Server: cannot start: {StartupFailure.Describe(exception)}");
    return 1;
}

await app.WaitForShutdownAsync();
await app.DisposeAsync();
return 0;
