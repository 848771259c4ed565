using System.Security.Cryptography.X509Certificates;

namespace Provenance.Timestamping.Tests.TestSupport;

/// <summary>
/// OpenSSL acting as the TSA: a root CA and a TSA certificate (critical timeStamping EKU) made with
/// <c>openssl req</c>/<c>openssl x509</c>, and <c>openssl ts -reply</c> answering each query.
/// Shared per test class (xUnit class fixture).
/// </summary>
public sealed class OpenSslTsa : IAsyncLifetime
{
    public const string DefaultPolicy = "1.2.3.4.1";
    public const string OtherPolicy = "1.2.3.4.5";

    private const string CertificateConfig = """
        [req]
        distinguished_name = dn
        prompt = no
        x509_extensions = v3_ca
        [dn]
        CN = OpenSSL Test Root
        [v3_ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [tsa_ext]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature
        extendedKeyUsage = critical,timeStamping
        subjectKeyIdentifier = hash
        authorityKeyIdentifier = keyid
        """;

    private readonly TempFolder _folder = new();
    private readonly SemaphoreSlim _serialFileLock = new(1, 1);

    public X509Certificate2 Root { get; private set; } = null!;

    public string RootPath => _folder.File("ca.pem");

    public async Task InitializeAsync()
    {
        string dir = _folder.Path;
        await File.WriteAllTextAsync(_folder.File("certs.cnf"), CertificateConfig);
        await File.WriteAllTextAsync(_folder.File("serial"), "01\n");
        await File.WriteAllTextAsync(_folder.File("tsa.cnf"), $"""
            [tsa]
            default_tsa = tsa_config
            [tsa_config]
            dir = {dir}
            serial = $dir/serial
            crypto_device = builtin
            signer_cert = $dir/tsa.pem
            certs = $dir/ca.pem
            signer_key = $dir/tsa.key
            signer_digest = sha256
            default_policy = {DefaultPolicy}
            other_policies = {OtherPolicy}
            digests = sha256, sha384, sha512
            accuracy = secs:1, millisecs:500, microsecs:100
            clock_precision_digits = 3
            ordering = no
            tsa_name = yes
            ess_cert_id_chain = no
            ess_cert_id_alg = sha256
            """);

        await OpenSsl.RunCheckedAsync(dir, "req", "-config", "certs.cnf", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2");
        await OpenSsl.RunCheckedAsync(dir, "req", "-config", "certs.cnf", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=OpenSSL Test TSA");
        await OpenSsl.RunCheckedAsync(dir, "x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
            "-days", "2", "-extfile", "certs.cnf", "-extensions", "tsa_ext", "-out", "tsa.pem");
        Root = X509CertificateLoader.LoadCertificateFromFile(RootPath);
    }

    /// <summary>Answers a DER TimeStampReq with <c>openssl ts -reply</c>.</summary>
    public async Task<byte[]> ReplyAsync(byte[] query)
    {
        string name = Guid.NewGuid().ToString("N");
        string queryPath = _folder.File(name + ".tsq");
        string replyPath = _folder.File(name + ".tsr");
        await File.WriteAllBytesAsync(queryPath, query);
        await _serialFileLock.WaitAsync();
        try
        {
            await OpenSsl.RunCheckedAsync(_folder.Path, "ts", "-reply", "-config", "tsa.cnf", "-queryfile", queryPath, "-out", replyPath);
        }
        finally
        {
            _serialFileLock.Release();
        }

        return await File.ReadAllBytesAsync(replyPath);
    }

    public TsaOptions Options(Uri url, string? policyOid = null) => new()
    {
        Name = "openssl",
        Url = url,
        Timeout = TimeSpan.FromSeconds(60),
        PolicyOid = policyOid,
        TrustAnchorPaths = [RootPath],
    };

    public Task DisposeAsync()
    {
        Root.Dispose();
        _serialFileLock.Dispose();
        _folder.Dispose();
        return Task.CompletedTask;
    }
}
