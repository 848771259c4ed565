using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Provenance.Benchmarks.HttpLoad;
using Provenance.Core.Contracts;

namespace Provenance.Benchmarks.Chaos;

/// <summary>
/// <c>kill-cycles [--cycles 20] [--workers 16] [--readers 4] [--load-seconds 4] [--server-dll P]</c>: two server processes (two Orleans
/// silos) on one embedded PostgreSQL under HTTP registration load; each cycle SIGKILLs one of them (alternating), measures
/// how long until the survivor serves every asset acknowledged so far, and restarts the killed one. A request cut off
/// by the crash is retried on the other node with the same id and claims, and must get the same answer (201), never a 409.
/// At the end: every acknowledged registration is readable with the manifest hash it was acknowledged with, and the log
/// has one leaf per acknowledged revision with contiguous indexes (no gap, no duplicate).
/// Reads are probed throughout: <c>--readers</c> clients GET just-acknowledged assets while the writes run, and their
/// latency is reported while both nodes are up (p99 must stay under 50 ms, every answer 200); after each restart the
/// restarted node must serve the newest acknowledged assets within 5 s of its readiness. Exit code 1 on any violation.
/// </summary>
internal static class KillCyclesCommand
{
    private sealed record Acknowledged(string Id, string ManifestHash);

