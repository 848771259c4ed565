using System.CommandLine;
using Provenance.Client;
using Provenance.Core.Contracts;

namespace Provenance.Cli;

/// <summary><c>provenance anchor trigger [--wait]</c> and <c>provenance anchor status</c>.</summary>
internal static class AnchorCommands
{
    public static Command Create(GlobalOptions globals)
    {
        var wait = new Option<bool>("--wait") { Description = "Wait until every TSA has answered for the epoch" };
        var timeout = new Option<int>("--timeout") { Description = "With --wait: seconds to wait (default 60)", DefaultValueFactory = _ => 60 };
        var trigger = new Command("trigger", "Seal an epoch now (joins one already being sealed)") { wait, timeout };
        trigger.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            using var client = globals.CreateClient(parsed);
            var result = await client.Anchor.TriggerAsync(ct).ConfigureAwait(false);
            var epoch = result.EpochInfo;
            if (parsed.GetValue(wait))
            {
                epoch = await WaitForTimestampsAsync(client, result.Epoch, TimeSpan.FromSeconds(parsed.GetValue(timeout)), ct).ConfigureAwait(false);
            }

            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, result with { EpochInfo = epoch }).ConfigureAwait(false);
            }
            else
            {
                await globals.Env.Out.WriteLineAsync($"epoch {epoch.Epoch} {(result.Created ? "sealed" : "joined")}: {epoch.Status}, size {epoch.Checkpoint.TreeSize}, root {epoch.Checkpoint.RootHash}").ConfigureAwait(false);
                foreach (var t in epoch.Timestamps)
                {
                    await globals.Env.Out.WriteLineAsync($"  timestamp {t.Tsa}: {Name(t.State)}{(t.GenTime is { } g ? $" at {g:O}" : "")}{(t.LastError is { } e ? $" ({e})" : "")}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        }));

        var status = new Command("status", "Show the log size, pending entries and the last epoch");
        status.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            using var client = globals.CreateClient(parsed);
            var s = await client.Anchor.StatusAsync(ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, s).ConfigureAwait(false);
            }
            else
            {
                var o = globals.Env.Out;
                await o.WriteLineAsync($"log size            {s.LogSize}").ConfigureAwait(false);
                await o.WriteLineAsync($"pending entries     {s.PendingEntries}").ConfigureAwait(false);
                await o.WriteLineAsync($"last epoch          {(s.LastEpoch?.ToString() ?? "none")}{(s.LastSealedAt is { } at ? $" sealed {at:O}" : "")}").ConfigureAwait(false);
                await o.WriteLineAsync($"next scheduled      {(s.NextScheduledAt?.ToString("O") ?? "none")}").ConfigureAwait(false);
                await o.WriteLineAsync($"awaiting timestamps {s.EpochsAwaitingTimestamp}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));

        return new Command("anchor", "Epoch commits: trigger one, or see the anchor's status") { trigger, status };
    }

    private static async Task<EpochDto> WaitForTimestampsAsync(ProvenanceClient client, long epochNumber, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            var epoch = await client.Epochs.GetAsync(epochNumber, cancellationToken).ConfigureAwait(false);
            if (string.Equals(epoch.Status, "timestamped", StringComparison.OrdinalIgnoreCase)
                || (epoch.Timestamps.Count > 0 && epoch.Timestamps.All(t => t.State != TimestampState.Pending)))
            {
                return epoch;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                throw new TimeoutException($"epoch {epochNumber} still awaits timestamps after {timeout.TotalSeconds:0} s.");
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 1000));
        }
    }

    internal static string Name<T>(T value) where T : struct, Enum => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}
