namespace Provenance.Cli;

/// <summary>What the CLI touches outside itself: its writers, environment variables, and whether stderr is a terminal (for the progress bar).</summary>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> Variable, bool Interactive)
{
    /// <summary>The process's console and environment.</summary>
    public static CliEnvironment FromConsole() =>
        new(Console.Out, Console.Error, Environment.GetEnvironmentVariable, !Console.IsErrorRedirected);
}
