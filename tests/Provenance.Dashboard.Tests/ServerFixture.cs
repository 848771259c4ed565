using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Provenance.Dashboard.Tests;

/// <summary>Starts the REAL server from its build output (it builds nothing itself: the solution build made it) with a
/// temporary data folder and a free port, reads the first admin key it prints, and seeds a lineage over HTTP.
/// Override the server with PROVENANCE_SERVER_DLL.</summary>
public sealed partial class ServerFixture : IAsyncLifetime
{
    private Process? process;
    private readonly StringBuilder output = new();
    private readonly object outputLock = new();

    public string RepoRoot { get; } = FindRepoRoot();
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), $"pv-dash-{Guid.NewGuid():N}");
    public Uri BaseUri { get; private set; } = null!;
    public string AdminKey { get; private set; } = "";
    public string ReadOnlyKey { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;
    public Seed Data { get; private set; } = null!;
    public BrowserHandle Browser { get; private set; } = null!;

    /// <summary>Test output folder for screenshots, downloads and the server log.</summary>
    public static string ArtifactsDir { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts");

    public string ServerLog { get { lock (outputLock) return output.ToString(); } }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(ArtifactsDir);
        Directory.CreateDirectory(DataDirectory);
        if (Environment.GetEnvironmentVariable("PROVENANCE_TEST_SERVER_URL") is { Length: > 0 } external)
        {
            // A server someone else runs (a dev box, a deployment): same tests, no process of ours.
            BaseUri = new Uri(external.TrimEnd('/') + "/");
            AdminKey = Environment.GetEnvironmentVariable("PROVENANCE_TEST_ADMIN_KEY")
                ?? throw new InvalidOperationException("PROVENANCE_TEST_SERVER_URL needs PROVENANCE_TEST_ADMIN_KEY");
            Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
            Data = await SeedAsync();
            Browser = await Browsers.LaunchAsync();
            return;
        }
        var dll = FindServerDll();
        var port = FreePort();
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { dll, "--urls", $"http://127.0.0.1:{port}", "--Provenance:Cluster:SiloPort=0", "--Provenance:Cluster:GatewayPort=0", $"--Provenance:DataDirectory={DataDirectory}" })
            psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the server");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (outputLock) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (outputLock) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(60) };
        try
        {
            AdminKey = await WaitForStartAsync(TimeSpan.FromSeconds(180));
            Data = await SeedAsync();
            Browser = await Browsers.LaunchAsync();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"{e.Message}\n--- server output ---\n{Tail(ServerLog, 6000)}", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Http?.Dispose();
        if (process is { HasExited: false })
        {
            // Ask for a graceful stop first so the server shuts its embedded PostgreSQL down; then force.
            if (!OperatingSystem.IsWindows())
            {
                using var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                term?.WaitForExit(5_000);
            }
            if (!process.WaitForExit(30_000)) process.Kill(entireProcessTree: true);
        }
        process?.Dispose();
        await File.WriteAllTextAsync(Path.Combine(ArtifactsDir, "server.log"), ServerLog);
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private async Task<string> WaitForStartAsync(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        string? key = null;
        var keyFile = Path.Combine(DataDirectory, "admin-key.txt");
        while (sw.Elapsed < timeout)
        {
            if (process!.HasExited) throw new InvalidOperationException($"the server exited with code {process.ExitCode} during start");
            key ??= AdminKeyLine().Match(ServerLog) is { Success: true } m ? m.Groups[1].Value
                : File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile)).Trim() is { Length: > 0 } k ? k : null : null;
            if (key is not null && await ReadyAsync()) return key;
            await Task.Delay(250);
        }
        throw new TimeoutException($"the server did not become ready within {timeout.TotalSeconds} s (admin key {(key is null ? "not seen" : "seen")})");
    }

    private async Task<bool> ReadyAsync()
    {
        try
        {
            using var r = await Http.GetAsync("readyz");
            if (r.IsSuccessStatusCode) return true;
            if (r.StatusCode != HttpStatusCode.NotFound) return false;
            using var h = await Http.GetAsync("healthz");
            return h.IsSuccessStatusCode;
        }
        catch (HttpRequestException) { return false; }
        catch (TaskCanceledException) { return false; }
    }

    [GeneratedRegex(@"Admin API key: (\S+)")]
    private static partial Regex AdminKeyLine();

    // ---- seeding over the public API ----------------------------------------------------------------

    /// <summary>Ids of the seeded assets: orig ← remix1 ← remix2 ← remix3 (leaf), remix1 also has a parent owned by
    /// tenant "other" (shown redacted); orig has extra children for paging; a failed and a revoked asset; two epochs.</summary>
    public sealed record Seed(string Orig, string Remix1, string Remix2, string Remix3, string Foreign, IReadOnlyList<string> Fans,
        string Failed, string Revoked, string PromptFamily, string OrigHash, string Model, string Tag);

    private string run = "";
    private string promptFamily = "";

    private async Task<Seed> SeedAsync()
    {
        // Ids carry a run suffix so the same seed also works against a long-lived server (PROVENANCE_TEST_SERVER_URL).
        run = Guid.NewGuid().ToString("N")[..6];
        promptFamily = $"dash-poster-{run}";
        var other = await PostAsync(AdminKey, "v1/admin/api-keys", new { tenant = "other", scopes = new[] { "register", "read", "anchor", "admin" }, description = "dashboard tests: second tenant" });
        var otherKey = other!["secret"]!.GetValue<string>();
        var ro = await PostAsync(AdminKey, "v1/admin/api-keys", new { tenant = "default", scopes = new[] { "read" }, description = "dashboard tests: read only" });
        ReadOnlyKey = ro!["secret"]!.GetValue<string>();

        // Let each tenant use the other's assets as parents (the policy names trusted tenants).
        await PutAsync(AdminKey, "v1/admin/tenant-policy", new { promptPrivacy = "clear", allowDraftPrompts = false, trustedTenants = new[] { "other" } });
        await PutAsync(otherKey, "v1/admin/tenant-policy", new { promptPrivacy = "clear", allowDraftPrompts = false, trustedTenants = new[] { "default" } });

        var family = promptFamily;
        await PostAsync(AdminKey, $"v1/prompts/{family}/versions", new { version = "1.0.0", systemPrompt = "You design posters.", userPrompt = "A sunset\nover the sea" });
        await PostAsync(AdminKey, $"v1/prompts/{family}/versions/1.0.0/approve", new { reason = "first wording" });
        await PostAsync(AdminKey, $"v1/prompts/{family}/versions", new { version = "1.1.0", systemPrompt = "You design posters.", userPrompt = "A red sunset\nover the sea\nwith gulls", negativePrompt = "text, watermark" });
        await PostAsync(AdminKey, $"v1/prompts/{family}/versions/1.1.0/approve", new { reason = "adds gulls" });

        await RegisterAsync(otherKey, $"dash-foreign-{run}", "Other tenant's stock photo", null);
        var origHash = Hash($"dash-orig-{run}");
        await RegisterAsync(AdminKey, $"dash-orig-{run}", "Original sunset poster", null, restrictions: ["no-commercial-use"], version: "1.0.0");
        await RegisterAsync(AdminKey, $"dash-remix1-{run}", "Sunset remix one", [($"dash-orig-{run}", "parentOf"), ($"dash-foreign-{run}", "inputTo")]);
        await RegisterAsync(AdminKey, $"dash-remix2-{run}", "Sunset remix two", [($"dash-remix1-{run}", "parentOf")]);
        await RegisterAsync(AdminKey, $"dash-remix3-{run}", "Sunset remix three (leaf)", [($"dash-remix2-{run}", "componentOf")]);
        await PostAsync(AdminKey, $"v1/assets/dash-remix2-{run}/moderation", new { decision = "allowed", rules = new[] { "nsfw", "violence" }, scores = new Dictionary<string, double> { ["nsfw"] = 0.01, ["violence"] = 0.0 }, reviewer = "moderation-bot" });
        await PostAsync(AdminKey, $"v1/assets/dash-remix2-{run}/approvals", new { scope = "marketing", reason = "cleared by legal", lifts = new[] { "no-commercial-use" } });
        await PostAsync(AdminKey, "v1/epochs/trigger", new { });

        var fans = new List<string>();
        for (var i = 1; i <= 4; i++)
        {
            var id = $"dash-fan{i}-{run}";
            await RegisterAsync(AdminKey, id, $"Sunset variation {i}", [($"dash-orig-{run}", "parentOf")]);
            fans.Add(id);
        }
        await RegisterAsync(AdminKey, $"dash-failed-{run}", "Render that failed", null, status: "requested");
        await TransitionAsync($"dash-failed-{run}", "failed", "renderer crashed (out of memory)");
        await RegisterAsync(AdminKey, $"dash-revoked-{run}", "Poster withdrawn", [($"dash-orig-{run}", "parentOf")]);
        await TransitionAsync($"dash-revoked-{run}", "revoked", "licence complaint");
        await PostAsync(AdminKey, "v1/epochs/trigger", new { });

        return new Seed($"dash-orig-{run}", $"dash-remix1-{run}", $"dash-remix2-{run}", $"dash-remix3-{run}", $"dash-foreign-{run}", fans, $"dash-failed-{run}", $"dash-revoked-{run}",
            family, origHash, "imagegen", "sunset");
    }

    private async Task TransitionAsync(string id, string status, string reason)
    {
        if (await SendOkAsync(AdminKey, $"v1/assets/{id}/status", new { status, reason })) return;
        // The lifecycle may not allow the direct jump: walk the usual path and try again after each step.
        foreach (var step in new[] { "generated", "moderated", "approved", "published" })
        {
            await SendOkAsync(AdminKey, $"v1/assets/{id}/status", new { status = step, reason = "dashboard test set-up" });
            if (await SendOkAsync(AdminKey, $"v1/assets/{id}/status", new { status, reason })) return;
        }
        using var last = await SendAsync(AdminKey, HttpMethod.Post, $"v1/assets/{id}/status", new { status, reason });
        throw new InvalidOperationException($"could not move {id} to {status}: {(int)last.StatusCode} {await last.Content.ReadAsStringAsync()}");
    }

    private async Task<bool> SendOkAsync(string key, string path, object body)
    {
        using var r = await SendAsync(key, HttpMethod.Post, path, body);
        return r.IsSuccessStatusCode;
    }

    public static string Hash(string seed) => "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    private Task<JsonNode?> RegisterAsync(string key, string id, string title, (string Id, string Rel)[]? parents,
        string status = "generated", string[]? restrictions = null, string version = "1.1.0") =>
        PostAsync(key, "v1/assets", new
        {
            assetId = id,
            contentHash = Hash(id),
            mediaType = "image/png",
            title,
            tags = new[] { "sunset", "poster" },
            parents = parents?.Select(p => new { assetId = p.Id, relationship = p.Rel }).ToArray(),
            project = "spring-campaign",
            creator = "alice@example.com",
            tool = new { name = "PosterStudio", version = "3.2" },
            provider = "acme-ai",
            model = "imagegen",
            modelVersion = "xl-2026-10",
            prompt = key == AdminKey ? new { familyId = promptFamily, version } : null,
            parameters = new Dictionary<string, object> { ["seed"] = 42, ["steps"] = 30, ["guidance"] = 7.5 },
            status,
            restrictions,
        });

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public async Task<HttpResponseMessage> SendAsync(string key, HttpMethod method, string path, object? body = null)
    {
        using var req = new HttpRequestMessage(method, path);
        req.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null) req.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/json");
        return await Http.SendAsync(req);
    }

    public async Task<JsonNode?> PostAsync(string key, string path, object body) => await ExpectAsync(await SendAsync(key, HttpMethod.Post, path, body), "POST", path);
    public async Task<JsonNode?> PutAsync(string key, string path, object body) => await ExpectAsync(await SendAsync(key, HttpMethod.Put, path, body), "PUT", path);
    public async Task<JsonNode?> GetAsync(string path) => await ExpectAsync(await SendAsync(AdminKey, HttpMethod.Get, path), "GET", path);

    private static async Task<JsonNode?> ExpectAsync(HttpResponseMessage r, string method, string path)
    {
        using (r)
        {
            var text = await r.Content.ReadAsStringAsync();
            if (!r.IsSuccessStatusCode) throw new InvalidOperationException($"{method} /{path}: {(int)r.StatusCode} {text}");
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
    }

    // ---- locating things -----------------------------------------------------------------------------

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Provenance.Orleans.sln"))) return d.FullName;
        throw new InvalidOperationException("Provenance.Orleans.sln not found above the test output folder");
    }

    private string FindServerDll()
    {
        if (Environment.GetEnvironmentVariable("PROVENANCE_SERVER_DLL") is { Length: > 0 } env) return env;
        var config = typeof(ServerFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        foreach (var c in new[] { config, "Release", "Debug" })
        {
            var p = Path.Combine(RepoRoot, "src", "Provenance.Server", "bin", c, "net10.0", "Provenance.Server.dll");
            if (File.Exists(p)) return p;
        }
        throw new InvalidOperationException("the server is not built: run `dotnet build Provenance.Orleans.sln -c Release` (the tests start src/Provenance.Server/bin/<config>/net10.0/Provenance.Server.dll)");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Tail(string s, int n) => s.Length <= n ? s : s[^n..];
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "real server";
}
