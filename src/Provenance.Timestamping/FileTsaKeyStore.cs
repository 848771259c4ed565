namespace Provenance.Timestamping;

/// <summary>
/// <see cref="ITsaKeyStore"/> over a folder of PEM files: <c>tsa-root.pem</c>, <c>tsa-root.key</c>,
/// <c>tsa-signing.pem</c>, <c>tsa-signing.key</c>. Key files are created owner-read/write only (0600) on Unix.
/// Each file is written to a temporary name and renamed, so a crash never leaves a half-written file.
/// Meant for one node: nodes that start together over a shared folder could each generate and interleave their
/// files; several nodes need a shared store that serialises first creation.
/// </summary>
public sealed class FileTsaKeyStore : ITsaKeyStore
{
    internal const string RootCertificateFile = "tsa-root.pem";
    internal const string RootKeyFile = "tsa-root.key";
    internal const string SigningCertificateFile = "tsa-signing.pem";
    internal const string SigningKeyFile = "tsa-signing.key";

    private static readonly string[] AllFiles = [RootCertificateFile, RootKeyFile, SigningCertificateFile, SigningKeyFile];

    /// <summary>Creates a store; the folder is created on first save.</summary>
    /// <param name="folder">Folder path; must not be empty.</param>
    /// <exception cref="ArgumentException"><paramref name="folder"/> is null or empty.</exception>
    public FileTsaKeyStore(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Folder { get; }

    /// <inheritdoc />
    public TsaKeyMaterial? Load()
    {
        string[] present = AllFiles.Where(f => File.Exists(Path.Combine(Folder, f))).ToArray();
        if (present.Length == 0)
        {
            return null;
        }

        if (present.Length != AllFiles.Length)
        {
            throw new TimestampException(
                TimestampFailureReason.Configuration,
                $"The TSA key folder '{Folder}' is incomplete (has {string.Join(", ", present)}); restore the missing files or empty the folder.");
        }

        try
        {
            return new TsaKeyMaterial(Read(RootCertificateFile), Read(RootKeyFile), Read(SigningCertificateFile), Read(SigningKeyFile));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TimestampException(TimestampFailureReason.Configuration, $"Cannot read the TSA key folder '{Folder}'.", e);
        }
    }

    /// <inheritdoc />
    public void Save(TsaKeyMaterial material)
    {
        ArgumentNullException.ThrowIfNull(material);
        try
        {
            Directory.CreateDirectory(Folder);
            Write(RootKeyFile, material.RootPrivateKeyPem, secret: true);
            Write(SigningKeyFile, material.SigningPrivateKeyPem, secret: true);
            Write(RootCertificateFile, material.RootCertificatePem, secret: false);
            Write(SigningCertificateFile, material.SigningCertificatePem, secret: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TimestampException(TimestampFailureReason.Configuration, $"Cannot write the TSA key folder '{Folder}'.", e);
        }
    }

    private string Read(string file) => File.ReadAllText(Path.Combine(Folder, file));

    private void Write(string file, string text, bool secret)
    {
        string path = Path.Combine(Folder, file);
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
