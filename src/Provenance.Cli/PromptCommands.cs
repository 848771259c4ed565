using System.CommandLine;
using Provenance.Core.Contracts;

namespace Provenance.Cli;

/// <summary><c>provenance prompts create|approve|diff|show</c>.</summary>
internal static class PromptCommands
{
    public static Command Create(GlobalOptions globals)
    {
        var family = new Argument<string>("family") { Description = "Prompt family id" };
        var version = new Option<string>("--version") { Description = "Semantic version of the new version, e.g. 1.0.0", Required = true };
        var user = new Option<string?>("--user-prompt") { Description = "The user prompt text" };
        var userFile = new Option<string?>("--user-prompt-file") { Description = "Read the user prompt from this file" };
        var system = new Option<string?>("--system-prompt") { Description = "The system prompt text" };
        var negative = new Option<string?>("--negative-prompt") { Description = "The negative prompt text" };
        var create = new Command("create", "Create a draft prompt version") { family, version, user, userFile, system, negative };
        create.Validators.Add(r =>
        {
            if ((r.GetValue(user) is null) == (r.GetValue(userFile) is null))
            {
                r.AddError("Give exactly one of --user-prompt or --user-prompt-file.");
            }
        });
        create.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var text = parsed.GetValue(user) ?? await File.ReadAllTextAsync(parsed.GetValue(userFile)!, ct).ConfigureAwait(false);
            using var client = globals.CreateClient(parsed);
            var created = await client.Prompt(parsed.GetValue(family)!).CreateVersionAsync(
                new CreatePromptVersionRequest(parsed.GetValue(version)!, parsed.GetValue(system), text, parsed.GetValue(negative)), ct).ConfigureAwait(false);
            await PrintVersion(globals, parsed, created).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var reference = new Argument<string>("prompt") { Description = "family@version" };
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var approve = new Command("approve", "Approve a prompt version (it becomes immutable)") { reference, reason };
        approve.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var r = RegisterCommand.ParsePrompt(parsed.GetValue(reference)!);
            using var client = globals.CreateClient(parsed);
            var approved = await client.Prompt(r.FamilyId).ApproveAsync(r.Version, parsed.GetValue(reason), ct).ConfigureAwait(false);
            await PrintVersion(globals, parsed, approved).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));

        var diffFamily = new Argument<string>("family") { Description = "Prompt family id" };
        var from = new Argument<string>("from") { Description = "Old version" };
        var to = new Argument<string>("to") { Description = "New version" };
        var diff = new Command("diff", "Show what changed between two versions") { diffFamily, from, to };
        diff.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            using var client = globals.CreateClient(parsed);
            var d = await client.Prompt(parsed.GetValue(diffFamily)!).DiffAsync(parsed.GetValue(from)!, parsed.GetValue(to)!, ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, d).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await globals.Env.Out.WriteLineAsync($"{d.FamilyId} {d.From} → {d.To}").ConfigureAwait(false);
            foreach (var field in d.Fields)
            {
                await globals.Env.Out.WriteLineAsync($"{field.Field}: {field.Change}").ConfigureAwait(false);
                foreach (var line in field.Lines ?? [])
                {
                    var mark = line.Op switch { DiffOp.Insert => "+", DiffOp.Delete => "-", _ => " " };
                    await globals.Env.Out.WriteLineAsync($"  {mark} {line.Text}").ConfigureAwait(false);
                }
            }

            return ExitCodes.Ok;
        }));

        var showTarget = new Argument<string>("prompt") { Description = "family, or family@version" };
        var show = new Command("show", "Show a prompt family or one version") { showTarget };
        show.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var target = parsed.GetValue(showTarget)!;
            using var client = globals.CreateClient(parsed);
            if (target.Contains('@', StringComparison.Ordinal))
            {
                var r = RegisterCommand.ParsePrompt(target);
                await PrintVersion(globals, parsed, await client.Prompt(r.FamilyId).GetVersionAsync(r.Version, ct).ConfigureAwait(false)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            var f = await client.Prompt(target).GetAsync(ct).ConfigureAwait(false);
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, f).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await globals.Env.Out.WriteLineAsync($"{f.FamilyId} (tenant {f.Tenant})").ConfigureAwait(false);
            foreach (var v in f.Versions)
            {
                await globals.Env.Out.WriteLineAsync($"  {v.Version,-10} {AnchorCommands.Name(v.Status),-10} {v.ContentHash}").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));

        return new Command("prompts", "Prompt versions: create, approve, diff, show") { create, approve, diff, show };
    }

    private static async Task PrintVersion(GlobalOptions globals, ParseResult parsed, PromptVersionDto v)
    {
        if (parsed.GetValue(globals.Json))
        {
            await CliApp.WriteJsonAsync(globals.Env, v).ConfigureAwait(false);
            return;
        }

        var o = globals.Env.Out;
        await o.WriteLineAsync($"{v.FamilyId}@{v.Version} {AnchorCommands.Name(v.Status)} {v.ContentHash}").ConfigureAwait(false);
        if (v.SystemPrompt is not null)
        {
            await o.WriteLineAsync($"system:   {v.SystemPrompt}").ConfigureAwait(false);
        }

        if (v.UserPrompt is not null)
        {
            await o.WriteLineAsync($"user:     {v.UserPrompt}").ConfigureAwait(false);
        }

        if (v.NegativePrompt is not null)
        {
            await o.WriteLineAsync($"negative: {v.NegativePrompt}").ConfigureAwait(false);
        }
    }
}
