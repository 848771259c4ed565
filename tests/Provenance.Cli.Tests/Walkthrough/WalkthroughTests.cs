using Provenance.Cli.Tests.Cli;
using Provenance.Cli.Tests.Client;

namespace Provenance.Cli.Tests.Walkthrough;

/// <summary>docs/walkthrough.md, command by command, against the real server.</summary>
public sealed class WalkthroughTests
{
    [Fact]
    public async Task Walkthrough_AgainstRealServer_EveryStepAsDocumented()
    {
        await using var server = await ServerProcess.StartAsync(TimeSpan.FromMinutes(3));
        var work = Directory.CreateTempSubdirectory("walkthrough-");
        try
        {
            var files = new Dictionary<string, string>();
            foreach (var name in new[] { "sunset", "neon", "sketch", "poster" })
            {
                files[name] = Path.Combine(work.FullName, name + ".png");
                await File.WriteAllBytesAsync(files[name], System.Text.Encoding.UTF8.GetBytes($"{name} pixels {Guid.NewGuid()}"));
            }

            var env = new Dictionary<string, string> { ["PROVENANCE_SERVER"] = server.BaseAddress.ToString(), ["PROVENANCE_API_KEY"] = server.AdminKey };
            Task<CliResult> Cli(params string[] args) => CliRunner.RunAsync(env, args);

            AssertOk(await Cli("register", files["sunset"], "--id", "sunset", "--title", "Sunset", "--model", "imagegen"), "registered sunset");
            AssertOk(await Cli("register", files["neon"], "--id", "neon", "--parent", "sunset", "--title", "Neon remix"), "registered neon");
            AssertOk(await Cli("register", files["sketch"], "--id", "sketch", "--parent", "sunset", "--title", "Sketch remix"), "registered sketch");
            AssertOk(await Cli("register", files["poster"], "--id", "poster", "--parent", "neon", "--title", "Poster from the neon remix"), "registered poster");

            var unknownParent = await Cli("register", files["poster"], "--id", "orphan", "--parent", "no-such-asset");
            Assert.Equal(2, unknownParent.Exit);
            unknownParent.AssertOneErrorLine();

            AssertOk(await Cli("anchor", "trigger", "--wait", "--timeout", "60"), "epoch ");

            var up = await Cli("trace", "poster", "--up");
            AssertOk(up, "poster");
            var lines = up.Out.Split('\n');
            Assert.StartsWith("└── neon (parentOf)", lines[1], StringComparison.Ordinal);
            Assert.StartsWith("    └── sunset (parentOf)", lines[2], StringComparison.Ordinal);

            var down = await Cli("trace", "sunset", "--down");
            AssertOk(down, "neon");
            Assert.Contains("sketch", down.Out, StringComparison.Ordinal);
            Assert.Contains("poster", down.Out, StringComparison.Ordinal);

            AssertOk(await Cli("verify", files["neon"]), "verdict: verified");

            var zip = Path.Combine(work.FullName, "neon-evidence.zip");
            AssertOk(await Cli("evidence", "neon", "-o", zip), "wrote");

            var offline = await CliRunner.RunAsync("verify", "--bundle", zip, "--file", files["neon"], "--server", $"http://127.0.0.1:{CannedServer.FreePort()}");
            AssertOk(offline, "verdict: verified");
            Assert.DoesNotContain("FAIL", offline.Out, StringComparison.Ordinal);
            Assert.DoesNotContain("WAIT", offline.Out, StringComparison.Ordinal);

            var wrongFile = await CliRunner.RunAsync("verify", "--bundle", zip, "--file", files["sketch"]);
            Assert.Equal(1, wrongFile.Exit);
            Assert.StartsWith("provenance: verification failed: content-hash:", wrongFile.Error, StringComparison.Ordinal);

            Assert.Equal(3, (await Cli("trace", "no-such-asset")).Exit);
            Assert.Equal(4, (await CliRunner.RunAsync("trace", "poster", "--server", server.BaseAddress.ToString(), "--api-key", "not-a-key")).Exit);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\n--- server log ---\n{server.Log}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static void AssertOk(CliResult result, string expected)
    {
        Assert.True(result.Exit == 0, $"exit {result.Exit}: {result.Error}\n{result.Out}");
        Assert.Contains(expected, result.Out, StringComparison.Ordinal);
    }
}
