using System.CommandLine;
using Provenance.Core.Contracts;
using Provenance.Core.Evidence;
using Provenance.Core.Hashing;
using Provenance.Timestamping;

namespace Provenance.Cli;

/// <summary>
/// <c>provenance verify &lt;file|hash|id&gt;</c> asks the server; <c>provenance verify --bundle &lt;zip&gt; [--file original]</c>
/// re-checks an evidence bundle offline, without contacting any server (docs/adr/0004-cli-verifies-offline.md).
/// </summary>
internal static class VerifyCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var target = new Argument<string?>("target") { Description = "A file (hashed locally), a content hash sha256:<hex>, or an asset id", Arity = ArgumentArity.ZeroOrOne };
        var bundle = new Option<string?>("--bundle") { Description = "Verify this evidence bundle offline (no server)" };
        var file = new Option<string?>("--file") { Description = "With --bundle: the original file, to check its content hash" };
        var command = new Command("verify", "Verify an asset online, or an evidence bundle offline") { target, bundle, file };
        command.Validators.Add(result =>
        {
            var hasTarget = result.GetValue(target) is not null;
            var hasBundle = result.GetValue(bundle) is not null;
            if (hasTarget == hasBundle)
            {
                result.AddError("Give either a target (file, hash or id) or --bundle <zip>.");
            }

            if (result.GetValue(file) is not null && !hasBundle)
            {
                result.AddError("--file only goes with --bundle (online, pass the file as the target).");
            }
        });
        command.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var result = parsed.GetValue(bundle) is { } zip
                ? await OfflineAsync(zip, parsed.GetValue(file), ct).ConfigureAwait(false)
                : await OnlineAsync(globals, parsed, parsed.GetValue(target)!, ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, result).ConfigureAwait(false);
            }
            else
            {
                await Print(globals.Env, result).ConfigureAwait(false);
            }

            if (result.Verdict == EvidenceVerifier.Verdicts.Failed)
            {
                var failed = result.Checks.First(c => c.Outcome == CheckOutcome.Fail);
                await CliApp.Fail(globals.Env, $"verification failed: {failed.Name}: {failed.Detail}").ConfigureAwait(false);
                return ExitCodes.VerificationFailed;
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Reads and verifies a bundle with the RFC 3161 verifier the server uses; touches no network.</summary>
    internal static async Task<VerifyResultDto> OfflineAsync(string zipPath, string? originalPath, CancellationToken cancellationToken)
    {
        EvidenceBundleFile bundle;
        await using (var zip = File.OpenRead(zipPath))
        {
            bundle = await EvidenceBundleReader.ReadAsync(zip, cancellationToken).ConfigureAwait(false);
        }

        var verifier = new EvidenceVerifier(new EvidenceTimestampVerifier());
        if (originalPath is null)
        {
            return await verifier.VerifyAsync(bundle, null, cancellationToken).ConfigureAwait(false);
        }

        await using var original = File.OpenRead(originalPath);
        return await verifier.VerifyAsync(bundle, original, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<VerifyResultDto> OnlineAsync(GlobalOptions globals, ParseResult parsed, string target, CancellationToken cancellationToken)
    {
        VerifyRequest request;
        if (File.Exists(target))
        {
            await using var stream = File.OpenRead(target);
            request = new VerifyRequest(ContentHash: (await ContentHash.ComputeAsync(stream, cancellationToken).ConfigureAwait(false)).ToString());
        }
        else if (target.StartsWith(Core.Labels.ContentHashPrefix, StringComparison.Ordinal))
        {
            request = new VerifyRequest(ContentHash: ContentHash.TryParse(target, out var hash) ? hash.ToString() : throw new UsageException($"'{target}' is not a valid content hash (sha256: and 64 lowercase hex digits)."));
        }
        else
        {
            request = new VerifyRequest(AssetId: target);
        }

        using var client = globals.CreateClient(parsed);
        return await client.VerifyAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static async Task Print(CliEnvironment env, VerifyResultDto result)
    {
        if (result.AssetId is not null)
        {
            await env.Out.WriteLineAsync($"asset    {result.AssetId}").ConfigureAwait(false);
        }

        if (result.ContentHash is not null)
        {
            await env.Out.WriteLineAsync($"content  {result.ContentHash}").ConfigureAwait(false);
        }

        foreach (var check in result.Checks)
        {
            var mark = check.Outcome switch
            {
                CheckOutcome.Pass => "PASS",
                CheckOutcome.Fail => "FAIL",
                CheckOutcome.Pending => "WAIT",
                _ => "n/a ",
            };
            await env.Out.WriteLineAsync($"{mark}  {check.Name,-28} {check.Detail}").ConfigureAwait(false);
        }

        await env.Out.WriteLineAsync($"verdict: {result.Verdict}").ConfigureAwait(false);
    }
}
