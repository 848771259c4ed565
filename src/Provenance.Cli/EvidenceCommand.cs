using System.CommandLine;

namespace Provenance.Cli;

/// <summary><c>provenance evidence &lt;id&gt; -o file.zip</c>: download an asset's evidence bundle.</summary>
internal static class EvidenceCommand
{
    public static Command Create(GlobalOptions globals)
    {
        var id = new Argument<string>("id") { Description = "Asset id" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the bundle (zip)", Required = true };
        var command = new Command("evidence", "Download an asset's evidence bundle, to verify offline with verify --bundle") { id, output };
        command.SetAction((parsed, ct) => CliApp.Guard(globals.Env, async () =>
        {
            var path = Path.GetFullPath(parsed.GetValue(output)!);
            var partial = path + ".partial";
            using var client = globals.CreateClient(parsed);
            try
            {
                await using (var file = File.Create(partial))
                {
                    await client.Asset(parsed.GetValue(id)!).EvidenceAsync(file, ct).ConfigureAwait(false);
                }

                File.Move(partial, path, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }

            var size = new FileInfo(path).Length;
            if (parsed.GetValue(globals.Json))
            {
                await CliApp.WriteJsonAsync(globals.Env, new { path, size }).ConfigureAwait(false);
            }
            else
            {
                await globals.Env.Out.WriteLineAsync($"wrote {path} ({size} bytes)").ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
