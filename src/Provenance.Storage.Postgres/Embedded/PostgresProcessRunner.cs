using System.Diagnostics;
using System.Text;

namespace Provenance.Storage.Postgres.Embedded;

/// <summary>Runs PostgreSQL programs, through <c>runuser -u postgres</c> when this process is root.</summary>
internal sealed class PostgresProcessRunner(string binDirectory, bool runAsPostgres)
{
    internal const string PostgresAccount = "postgres";

    public bool RunAsPostgres => runAsPostgres;

    public async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var executable = Path.Combine(binDirectory, program);
        if (runAsPostgres)
        {
            start.FileName = "runuser";
            foreach (var a in (string[])["-u", PostgresAccount, "--", executable])
            {
                start.ArgumentList.Add(a);
            }
        }
        else
        {
            start.FileName = executable;
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        // C locale messages, and no PG* variables of the caller leaking into pg_ctl.
        start.Environment["LC_ALL"] = "C";
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new EmbeddedPostgresException($"could not run {start.FileName}: {e.Message}", e);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString().Trim());
        }
    }

    /// <summary>
    /// Runs <c>pg_ctl</c> with <paramref name="pgCtlArguments"/> in a new session (<c>setsid</c>) that survives this
    /// process, then removes <paramref name="folderToDelete"/> when given. Does not wait.
    /// </summary>
    public void StartDetached(IReadOnlyList<string> pgCtlArguments, string? folderToDelete)
    {
        var start = new ProcessStartInfo("setsid") { UseShellExecute = false };
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("\"$@\" >/dev/null 2>&1; if [ -n \"$DELETE_FOLDER\" ]; then rm -rf -- \"$DELETE_FOLDER\"; fi");
        start.ArgumentList.Add("sh");
        if (runAsPostgres)
        {
            foreach (var a in (string[])["runuser", "-u", PostgresAccount, "--"])
            {
                start.ArgumentList.Add(a);
            }
        }

        start.ArgumentList.Add(Path.Combine(binDirectory, "pg_ctl"));
        foreach (var a in pgCtlArguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DELETE_FOLDER"] = folderToDelete ?? "";
        using var process = Process.Start(start);
    }

    /// <summary>Gives a file or folder (recursively) to the postgres account; requires root.</summary>
    public static void GiveToPostgres(string path)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown") { ArgumentList = { "-R", $"{PostgresAccount}:", path }, UseShellExecute = false })
            ?? throw new EmbeddedPostgresException("could not run chown");
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new EmbeddedPostgresException($"chown -R {PostgresAccount} {path} failed (exit {chown.ExitCode}); does the '{PostgresAccount}' account exist? (useradd --system postgres)");
        }
    }
}
