using System.Diagnostics;

namespace Provenance.Timestamping.Tests.TestSupport;

/// <summary>Runs the <c>openssl</c> command line found on PATH.</summary>
internal static class OpenSsl
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;
    }

    /// <summary>Runs openssl and returns its exit code and output, whatever the exit code.</summary>
    public static async Task<Result> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("openssl")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OPENSSL_CONF"] = "/dev/null";
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start.");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs openssl and throws with its output unless it exits with 0.</summary>
    public static async Task<Result> RunCheckedAsync(string workingDirectory, params string[] arguments)
    {
        Result result = await RunAsync(workingDirectory, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} exited with {result.ExitCode}: {result.Output}");
        }

        return result;
    }
}
