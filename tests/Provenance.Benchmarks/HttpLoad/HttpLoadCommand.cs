using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Provenance.Benchmarks.HttpLoad;

/// <summary>
/// <c>http-load</c>: an HTTP load generator for the running service (docs/benchmarks.md, "Service (issue 5)").
/// N workers share keep-alive connections (SocketsHttpHandler, MaxConnectionsPerServer = N) to one or more loopback
/// servers and either register assets (originals and derivatives of 1-2 earlier acknowledged assets) or verify a
/// pre-registered, anchored set. Bounded in time (<c>--duration</c>, after <c>--warmup</c>) and optionally in count.
/// Reports throughput, latency percentiles and errors by status.
/// </summary>
internal static class HttpLoadCommand
{
    private const string Usage = """
        usage: http-load (--server URL[,URL2] --api-key KEY | --start-server [--nodes 1|2] [--server-dll PATH])
                         [--mode register|verify] [--duration 30] [--warmup 5] [--concurrency 64] [--count 0]
                         [--derivatives 0.5] [--verify-set 2000] [--verify-by id|hash|mix]
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var mode = options.GetValueOrDefault("mode", "register");
        if (mode is not ("register" or "verify"))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var settings = new LoadSettings(
            Mode: mode,
            Duration: TimeSpan.FromSeconds(Number(options, "duration", 30)),
            Warmup: TimeSpan.FromSeconds(Number(options, "warmup", 5)),
            Concurrency: (int)Number(options, "concurrency", 64),
            Count: (long)Number(options, "count", 0),
            DerivativeShare: Number(options, "derivatives", 0.5),
            VerifySet: (int)Number(options, "verify-set", 2000),
            VerifyBy: options.GetValueOrDefault("verify-by", "mix"));

        await using var cluster = options.ContainsKey("start-server")
            ? await LocalCluster.StartAsync((int)Number(options, "nodes", 1), options.GetValueOrDefault("server-dll"))
            : null;
        var servers = cluster?.BaseAddresses
            ?? options.GetValueOrDefault("server")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(u => new Uri(u.EndsWith('/') ? u : u + "/")).ToArray();
        var apiKey = cluster?.AdminKey ?? options.GetValueOrDefault("api-key");
        if (servers is null || servers.Length == 0 || string.IsNullOrEmpty(apiKey))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        foreach (var server in servers)
        {
            if (!server.IsLoopback)
            {
                Console.Error.WriteLine($"http-load only targets loopback servers; {server} is not one.");
                return 2;
            }
        }

        var clients = servers.Select(s => NewClient(s, apiKey, settings.Concurrency)).ToArray();
        try
        {
            var run = new LoadRun(settings, clients, cluster?.CpuMeter());
            var report = await run.ExecuteAsync();
            report.Print(Console.Out, settings, servers);
            return report.Completed > 0 ? 0 : 1;
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    private static HttpClient NewClient(Uri baseAddress, string apiKey, int concurrency)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
        };
        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return client;
    }

    private static double Number(Dictionary<string, string> options, string name, double fallback) =>
        options.TryGetValue(name, out var text) ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static Dictionary<string, string> Parse(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }

            var name = args[i][2..];
            if (name is "start-server")
            {
                options[name] = "true";
            }
            else if (i + 1 < args.Length)
            {
                options[name] = args[++i];
            }
            else
            {
                throw new ArgumentException($"--{name} needs a value.");
            }
        }

        return options;
    }
}

internal sealed record LoadSettings(string Mode, TimeSpan Duration, TimeSpan Warmup, int Concurrency, long Count, double DerivativeShare, int VerifySet, string VerifyBy);

/// <summary>One run: warm-up (not recorded), then the measured window; every worker records its own latencies.</summary>
internal sealed class LoadRun(LoadSettings settings, HttpClient[] clients, CpuMeter? meter)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };
    private readonly string prefix = "hl-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private readonly ConcurrentDictionary<string, long> errors = new(StringComparer.Ordinal);
    private readonly string[] recent = new string[4096]; // acknowledged ids that derivatives may name as parents
    private long acknowledged;
    private long next;

    public async Task<LoadReport> ExecuteAsync()
    {
        string[] verifySet = [];
        if (settings.Mode == "verify")
        {
            verifySet = await PrepareVerifySetAsync();
        }

        var loadBefore = LoadAverage();
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(settings.Warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(settings.Duration.TotalSeconds * Stopwatch.Frequency);
        var perWorker = new List<long>[settings.Concurrency];
        var perServer = new long[clients.Length];
        long measuredCount = 0;
        var cpuAtStart = Task.Run(async () =>
        {
            await Task.Delay(settings.Warmup);
            return meter?.Sample();
        });
        await Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(w => Task.Run(async () =>
        {
            var latencies = perWorker[w] = new List<long>(16_384);
            var random = new Random(w * 7919 + 1);
            while (true)
            {
                var now = Stopwatch.GetTimestamp();
                if (now >= end || (settings.Count > 0 && now >= measureFrom && Interlocked.Read(ref measuredCount) >= settings.Count))
                {
                    return;
                }

                var n = Interlocked.Increment(ref next);
                var server = (int)(n % clients.Length);
                var began = Stopwatch.GetTimestamp();
                var ok = settings.Mode == "register"
                    ? await RegisterOneAsync(clients[server], n, random, record: began >= measureFrom)
                    : await VerifyOneAsync(clients[server], verifySet[random.Next(verifySet.Length)], random, record: began >= measureFrom);
                var finished = Stopwatch.GetTimestamp();
                if (began >= measureFrom && finished <= end)
                {
                    latencies.Add(finished - began);
                    if (ok)
                    {
                        Interlocked.Increment(ref measuredCount);
                        Interlocked.Increment(ref perServer[server]);
                    }
                }
            }
        })));
        var window = Stopwatch.GetElapsedTime(measureFrom, Math.Min(Stopwatch.GetTimestamp(), end));
        var cpuAtEnd = meter?.Sample();
        var cpuBegin = await cpuAtStart;
        var all = perWorker.SelectMany(l => l).ToArray();
        Array.Sort(all);
        var cpu = cpuBegin is { } b && cpuAtEnd is { } e ? (e.Server - b.Server, e.Postgres - b.Postgres, e.Generator - b.Generator) : ((double, double, double)?)null;
        return new LoadReport(measuredCount, all, window, new Dictionary<string, long>(errors), perServer, loadBefore, LoadAverage(), verifySet.Length, cpu);
    }

    private async Task<bool> RegisterOneAsync(HttpClient client, long n, Random random, bool record)
    {
        var id = $"{prefix}-{n}";
        var body = new StringBuilder(256);
        body.Append("{\"assetId\":\"").Append(id)
            .Append("\",\"contentHash\":\"sha256:").Append(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))))
            .Append("\",\"mediaType\":\"image/png\",\"title\":\"http-load ").Append(n).Append('"');
        var known = Math.Min(Interlocked.Read(ref acknowledged), recent.Length);
        if (known > 0 && random.NextDouble() < settings.DerivativeShare)
        {
            var first = Volatile.Read(ref recent[random.Next((int)known)]);
            var second = random.Next(2) == 0 ? null : Volatile.Read(ref recent[random.Next((int)known)]);
            body.Append(",\"parents\":[{\"assetId\":\"").Append(first).Append("\"}");
            if (second is not null && second != first)
            {
                body.Append(",{\"assetId\":\"").Append(second).Append("\",\"relationship\":\"componentOf\"}");
            }

            body.Append(']');
        }

        body.Append('}');
        var status = await PostAsync(client, "v1/assets", body.ToString(), null, record);
        if (status == 201)
        {
            var slot = Interlocked.Increment(ref acknowledged) - 1;
            Volatile.Write(ref recent[slot % recent.Length], id);
            return true;
        }

        return false;
    }

    private async Task<bool> VerifyOneAsync(HttpClient client, string id, Random random, bool record)
    {
        var byHash = settings.VerifyBy == "hash" || (settings.VerifyBy == "mix" && random.Next(2) == 0);
        var body = byHash
            ? $"{{\"contentHash\":\"sha256:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))}\"}}"
            : $"{{\"assetId\":\"{id}\"}}";
        return await PostAsync(client, "v1/verify", body, "\"verdict\":\"verified\"", record) == 200;
    }

    /// <summary>Posts JSON; answers the status (0 on a transport error). With <paramref name="expect"/>, a 2xx body without it counts as an error.</summary>
    private async Task<int> PostAsync(HttpClient client, string path, string json, string? expect, bool record)
    {
        try
        {
            using var content = new StringContent(json, Encoding.UTF8);
            content.Headers.ContentType = Json;
            using var response = await client.PostAsync(path, content);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode && expect is not null && !text.Contains(expect, StringComparison.Ordinal))
            {
                Count(record, $"{status} {Verdict(text)}");
                return -status;
            }

            if (!response.IsSuccessStatusCode)
            {
                Count(record, $"{status} {ProblemCode(text)}");
            }

            return status;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            Count(record, "transport " + e.GetType().Name);
            return 0;
        }
    }

    private void Count(bool record, string key)
    {
        if (record)
        {
            errors.AddOrUpdate(key, 1, (_, c) => c + 1);
        }
    }

    private static string Verdict(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            var failed = doc.RootElement.TryGetProperty("checks", out var checks)
                ? string.Join(",", checks.EnumerateArray().Where(c => c.GetProperty("outcome").GetString() != "pass" && c.GetProperty("outcome").GetString() != "notApplicable").Select(c => c.GetProperty("name").GetString()))
                : "";
            return $"verdict {doc.RootElement.GetProperty("verdict").GetString()} [{failed}]";
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return "unexpected body";
        }
    }

    private static string ProblemCode(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.TryGetProperty("type", out var type) ? type.GetString()?.Split('/')[^1] ?? "" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    /// <summary>Registers the verify set (not measured), triggers an epoch and waits until it is timestamped.</summary>
    private async Task<string[]> PrepareVerifySetAsync()
    {
        Console.Error.WriteLine($"registering {settings.VerifySet} assets to verify...");
        var ids = new ConcurrentBag<string>();
        long made = 0;
        await Task.WhenAll(Enumerable.Range(0, Math.Min(settings.Concurrency, 32)).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            while (true)
            {
                var n = Interlocked.Increment(ref made);
                if (n > settings.VerifySet)
                {
                    return;
                }

                if (await RegisterOneAsync(clients[(int)(n % clients.Length)], n, random, record: false))
                {
                    ids.Add($"{prefix}-{n}");
                }
            }
        })));
        acknowledged = 0;
        next = settings.VerifySet;
        if (ids.IsEmpty)
        {
            throw new InvalidOperationException("No asset could be registered for the verify set.");
        }

        using var trigger = await clients[0].PostAsync("v1/epochs/trigger", null);
        var triggerText = await trigger.Content.ReadAsStringAsync();
        if (!trigger.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Epoch trigger failed: {(int)trigger.StatusCode} {triggerText}");
        }

        var epoch = JsonDocument.Parse(triggerText).RootElement.GetProperty("epoch").GetInt64();
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            var text = await clients[0].GetStringAsync($"v1/epochs/{epoch}");
            if (JsonDocument.Parse(text).RootElement.GetProperty("status").GetString() == "timestamped")
            {
                break;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Epoch {epoch} was not timestamped within 120 s: {text}");
            }

            await Task.Delay(200);
        }

        Console.Error.WriteLine($"{ids.Count} assets registered, epoch {epoch} timestamped");
        return [.. ids];
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}

internal sealed record LoadReport(long Completed, long[] LatencyTicks, TimeSpan Window, Dictionary<string, long> Errors, long[] PerServer, string LoadBefore, string LoadAfter, int VerifySet,
    (double Server, double Postgres, double Generator)? CpuSeconds)
{
    public void Print(TextWriter output, LoadSettings settings, IReadOnlyList<Uri> servers)
    {
        double Ms(double p)
        {
            if (LatencyTicks.Length == 0)
            {
                return double.NaN;
            }

            var index = Math.Min(LatencyTicks.Length - 1, (int)Math.Ceiling(p * LatencyTicks.Length) - 1);
            return LatencyTicks[Math.Max(0, index)] * 1000.0 / Stopwatch.Frequency;
        }

        var rate = Completed / Window.TotalSeconds;
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"mode {settings.Mode}, {servers.Count} server(s) [{string.Join(", ", servers)}], concurrency {settings.Concurrency}, warm-up {settings.Warmup.TotalSeconds} s, window {Window.TotalSeconds:F1} s{(VerifySet > 0 ? $", verify set {VerifySet} by {settings.VerifyBy}" : "")}"));
        output.WriteLine(string.Create(inv, $"ok {Completed}, {rate:F0}/s; latency ms p50 {Ms(0.50):F2}  p90 {Ms(0.90):F2}  p99 {Ms(0.99):F2}  max {Ms(1.0):F2}  (n={LatencyTicks.Length})"));
        if (servers.Count > 1)
        {
            output.WriteLine("per server: " + string.Join(", ", PerServer.Select((c, i) => string.Create(inv, $"{servers[i]} {c / Window.TotalSeconds:F0}/s"))));
        }

        output.WriteLine(Errors.Count == 0 ? "errors: none" : "errors: " + string.Join(", ", Errors.OrderByDescending(e => e.Value).Select(e => $"{e.Key} x{e.Value}")));
        if (CpuSeconds is { } cpu && Completed > 0)
        {
            double PerRequest(double seconds) => seconds * 1000 / Completed;
            var total = PerRequest(cpu.Server) + PerRequest(cpu.Postgres);
            output.WriteLine(string.Create(inv, $"cpu ms per ok request: server {PerRequest(cpu.Server):F3}, postgres {PerRequest(cpu.Postgres):F3}, generator {PerRequest(cpu.Generator):F3}; server+postgres {total:F3} ms => CPU-bound ceiling on {Environment.ProcessorCount} otherwise idle cores ~{Environment.ProcessorCount * 1000 / total:F0}/s (with the generator on the same cores ~{Environment.ProcessorCount * 1000 / (total + PerRequest(cpu.Generator)):F0}/s)"));
        }

        output.WriteLine($"load average before {LoadBefore}, after {LoadAfter} ({Environment.ProcessorCount} cores)");
    }
}
