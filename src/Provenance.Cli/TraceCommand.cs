using System.CommandLine;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;

namespace Provenance.Cli;

/// <summary><c>provenance trace &lt;id&gt; [--up|--down] [--depth N]</c>: the lineage as a tree drawn with box characters.</summary>
internal static class TraceCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "Asset id" };
        var up = new Option<bool>("--up") { Description = "Ancestors (the default)" };
        var down = new Option<bool>("--down") { Description = "Descendants" };
        var depth = new Option<int?>("--depth")
        {
            Description = "How many generations to walk (server default 10)",
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (int.TryParse(token, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1)
                {
                    return n;
                }

                result.AddError($"--depth must be a whole number of at least 1, not '{token}'.");
                return null;
            },
        };
        var command = new Command("trace", "Show an asset's ancestors or descendants as a tree") { id, up, down, depth };
        command.Validators.Add(result =>
        {
            if (result.GetValue(up) && result.GetValue(down))
            {
                result.AddError("--up and --down cannot be used together.");
            }
        });
        command.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var assetId = parsed.GetValue(id)!;
            var ancestors = !parsed.GetValue(down);
            using var client = globals.CreateClient(parsed);
            var handle = client.Asset(assetId);
            var asset = await handle.GetAsync(ct).ConfigureAwait(false);
            var nodes = new List<LineageNodeDto>();
            await foreach (var node in handle.LineageAsync(ancestors, parsed.GetValue(depth), ct).ConfigureAwait(false))
            {
                nodes.Add(node);
            }

            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, new LineagePage(assetId, ancestors ? "ancestors" : "descendants", parsed.GetValue(depth) ?? 10, nodes, null)).ConfigureAwait(false);
            }
            else
            {
                await globals.Env.Out.WriteAsync(Render(asset, nodes, ancestors)).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    /// <summary>Draws the tree: the asset on the first line, then each node under the one it was reached through.</summary>
    internal static string Render(AssetDto asset, IReadOnlyList<LineageNodeDto> nodes, bool ancestors)
    {
        var text = new StringBuilder();
        text.Append(asset.AssetId);
        Describe(text, asset.Title, asset.Model, asset.ContentHash, null, false);
        text.Append('\n');
        var children = nodes
            .Where(n => n.AssetId != asset.AssetId)
            .GroupBy(n => n.ViaAssetId ?? asset.AssetId)
            .ToDictionary(g => g.Key, g => g.OrderBy(n => n.AssetId, StringComparer.Ordinal).ToList());
        var seen = new HashSet<string> { asset.AssetId };
        Walk(text, children, asset.AssetId, "", seen);
        if (nodes.Count == 0 || !children.ContainsKey(asset.AssetId))
        {
            text.Append(ancestors ? "(no ancestors: an original)\n" : "(no descendants)\n");
        }

        return text.ToString();
    }

    private static void Walk(StringBuilder text, Dictionary<string, List<LineageNodeDto>> children, string id, string indent, HashSet<string> seen)
    {
        if (!children.TryGetValue(id, out var list))
        {
            return;
        }

        for (var i = 0; i < list.Count; i++)
        {
            var node = list[i];
            var last = i == list.Count - 1;
            text.Append(indent).Append(last ? "└── " : "├── ").Append(node.AssetId);
            if (!seen.Add(node.AssetId))
            {
                text.Append(" (see above)\n");
                continue;
            }

            Describe(text, node.Title, node.Model, node.ContentHash, node.Relationship, node.Redacted);
            text.Append('\n');
            Walk(text, children, node.AssetId, indent + (last ? "    " : "│   "), seen);
        }
    }

    private static void Describe(StringBuilder text, string? title, string? model, string contentHash, Relationship? relationship, bool redacted)
    {
        if (redacted)
        {
            text.Append(" [redacted: another tenant]");
        }

        if (relationship is { } r)
        {
            text.Append(" (").Append(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(r.ToString())).Append(')');
        }

        if (title is not null)
        {
            text.Append(" \"").Append(title).Append('"');
        }

        if (model is not null)
        {
            text.Append(" model=").Append(model);
        }

        text.Append(' ').Append(contentHash.Length > 19 ? contentHash[..19] + "…" : contentHash);
    }
}
