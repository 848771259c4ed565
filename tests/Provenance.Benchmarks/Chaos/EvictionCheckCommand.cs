using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using Provenance.Benchmarks.HttpLoad;
using Provenance.Core.Contracts;

namespace Provenance.Benchmarks.Chaos;

/// <summary>
/// <c>eviction-check [--seconds 60] [--burners 8] [--workers 32] [--server-dll P]</c>: two server processes (two silos)
/// on one embedded PostgreSQL, with the cores saturated by <c>--burners</c> busy-loop processes on top of HTTP
/// registration load through both nodes. With the membership settings the server ships (1 s probes, 3 missed probes,
/// 1 vote; docs/configuration.md), a silo starved of CPU must still not be declared dead. Samples the membership table
/// every second and reports suspicions (a vote, not yet an eviction) and evictions (status Dead). Exit code 1 on any
/// eviction, or when a node stopped answering.
/// </summary>
internal static class EvictionCheckCommand
{
    private const int Dead = 6;

    public static async Task<int> RunAsync(string[] args)
    {
        var options = KillCyclesCommand.Options(args);
        var seconds = double.Parse(options.GetValueOrDefault("seconds", "60"), CultureInfo.InvariantCulture);
        var burners = int.Parse(options.GetValueOrDefault("burners", (4 * Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var workers = int.Parse(options.GetValueOrDefault("workers", "32"), CultureInfo.InvariantCulture);
        await using var cluster = await LocalCluster.StartAsync(2, options.GetValueOrDefault("server-dll"));
        var clients = cluster.BaseAddresses.Select(a => KillCyclesCommand.Client(a, cluster.AdminKey)).ToArray();
        await using var db = NpgsqlDataSource.Create(cluster.ConnectionString!);
        var burning = Enumerable.Range(0, burners).Select(_ => Process.Start("sh", ["-c", "while :; do :; done"])).ToList();
        long created = 0, failed = 0, next = 0;
        var suspicions = new HashSet<string>(StringComparer.Ordinal);
        var evictions = new HashSet<string>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var load = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var id = $"ev-{Interlocked.Increment(ref next):D7}";
                    var request = new RegisterAssetRequest(id, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))), "image/png", Title: id);
                    try
                    {
                        using var response = await clients[w % 2].PostAsJsonAsync("v1/assets", request, ApiJson.Options);
                        Interlocked.Increment(ref response.StatusCode == HttpStatusCode.Created ? ref created : ref failed);
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
            })).ToArray();

            while (!stop.IsCancellationRequested)
            {
                await using var command = db.CreateCommand("SELECT address || ':' || port || '@' || generation, status, coalesce(suspect_times, '') FROM orleans_membership");
                await using (var reader = await command.ExecuteReaderAsync())
                {
                    while (await reader.ReadAsync())
                    {
                        var silo = reader.GetString(0);
                        if (reader.GetInt32(1) == Dead)
                        {
                            evictions.Add(silo);
                        }

                        if (reader.GetString(2).Length > 0)
                        {
                            suspicions.Add($"{silo} suspected by {reader.GetString(2)}");
                        }
                    }
                }

                await Task.Delay(1_000);
            }

            await Task.WhenAll(load);
        }
        finally
        {
            foreach (var burner in burning)
            {
                burner?.Kill();
                burner?.Dispose();
            }
        }

        var answering = await Task.WhenAll(clients.Select(async c =>
        {
            try
            {
                using var response = await c.GetAsync("readyz");
                return response.IsSuccessStatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eviction-check: {clock.Elapsed.TotalSeconds:F0} s, {burners} busy loops on {Environment.ProcessorCount} cores + {workers} registering clients: {created} registered ({created / clock.Elapsed.TotalSeconds:F0}/s), {failed} failed"));
        Console.WriteLine($"suspicions: {suspicions.Count}{(suspicions.Count == 0 ? "" : " (" + string.Join("; ", suspicions.Take(5)) + ")")}");
        Console.WriteLine($"evictions (status Dead): {evictions.Count}{(evictions.Count == 0 ? "" : " (" + string.Join(", ", evictions) + ")")}");
        Console.WriteLine($"both nodes ready at the end: {answering.All(a => a)}");
        return evictions.Count == 0 && answering.All(a => a) ? 0 : 1;
    }
}