    public static async Task<int> RunAsync(string[] args)
    {
        var options = Options(args);
        var cycles = int.Parse(options.GetValueOrDefault("cycles", "20"), CultureInfo.InvariantCulture);
        var workers = int.Parse(options.GetValueOrDefault("workers", "16"), CultureInfo.InvariantCulture);
        var loadSeconds = double.Parse(options.GetValueOrDefault("load-seconds", "4"), CultureInfo.InvariantCulture);
        var readers = int.Parse(options.GetValueOrDefault("readers", "4"), CultureInfo.InvariantCulture);
        await using var cluster = await LocalCluster.StartAsync(2, options.GetValueOrDefault("server-dll"));
        var clients = cluster.BaseAddresses.Select(a => Client(a, cluster.AdminKey)).ToArray();
        var acknowledged = new ConcurrentDictionary<string, Acknowledged>(StringComparer.Ordinal);
        var violations = new ConcurrentQueue<string>();
        var recoveries = new List<double>();
        var restartRecoveries = new List<double>();
        var recent = new RecentIds(1024);
        var readLatencies = new ConcurrentBag<double>();
        long next = 0, retried = 0, readErrors = 0;
        var down = -1;

        for (var cycle = 0; cycle < cycles; cycle++)
        {
            using var stop = new CancellationTokenSource();
            var victim = cycle % 2;
            var load = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var n = Interlocked.Increment(ref next);
                    var id = $"kc-{n:D7}";
                    var request = new RegisterAssetRequest(id, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))), "image/png", Title: id);
                    var (status, manifest, tries) = await RegisterWithRetriesAsync(clients, (int)(n % 2), request, () => Volatile.Read(ref down));
                    Interlocked.Add(ref retried, tries - 1);
                    if (status == HttpStatusCode.Created)
                    {
                        acknowledged[id] = new Acknowledged(id, manifest!);
                        recent.Add(id);
                    }
                    else
                    {
                        violations.Enqueue($"{id}: {(int)status} after {tries} tries");
                    }
                }
            })).ToArray();
            var reads = Enumerable.Range(0, readers).Select(r => Task.Run(async () =>
            {
                var random = new Random(cycle * 1000 + r);
                while (!stop.IsCancellationRequested)
                {
                    if (recent.Pick(random) is not { } id || Volatile.Read(ref down) != -1)
                    {
                        await Task.Delay(5);
                        continue;
                    }

                    var started = Stopwatch.GetTimestamp();
                    var (ok, status) = await ReadStatusAsync(clients[random.Next(2)], id);
                    // Only reads that started and ended with both nodes up count: a kill in between is the failover's.
                    if (Volatile.Read(ref down) == -1)
                    {
                        readLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                        if (!ok)
                        {
                            Interlocked.Increment(ref readErrors);
                            violations.Enqueue($"GET {id} while both nodes were up: {status}");
                        }
                    }
                }
            })).ToArray();

            await Task.Delay(TimeSpan.FromSeconds(loadSeconds));
            Volatile.Write(ref down, victim);
            await cluster.KillAsync(victim);
            var killedAt = Stopwatch.StartNew();
            // Every acknowledged asset must be served by the survivor; the dead silo's activations move within seconds.
            var survivor = clients[1 - victim];
            var pending = acknowledged.Values.OrderByDescending(a => a.Id, StringComparer.Ordinal).Take(200).ToList();
            while (pending.Count > 0 && killedAt.Elapsed < TimeSpan.FromSeconds(60))
            {
                var results = await Task.WhenAll(pending.Select(async a => (a, await ReadsAsync(survivor, a))));
                pending = [.. results.Where(r => !r.Item2).Select(r => r.a)];
                if (pending.Count > 0)
                {
                    await Task.Delay(50);
                }
            }

            recoveries.Add(killedAt.Elapsed.TotalSeconds);
            if (pending.Count > 0)
            {
                violations.Enqueue($"cycle {cycle + 1}: {pending.Count} acknowledged assets not served 60 s after the kill");
            }

            await cluster.RestartAsync(victim);
            // Readiness is back: the restarted node must serve the newest acknowledged assets within 5 s.
            var readyAt = Stopwatch.StartNew();
            var unserved = acknowledged.Values.OrderByDescending(a => a.Id, StringComparer.Ordinal).Take(200).ToList();
            while (unserved.Count > 0 && readyAt.Elapsed < TimeSpan.FromSeconds(60))
            {
                var results = await Task.WhenAll(unserved.Select(async a => (a, await ReadsAsync(clients[victim], a))));
                unserved = [.. results.Where(r => !r.Item2).Select(r => r.a)];
                if (unserved.Count > 0)
                {
                    await Task.Delay(50);
                }
            }

            restartRecoveries.Add(readyAt.Elapsed.TotalSeconds);
            if (unserved.Count > 0 || readyAt.Elapsed > TimeSpan.FromSeconds(5))
            {
                violations.Enqueue($"cycle {cycle + 1}: the restarted node served the newest acknowledged assets {readyAt.Elapsed.TotalSeconds:F2} s after readiness ({unserved.Count} still unserved)");
            }

            Volatile.Write(ref down, -1);
            await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, loadSeconds / 4)));
            stop.Cancel();
            await Task.WhenAll(load.Concat(reads));
            var backlog = await PendingIndexRowsAsync(cluster.ConnectionString!);
            Console.WriteLine($"cycle {cycle + 1}/{cycles}: killed node {victim + 1}, survivor served every probed asset after {recoveries[^1]:F2} s, the restarted node {restartRecoveries[^1]:F2} s after readiness; {acknowledged.Count} acknowledged, {Interlocked.Read(ref retried)} retried, {backlog} index rows not numbered yet");
        }

        var lost = 0;
        foreach (var a in acknowledged.Values)
        {
            using var response = await clients[0].GetAsync($"v1/assets/{a.Id}");
            var dto = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options) : null;
            if (dto?.ManifestHash != a.ManifestHash)
            {
                lost++;
                violations.Enqueue($"{a.Id}: acknowledged with {a.ManifestHash}, now {(dto is null ? ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) : dto.ManifestHash)}");
            }
        }

        var log = await LogReportAsync(cluster.ConnectionString!, acknowledged.Count);
        foreach (var problem in log.Problems)
        {
            violations.Enqueue(problem);
        }

        recoveries.Sort();
        restartRecoveries.Sort();
        var latencies = readLatencies.Order().ToArray();
        var p50 = latencies.Length == 0 ? double.NaN : latencies[latencies.Length / 2];
        var p99 = latencies.Length == 0 ? double.NaN : latencies[Math.Min(latencies.Length - 1, (int)(latencies.Length * 0.99))];
        if (!(p99 < 50))
        {
            violations.Enqueue($"GET of just-acknowledged assets under write load: p99 {p99:F1} ms (target < 50 ms)");
        }

        Console.WriteLine($"kill-cycles: {cycles} kills, {acknowledged.Count} acknowledged registrations, {lost} lost or changed, {Interlocked.Read(ref retried)} requests retried after a kill");
        Console.WriteLine($"log: {log.Entries} entries, {log.Sequenced} sequenced, indexes contiguous: {log.Contiguous}, duplicate leaves: {log.Duplicates}");
        Console.WriteLine($"survivor served every probed asset after: median {recoveries[recoveries.Count / 2]:F2} s, max {recoveries[^1]:F2} s");
        Console.WriteLine($"restarted node served the newest assets after readiness: median {restartRecoveries[restartRecoveries.Count / 2]:F2} s, max {restartRecoveries[^1]:F2} s");
        Console.WriteLine($"GET under write load (both nodes up): {latencies.Length} reads, p50 {p50:F1} ms, p99 {p99:F1} ms, max {(latencies.Length == 0 ? double.NaN : latencies[^1]):F1} ms, {Interlocked.Read(ref readErrors)} not 200");
        foreach (var violation in violations.Take(20))
        {
            Console.WriteLine($"VIOLATION {violation}");
        }

        return violations.IsEmpty && recoveries[^1] < 5 ? 0 : 1;
    }

    /// <summary>Registers, retrying on the other node when a node is down or the call was cut off (503, connection errors).</summary>
    private static async Task<(HttpStatusCode Status, string? ManifestHash, int Tries)> RegisterWithRetriesAsync(HttpClient[] clients, int first, RegisterAssetRequest request, Func<int> down)
    {
        var node = first;
        for (var tries = 1; ; tries++)
        {
            if (down() == node)
            {
                node = 1 - node;
            }

            try
            {
                using var response = await clients[node].PostAsJsonAsync("v1/assets", request, ApiJson.Options);
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && tries < 50)
                {
                    await Task.Delay(100);
                    continue;
                }

                var dto = response.StatusCode == HttpStatusCode.Created ? await response.Content.ReadFromJsonAsync<AssetDto>(ApiJson.Options) : null;
                return (response.StatusCode, dto?.ManifestHash, tries);
            }
            catch (Exception e) when ((e is HttpRequestException or TaskCanceledException) && tries < 50)
            {
                node = 1 - node;
                await Task.Delay(100);
            }
        }
    }

    private static async Task<bool> ReadsAsync(HttpClient client, Acknowledged asset) => (await ReadStatusAsync(client, asset.Id)).Ok;

    private static async Task<(bool Ok, string Status)> ReadStatusAsync(HttpClient client, string id)
    {
        try
        {
            using var response = await client.GetAsync($"v1/assets/{id}");
            return (response.StatusCode == HttpStatusCode.OK, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return (false, e.GetType().Name);
        }
    }

    private static async Task<long> PendingIndexRowsAsync(string connectionString)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        await using var command = db.CreateCommand("SELECT count(*) FROM grain_index WHERE seq IS NULL");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The last <c>capacity</c> acknowledged ids, for readers to pick from.</summary>
    private sealed class RecentIds(int capacity)
    {
        private readonly string?[] ids = new string?[capacity];
        private long count;

        public void Add(string id)
        {
            var n = Interlocked.Increment(ref count) - 1;
            Volatile.Write(ref ids[n % capacity], id);
        }

        public string? Pick(Random random)
        {
            var n = Volatile.Read(ref count);
            return n == 0 ? null : Volatile.Read(ref ids[random.NextInt64(Math.Min(n, capacity))]);
        }
    }

    private sealed record LogReport(long Entries, long Sequenced, bool Contiguous, long Duplicates, IReadOnlyList<string> Problems);

    private static async Task<LogReport> LogReportAsync(string connectionString, int acknowledged)
    {
        await using var db = NpgsqlDataSource.Create(connectionString);
        // Let the sequencer catch up with the last registrations.
        for (var wait = 0; wait < 200; wait++)
        {
            await using var pending = db.CreateCommand("SELECT count(*) FROM log_entries e WHERE NOT EXISTS (SELECT 1 FROM log_sequence s WHERE s.entry_id = e.id)");
            if ((long)(await pending.ExecuteScalarAsync())! == 0)
            {
                break;
            }

            await Task.Delay(100);
        }

        await using var command = db.CreateCommand(
            "SELECT (SELECT count(*) FROM log_entries WHERE source_key LIKE 'kc-%'), count(*), count(DISTINCT idx), coalesce(min(idx), 0), coalesce(max(idx), -1), count(*) - count(DISTINCT entry_id) FROM log_sequence");
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var entries = reader.GetInt64(0);
        var sequenced = reader.GetInt64(1);
        var contiguous = reader.GetInt64(2) == sequenced && reader.GetInt64(3) == 0 && reader.GetInt64(4) == sequenced - 1;
        var duplicates = reader.GetInt64(5);
        var problems = new List<string>();
        if (entries < acknowledged)
        {
            problems.Add($"log: {entries} entries for {acknowledged} acknowledged registrations");
        }

        if (!contiguous || duplicates != 0)
        {
            problems.Add($"log: indexes contiguous={contiguous}, duplicate leaves={duplicates}");
        }

        return new LogReport(entries, sequenced, contiguous, duplicates, problems);
    }

    internal static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    internal static Dictionary<string, string> Options(string[] args)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'; usage: kill-cycles [--cycles 20] [--workers 16] [--readers 4] [--load-seconds 4] [--server-dll P]");
            }

            result[args[i][2..]] = args[++i];
        }

        return result;
    }
}
