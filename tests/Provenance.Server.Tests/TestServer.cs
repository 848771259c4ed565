using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Provenance.Core.Contracts;
using Provenance.Server.Hosting;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Server.Tests;

/// <summary>
/// A real server: <see cref="ServerHost.BuildAsync"/> on Kestrel at 127.0.0.1 port 0, against a database of the shared
/// embedded PostgreSQL cluster, with the built-in TSA. Started and stopped like the real process.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly bool ownsDataDirectory;

    private TestServer(WebApplication app, string dataDirectory, string connectionString, bool ownsDataDirectory)
    {
        this.ownsDataDirectory = ownsDataDirectory;
        App = app;
        DataDirectory = dataDirectory;
        ConnectionString = connectionString;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        AdminKey = File.ReadAllText(Path.Combine(dataDirectory, "admin-key.txt")).Trim();
    }

    public WebApplication App { get; }

    public string DataDirectory { get; }

    public string ConnectionString { get; }

    public Uri BaseAddress { get; }

    /// <summary>The bootstrap admin key of tenant <c>default</c> (read from admin-key.txt).</summary>
    public string AdminKey { get; }

    /// <summary>Starts a server on <paramref name="connectionString"/> (a new database each time unless given), data under a fresh folder unless given.</summary>
    public static async Task<TestServer> StartAsync(string connectionString, string? dataDirectory = null, params string[] extraArgs)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "provenance-server-tests", Guid.NewGuid().ToString("N")[..12]);
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            "--Provenance:Cluster:SiloPort=0",
            "--Provenance:Cluster:GatewayPort=0",
            $"--ConnectionStrings:Provenance={connectionString}",
            $"--Provenance:DataDirectory={dataDirectory}",
            "--Provenance:Webhooks:RetryBaseSeconds=0.2",
            "--Provenance:Webhooks:MaxRetryDelaySeconds=1",
            "--Provenance:Webhooks:PollSeconds=0.1",
            "--Provenance:Webhooks:TimeoutSeconds=5",
            "--Provenance:Uploads:MaxBytes=4194304",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        var app = await ServerHost.BuildAsync(args);
        await app.StartAsync();
        return new TestServer(app, dataDirectory, connectionString, owns);
    }

    /// <summary>A client with <paramref name="key"/> as bearer token (none when null).</summary>
    public HttpClient Client(string? key = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>Creates a key through the API with the admin key.</summary>
    public async Task<ApiKeyDto> CreateKeyAsync(string tenant, params string[] scopes)
    {
        using var client = Client(AdminKey);
        var response = await client.PostAsJsonAsync("v1/admin/api-keys", new CreateApiKeyRequest(tenant, scopes), ApiJson.Options);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ApiKeyDto>(ApiJson.Options))!;
    }

    /// <summary>Stops the server; deletes its data directory when <see cref="StartAsync"/> chose it.</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (ownsDataDirectory && Directory.Exists(DataDirectory))
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }
}

/// <summary>One server per test class, on its own database of the shared cluster.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public PostgresFixture Postgres { get; } = new();

    public TestServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        Server = await TestServer.StartAsync(Postgres.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Postgres.DisposeAsync();
    }
}

/// <summary>Assertions on problem+json answers.</summary>
public static class Problem
{
    /// <summary>Asserts status, problem+json media type, the stable type URI, traceId, no stack trace; returns the body.</summary>
    public static async Task<JsonElement> AssertAsync(HttpResponseMessage response, int status, string code, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("https://provenance.dev/problems/" + code, body.GetProperty("type").GetString());
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("traceId").GetString()));
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        if (field is not null)
        {
            Assert.Equal(field, body.GetProperty("field").GetString());
        }

        return body;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
