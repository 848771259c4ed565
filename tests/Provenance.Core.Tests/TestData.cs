namespace Provenance.Core.Tests;

/// <summary>Locates known-answer files copied next to the test assembly.</summary>
internal static class TestData
{
    public static string PathOf(params string[] parts) => Path.Combine([AppContext.BaseDirectory, .. parts]);

    public static byte[] Bytes(params string[] parts) => File.ReadAllBytes(PathOf(parts));

    public static string Text(params string[] parts) => File.ReadAllText(PathOf(parts));
}
