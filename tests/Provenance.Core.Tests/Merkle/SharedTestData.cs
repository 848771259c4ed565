namespace Provenance.Core.Tests.Merkle;

/// <summary>
/// Finds the shared conformance data, which lives beside the repository (never copied into it):
/// <c>$PROVENANCE_SHARED_DIR</c>, then <c>../shared</c> and <c>../../shared</c> of the directory holding
/// Provenance.Orleans.sln (CI checkout, then a worktree under /work/wt), then <c>/work/shared</c>.
/// </summary>
internal static class SharedTestData
{
    private const string SolutionFile = "Provenance.Orleans.sln";

    public static string? FindMerkleDirectory() =>
        Candidates().Select(shared => Path.Combine(shared, "testdata", "merkle")).FirstOrDefault(Directory.Exists);

    private static IEnumerable<string> Candidates()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("PROVENANCE_SHARED_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            yield return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
            {
                yield return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
                yield return Path.GetFullPath(Path.Combine(dir.FullName, "..", "..", "shared"));
                break;
            }
        }

        yield return "/work/shared";
    }
}
