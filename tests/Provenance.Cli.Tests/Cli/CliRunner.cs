namespace Provenance.Cli.Tests.Cli;

/// <summary>Runs the CLI in-process with captured writers and a given environment.</summary>
internal static class CliRunner
{
    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var env = new CliEnvironment(stdout, stderr, name => variables is not null && variables.TryGetValue(name, out var v) ? v : null, Interactive: false);

        var exit = await CliApp.RunAsync(args, env, CancellationToken.None);

        return new CliResult(exit, stdout.ToString(), stderr.ToString());
    }

    public static Task<CliResult> RunAsync(params string[] args) => RunAsync(null, args);
}

internal sealed record CliResult(int Exit, string Out, string Error)
{
    /// <summary>Asserts the documented error form: exactly one line on stderr, <c>provenance: &lt;reason&gt;</c>.</summary>
    public void AssertOneErrorLine()
    {
        var lines = Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one stderr line, got: {Error}");
        Assert.StartsWith("provenance: ", lines[0], StringComparison.Ordinal);
    }
}
