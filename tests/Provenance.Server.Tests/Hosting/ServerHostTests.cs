using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Provenance.Core.Contracts;
using Provenance.Server.Hosting;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests.Hosting;

/// <summary>Tests that capture stdout run alone (stdout is process-wide).</summary>
[CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
public sealed class ConsoleCollection;

[Collection(nameof(ConsoleCollection))]
public sealed class ServerHostTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private static async Task<(T Result, string Output)> CaptureAsync<T>(Func<Task<T>> action)
    {
        var original = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(writer));
        try
        {
            var result = await action();
            return (result, writer.ToString());
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task FirstStart_NoConnectionString_StartsEmbeddedPostgresAndPrintsAdminKeyOnce()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "provenance-server-tests", "embedded-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            string[] args = ["--urls=http://127.0.0.1:0", "--Provenance:Cluster:SiloPort=0", "--Provenance:Cluster:GatewayPort=0", $"--Provenance:DataDirectory={dataDirectory}", "--Logging:LogLevel:Default=Warning"];
            var (first, output) = await CaptureAsync(async () =>
            {
                var app = await ServerHost.BuildAsync(args);
                await app.StartAsync();
                return app;
            });
            var key = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-key.txt"))).Trim();
            Assert.Contains($"Admin API key: {key}" + Environment.NewLine, output, StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dataDirectory, "admin-key.txt")));
            Assert.True(File.Exists(Path.Combine(dataDirectory, "pg", "data", "PG_VERSION")));
            var address = first.Urls.First();
            using (var client = new HttpClient { BaseAddress = new Uri(address) })
            {
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
                Assert.Single((await client.GetFromJsonAsync<ApiKeyDto[]>("/v1/admin/api-keys", ApiJson.Options))!);
            }

            await first.StopAsync();
            await first.DisposeAsync();
            Assert.False(File.Exists(Path.Combine(dataDirectory, "pg", "data", "postmaster.pid")), "the embedded PostgreSQL was not stopped");

            var (second, secondOutput) = await CaptureAsync(async () =>
            {
                var app = await ServerHost.BuildAsync(args);
                await app.StartAsync();
                return app;
            });
            using (var client = new HttpClient { BaseAddress = new Uri(second.Urls.First()) })
            {
                client.DefaultRequestHeaders.Add("X-Api-Key", key);
                Assert.Single((await client.GetFromJsonAsync<ApiKeyDto[]>("/v1/admin/api-keys", ApiJson.Options))!);
            }

            Assert.DoesNotContain("Admin API key: " + key, secondOutput, StringComparison.Ordinal);
            Assert.Equal(key, (await File.ReadAllTextAsync(Path.Combine(dataDirectory, "admin-key.txt"))).Trim());
            await second.StopAsync();
            await second.DisposeAsync();
        }
        finally
        {
            await Provenance.Storage.Postgres.Embedded.EmbeddedPostgres.DeleteClusterAsync(Path.Combine(dataDirectory, "pg"));
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task KeysCreateCommand_PrintsAKeyTheServerAccepts()
    {
        await using var server = await TestServer.StartAsync(postgres.ConnectionString);

        var (exitCode, output) = await CaptureAsync(() => AdminCommands.TryRunAsync(
            ["keys", "create", "--tenant", "cli-tenant", "--scopes", "read,register", $"--ConnectionStrings:Provenance={postgres.ConnectionString}", $"--Provenance:DataDirectory={server.DataDirectory}", "--Logging:LogLevel:Default=Warning"]));

        Assert.Equal(0, exitCode);
        var token = output.Split('\n').Single(l => l.StartsWith("API key: ", StringComparison.Ordinal))["API key: ".Length..].Trim();
        using var client = server.Client(token);
        var keys = await Problem.AssertAsync(await client.GetAsync("v1/admin/api-keys"), 403, "forbidden");
        Assert.Contains("'admin'", keys.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("v1/keys")).StatusCode);
        using var admin = server.Client(server.AdminKey);
        var created = await admin.PostAsJsonAsync("v1/admin/api-keys", new CreateApiKeyRequest("cli-tenant", [Scopes.Admin]), ApiJson.Options);
        var tenantAdmin = (await created.Content.ReadFromJsonAsync<ApiKeyDto>(ApiJson.Options))!;
        using var tenantClient = server.Client(tenantAdmin.Secret);
        var listed = await tenantClient.GetFromJsonAsync<JsonElement>("v1/admin/api-keys");
        Assert.Contains(listed.EnumerateArray(), k => k.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).SequenceEqual(["read", "register"]));
    }

    [Theory]
    [InlineData("keys", "create", "--tenant", "Bad Tenant", "--scopes", "read")]
    [InlineData("keys", "create", "--tenant", "ok", "--scopes", "root")]
    [InlineData("keys", "create", "--tenant", "ok")]
    public async Task KeysCreateCommand_BadArguments_ExitCode2(params string[] args)
    {
        var original = Console.Error;
        Console.SetError(TextWriter.Null);
        try
        {
            Assert.Equal(2, await AdminCommands.TryRunAsync(args));
        }
        finally
        {
            Console.SetError(original);
        }
    }

    [Fact]
    public async Task NoCommand_StartsServer()
    {
        Assert.Null(await AdminCommands.TryRunAsync(["--urls=http://127.0.0.1:0"]));
    }
}
