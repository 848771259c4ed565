namespace Provenance.Storage.Postgres.Embedded;

/// <summary>Finds the folder holding <c>initdb</c>, <c>pg_ctl</c> and <c>postgres</c>.</summary>
internal static class PostgresBinaries
{
    private static readonly string[] Required = ["initdb", "pg_ctl", "postgres"];

    /// <summary>
    /// Searches <paramref name="searchPath"/> when given; otherwise <c>PATH</c>, then <c>/usr/lib/postgresql/*/bin</c>
    /// (highest major version first). A folder qualifies when it holds all three programs, following symlinks,
    /// so <c>/usr/local/bin/initdb -> /usr/lib/postgresql/15/bin/initdb</c> resolves to the real bin folder.
    /// </summary>
    /// <exception cref="PostgresBinariesNotFoundException">No folder qualifies.</exception>
    public static string Locate(IReadOnlyList<string>? searchPath)
    {
        var candidates = searchPath ?? DefaultSearchPath();
        foreach (var folder in candidates)
        {
            var initdb = Path.Combine(folder, "initdb");
            if (!File.Exists(initdb))
            {
                continue;
            }

            var real = Path.GetDirectoryName(new FileInfo(initdb).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? initdb)!;
            if (Required.All(p => File.Exists(Path.Combine(real, p))))
            {
                return real;
            }
        }

        throw new PostgresBinariesNotFoundException(candidates);
    }

    private static List<string> DefaultSearchPath()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).ToList();
        const string root = "/usr/lib/postgresql";
        if (Directory.Exists(root))
        {
            path.AddRange(Directory.GetDirectories(root)
                .Select(d => (Dir: d, Version: double.TryParse(Path.GetFileName(d), System.Globalization.CultureInfo.InvariantCulture, out var v) ? v : -1))
                .OrderByDescending(d => d.Version)
                .Select(d => Path.Combine(d.Dir, "bin")));
        }

        return path;
    }
}
