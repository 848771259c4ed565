using System.Diagnostics;
using System.Text;
using Provenance.Grains.Tests.TestSupport;
using Provenance.Storage.Postgres.Tests;

namespace Provenance.Grains.Tests.Assets;

/// <summary>An acknowledged registration is never lost: SIGKILL the load generator mid-load, then look for every id it printed.</summary>
public sealed class LoadGenCrashTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private const int KillAfterAcknowledged = 300;

    [Fact]
    public async Task LoadGen_KilledMidLoad_EveryAcknowledgedIdStoredWithItsLogLeaf()
    {
        var loadGen = Path.Combine(AppContext.BaseDirectory, "Provenance.LoadGen.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { loadGen, "--connection", db.ConnectionString, "--workers", "32", "--prefix", "crash" })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        var buffer = new char[4096];
        var lines = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (lines < KillAfterAcknowledged)
        {
            var read = await process.StandardOutput.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, $"LoadGen ended before acknowledging {KillAfterAcknowledged} registrations: {output}");
            output.Append(buffer, 0, read);
            lines += buffer.AsSpan(0, read).Count('\n');
        }

        process.Kill();
        await process.WaitForExitAsync(timeout.Token);
        output.Append(await process.StandardOutput.ReadToEndAsync(timeout.Token));

        // Only newline-terminated lines were acknowledged; a torn last line is dropped.
        var acknowledged = output.ToString().Split('\n')[..^1];
        Assert.True(acknowledged.Length >= KillAfterAcknowledged);
        Assert.False(process.ExitCode == 0, "the load generator was not killed mid-load");
        var missing = new List<string>();
        foreach (var id in acknowledged)
        {
            var footprint = await Database.FootprintAsync(db.DataSource, id);
            if (footprint.States != 1 || footprint.LogEntries != 1)
            {
                missing.Add(id);
            }
        }

        Assert.Empty(missing);
    }
}
