using System.CommandLine;
using System.Text.Json;
using Provenance.Client;
using Provenance.Core.Evidence;

namespace Provenance.Cli;

/// <summary>
/// The <c>provenance</c> command: global options, subcommands, and the one place where failures become an exit
/// code (<see cref="ExitCodes"/>) and one line on stderr, <c>provenance: &lt;reason&gt;</c>.
/// </summary>
internal static class CliApp
{
    public const string DefaultServer = "http://127.0.0.1:5080";
    public const string ServerVariable = "PROVENANCE_SERVER";
    public const string ApiKeyVariable = "PROVENANCE_API_KEY";

    /// <summary>Parses and runs one command line.</summary>
    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken)
    {
        var globals = new GlobalOptions(env);
        var root = new RootCommand("Provenance: register AI-generated media, trace its lineage, and verify it online or offline.");
        globals.AddTo(root);
        root.Subcommands.Add(RegisterCommand.Create(globals));
        root.Subcommands.Add(TraceCommand.Create(globals));
        root.Subcommands.Add(VerifyCommand.Create(globals));
        root.Subcommands.Add(EvidenceCommand.Create(globals));
        root.Subcommands.Add(AnchorCommands.Create(globals));
        root.Subcommands.Add(PromptCommands.Create(globals));
        root.Subcommands.Add(KeyCommands.Create(globals));

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            await Fail(env, parsed.Errors[0].Message + " (see provenance --help)").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parsed.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error, EnableDefaultExceptionHandler = false }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs a command body, turning every failure into its exit code and one stderr line.</summary>
    public static async Task<int> Guard(CliEnvironment env, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (Exception e) when (Classify(e) is { } code)
        {
            await Fail(env, Reason(e)).ConfigureAwait(false);
            return code;
        }
    }

    /// <summary>The exit code of a failure, or <see langword="null"/> for a bug that should surface as-is.</summary>
    internal static int? Classify(Exception e) => e switch
    {
        ProvenanceNotFoundException => ExitCodes.NotFound,
        ProvenanceUnauthorizedException or ProvenanceForbiddenException => ExitCodes.Auth,
        ProvenanceServerException or ProvenanceTransportException => ExitCodes.ServerOrNetwork,
        ProvenanceApiException => ExitCodes.Usage,
        InvalidEvidenceBundleException => ExitCodes.VerificationFailed,
        UsageException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException => ExitCodes.Usage,
        TimeoutException or HttpIOException => ExitCodes.ServerOrNetwork,
        IOException => ExitCodes.Usage,
        _ => null,
    };

    private static string Reason(Exception e) => e switch
    {
        ProvenanceApiException api => api.Field is null ? api.Message : $"{api.Message} [field {api.Field}]",
        InvalidEvidenceBundleException bundle => $"not a readable evidence bundle: {bundle.Message}",
        _ => e.Message,
    };

    public static Task Fail(CliEnvironment env, string reason) =>
        env.Error.WriteLineAsync($"provenance: {reason.ReplaceLineEndings(" ").Trim()}");

    public static Task WriteJsonAsync<T>(CliEnvironment env, T value) =>
        env.Out.WriteLineAsync(JsonSerializer.Serialize(value, Core.Contracts.ApiJson.Indented));
}

/// <summary>The options every command takes: <c>--server</c>, <c>--api-key</c>, <c>--json</c>.</summary>
internal sealed class GlobalOptions
{
    public GlobalOptions(CliEnvironment env)
    {
        Env = env;
        Server = new Option<string>("--server")
        {
            Description = $"Server address (env {CliApp.ServerVariable}, default {CliApp.DefaultServer})",
            Recursive = true,
            DefaultValueFactory = _ => env.Variable(CliApp.ServerVariable) is { Length: > 0 } s ? s : CliApp.DefaultServer,
        };
        ApiKey = new Option<string?>("--api-key")
        {
            Description = $"API key (env {CliApp.ApiKeyVariable})",
            Recursive = true,
            DefaultValueFactory = _ => env.Variable(CliApp.ApiKeyVariable),
        };
        Json = new Option<bool>("--json") { Description = "Print machine-readable JSON on stdout", Recursive = true };
    }

    public CliEnvironment Env { get; }

    public Option<string> Server { get; }

    public Option<string?> ApiKey { get; }

    public Option<bool> Json { get; }

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Server);
        root.Options.Add(ApiKey);
        root.Options.Add(Json);
    }

    /// <summary>A client for the server the command line names.</summary>
    /// <exception cref="UsageException">The server address is not an absolute http(s) URL.</exception>
    public ProvenanceClient CreateClient(ParseResult parsed)
    {
        var server = parsed.GetValue(Server) ?? CliApp.DefaultServer;
        if (!Uri.TryCreate(server, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--server '{server}' is not an http(s) URL.");
        }

        var options = new ProvenanceClientOptions { BaseAddress = address, ApiKey = parsed.GetValue(ApiKey), Timeout = TimeSpan.FromSeconds(60) };
        return new ProvenanceClient(options);
    }
}
