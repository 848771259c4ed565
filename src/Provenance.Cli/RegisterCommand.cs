using System.CommandLine;
using Provenance.Client;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;
using Provenance.Core.Hashing;

namespace Provenance.Cli;

/// <summary><c>provenance register &lt;file|folder&gt;</c>: hash streaming and register, or stream the file with <c>--upload</c>.</summary>
internal static class RegisterCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var path = new Argument<string>("path") { Description = "A file, or a folder whose files are each registered" };
        var parents = new Option<string[]>("--parent") { Description = "Parent asset, ID[:relationship] (parentOf, componentOf, inputTo); repeatable", Arity = ArgumentArity.ZeroOrMore };
        var title = new Option<string?>("--title") { Description = "Title" };
        var model = new Option<string?>("--model") { Description = "Model that generated the asset" };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt version used, family@version" };
        var upload = new Option<bool>("--upload") { Description = "Stream the file to the server instead of sending only its hash" };
        var id = new Option<string?>("--id") { Description = "Asset id to use (a single file only; generated when absent)" };
        var mediaType = new Option<string?>("--media-type") { Description = "Media type (default: from the file extension)" };
        var tags = new Option<string[]>("--tag") { Description = "Tag; repeatable", Arity = ArgumentArity.ZeroOrMore };
        var creator = new Option<string?>("--creator") { Description = "Who made the asset" };
        var command = new Command("register", "Register a file (or each file of a folder) by content hash")
        {
            path, parents, title, model, prompt, upload, id, mediaType, tags, creator,
        };
        command.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var target = parsed.GetValue(path)!;
            var links = (parsed.GetValue(parents) ?? []).Select(ParseParent).ToList();
            var promptRef = parsed.GetValue(prompt) is { } p ? ParsePrompt(p) : null;
            var files = Files(target);
            if (files.Count > 1 && parsed.GetValue(id) is not null)
            {
                throw new UsageException("--id names one asset; it cannot be used with a folder.");
            }

            using var client = globals.CreateClient(parsed);
            var results = new List<AssetDto>();
            var progress = globals.Env.Interactive && files.Count > 1;
            for (var i = 0; i < files.Count; i++)
            {
                var file = files[i];
                if (progress)
                {
                    await Progress(globals.Env, i, files.Count, Path.GetFileName(file)).ConfigureAwait(false);
                }

                var request = new RegisterAssetRequest(
                    parsed.GetValue(id),
                    "",
                    parsed.GetValue(mediaType) ?? MediaTypes.FromExtension(file),
                    Title: parsed.GetValue(title),
                    Tags: parsed.GetValue(tags) is { Length: > 0 } t ? t : null,
                    Parents: links.Count > 0 ? links : null,
                    Creator: parsed.GetValue(creator),
                    Model: parsed.GetValue(model),
                    Prompt: promptRef);
                await using var stream = File.OpenRead(file);
                AssetDto asset;
                if (parsed.GetValue(upload))
                {
                    asset = await client.Assets.UploadAsync(stream, request, Path.GetFileName(file), ct).ConfigureAwait(false);
                }
                else
                {
                    var hash = await ContentHash.ComputeAsync(stream, ct).ConfigureAwait(false);
                    asset = await client.Assets.RegisterAsync(request with { ContentHash = hash.ToString() }, ct).ConfigureAwait(false);
                }

                results.Add(asset);
                if (!parsed.GetValue(globals.Json))
                {
                    await globals.Env.Out.WriteLineAsync($"registered {asset.AssetId} {asset.ContentHash} {file}").ConfigureAwait(false);
                }
            }

            if (progress)
            {
                await Progress(globals.Env, files.Count, files.Count, "done").ConfigureAwait(false);
                await globals.Env.Error.WriteLineAsync().ConfigureAwait(false);
            }

            if (parsed.GetValue(globals.Json))
            {
                await (files.Count == 1 && !Directory.Exists(target)
                    ? CliApp.WriteJsonAsync(globals.Env, results[0])
                    : CliApp.WriteJsonAsync(globals.Env, results)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Parses <c>ID[:relationship]</c>; relationship names are case-insensitive and may be kebab-case.</summary>
    /// <exception cref="UsageException">An empty id or an unknown relationship.</exception>
    internal static ParentClaim ParseParent(string value)
    {
        var colon = value.LastIndexOf(':');
        var (id, relationship) = colon >= 0 && TryRelationship(value[(colon + 1)..], out var r)
            ? (value[..colon], r)
            : (value, Relationship.ParentOf);
        if (id.Length == 0)
        {
            throw new UsageException($"--parent '{value}' has no asset id.");
        }

        if (colon > 0 && colon == value.Length - 1)
        {
            throw new UsageException($"--parent '{value}' ends with ':' but names no relationship.");
        }

        return new ParentClaim(id, relationship);
    }

    private static bool TryRelationship(string text, out Relationship relationship) =>
        Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out relationship) && Enum.IsDefined(relationship) && !int.TryParse(text, out _);

    /// <summary>Parses <c>family@version</c>.</summary>
    /// <exception cref="UsageException">No <c>@</c>, or an empty side.</exception>
    internal static PromptVersionRef ParsePrompt(string value)
    {
        var at = value.LastIndexOf('@');
        if (at <= 0 || at == value.Length - 1)
        {
            throw new UsageException($"--prompt '{value}' must be family@version.");
        }

        return new PromptVersionRef(value[..at], value[(at + 1)..]);
    }

    private static List<string> Files(string target)
    {
        if (File.Exists(target))
        {
            return [target];
        }

        if (Directory.Exists(target))
        {
            var files = Directory.EnumerateFiles(target, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = false })
                .Order(StringComparer.Ordinal)
                .ToList();
            return files.Count > 0 ? files : throw new UsageException($"folder '{target}' has no files.");
        }

        throw new FileNotFoundException($"no such file or folder: {target}");
    }

    private static Task Progress(CliEnvironment env, int done, int total, string current)
    {
        const int width = 30;
        var filled = total == 0 ? width : done * width / total;
        var name = current.Length > 30 ? current[..27] + "..." : current;
        return env.Error.WriteAsync($"\r[{new string('#', filled)}{new string('.', width - filled)}] {done}/{total} {name,-30}");
    }
}

/// <summary>Media types by file extension, for the common media an AI pipeline makes.</summary>
internal static class MediaTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png", [".jpg"] = "image/jpeg", [".jpeg"] = "image/jpeg", [".gif"] = "image/gif",
        [".webp"] = "image/webp", [".avif"] = "image/avif", [".svg"] = "image/svg+xml", [".tif"] = "image/tiff", [".tiff"] = "image/tiff",
        [".mp4"] = "video/mp4", [".webm"] = "video/webm", [".mov"] = "video/quicktime",
        [".mp3"] = "audio/mpeg", [".wav"] = "audio/wav", [".ogg"] = "audio/ogg", [".flac"] = "audio/flac",
        [".txt"] = "text/plain", [".md"] = "text/markdown", [".json"] = "application/json", [".pdf"] = "application/pdf",
    };

    public static string FromExtension(string path) =>
        ByExtension.TryGetValue(Path.GetExtension(path), out var type) ? type : "application/octet-stream";
}
