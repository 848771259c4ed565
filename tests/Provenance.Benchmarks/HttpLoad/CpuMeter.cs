using System.Globalization;

namespace Provenance.Benchmarks.HttpLoad;

/// <summary>
/// CPU seconds (user + system, from /proc) of the processes serving the run: the server nodes and their PostgreSQL
/// (the postmaster named in <c>postmaster.pid</c> and its backends). On a shared, loaded machine wall-clock throughput
/// mostly measures the neighbours; CPU per request does not, so before/after comparisons use it.
/// </summary>
internal sealed class CpuMeter(IReadOnlyList<int> serverPids, IReadOnlyList<string> postgresDataDirectories)
{
    public (double Server, double Postgres, double Generator) Sample()
    {
        var server = serverPids.Sum(ProcessSeconds);
        var postgres = 0.0;
        foreach (var directory in postgresDataDirectories)
        {
            if (PostmasterPid(directory) is not { } postmaster)
            {
                continue;
            }

            postgres += ProcessSeconds(postmaster);
            foreach (var entry in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(entry), out var pid) && pid != postmaster && ParentOf(pid) == postmaster)
                {
                    postgres += ProcessSeconds(pid);
                }
            }
        }

        return (server, postgres, Environment.ProcessorCount > 0 ? System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds : 0);
    }

    private static int? PostmasterPid(string dataDirectory)
    {
        try
        {
            var first = File.ReadLines(Path.Combine(dataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[]? Fields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var close = text.LastIndexOf(')');
            return close < 0 ? null : text[(close + 2)..].Split(' '); // fields from 3 (state) on
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static int? ParentOf(int pid) => Fields(pid) is { } f && int.TryParse(f[1], CultureInfo.InvariantCulture, out var parent) ? parent : null;

    private static double ProcessSeconds(int pid) =>
        Fields(pid) is { } f ? (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / 100.0 : 0;
}
