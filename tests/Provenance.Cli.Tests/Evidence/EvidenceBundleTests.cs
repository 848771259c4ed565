using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;
using Provenance.Core.Evidence;
using Provenance.Core.Signing;
using Provenance.Timestamping;
using Names = Provenance.Core.Evidence.EvidenceVerifier.CheckNames;

namespace Provenance.Cli.Tests.Evidence;

public sealed class EvidenceBundleTests : IDisposable
{
    private readonly EvidenceFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public async Task Verify_UntouchedBundleWithOriginal_Verified()
    {
        using var original = new MemoryStream(EvidenceFixture.OriginalBytes);

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle, original);

        Assert.Equal("verified", result.Verdict);
        Assert.All(result.Checks, c => Assert.Equal(CheckOutcome.Pass, c.Outcome));
        Assert.Equal(
            [Names.ContentHash, Names.ManifestCanonical, Names.ManifestHash, Names.Signature, Names.Lineage, Names.Inclusion, Names.Checkpoint, "timestamp-imprint:builtin", "timestamp:builtin", Names.BundleIndex],
            result.Checks.Select(c => c.Name));
    }

    [Fact]
    public void Read_WrittenBundle_RoundTripsEveryPiece()
    {
        var bytes = EvidenceBundleWriter.ToBytes(_fixture.Bundle);

        var read = EvidenceBundleReader.Read(bytes).Bundle;

        Assert.Equal(_fixture.Bundle.ManifestCanonical, read.ManifestCanonical);
        Assert.Equal(_fixture.Bundle.ManifestJws, read.ManifestJws);
        Assert.Equal(_fixture.Bundle.SignerKeyPem, read.SignerKeyPem);
        Assert.Equal(_fixture.Bundle.InclusionProof!.Proof, read.InclusionProof!.Proof);
        Assert.Equal(_fixture.Bundle.InclusionProof with { Proof = [] }, read.InclusionProof with { Proof = [] });
        Assert.Equal(_fixture.Bundle.Checkpoint!.Text, read.Checkpoint!.Text);
        Assert.Equal(_fixture.Bundle.Timestamps[0].TokenDer, read.Timestamps[0].TokenDer);
        Assert.Equal(_fixture.Bundle.Lineage.Nodes.Select(n => n.AssetId), read.Lineage.Nodes.Select(n => n.AssetId));
        Assert.Equal(_fixture.Bundle.CreatedAt, read.CreatedAt);
    }

    [Fact]
    public void Write_SameInputTwice_SameBytes()
    {
        var first = EvidenceBundleWriter.ToBytes(_fixture.Bundle);

        var second = EvidenceBundleWriter.ToBytes(_fixture.Bundle);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Write_Bundle_HasTheDocumentedFiles()
    {
        var bytes = EvidenceBundleWriter.ToBytes(_fixture.Bundle);

        using var zip = new ZipArchive(new MemoryStream(bytes));
        Assert.Equal(
            ["README.md", "bundle.json", "checkpoint.jws", "checkpoint.txt", "inclusion-proof.json", "lineage.json", "log-key.jwk", "log-key.pem", "manifest.json", "manifest.jws", "signer-key.jwk", "signer-key.pem", "timestamps/builtin-chain.pem", "timestamps/builtin.tsr"],
            zip.Entries.Select(e => e.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Verify_WrongOriginalFile_ContentHashFails()
    {
        using var other = new MemoryStream("not the original"u8.ToArray());

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle, other);

        AssertFailed(result, Names.ContentHash);
    }

    [Fact]
    public async Task Verify_ManifestByteFlippedInZip_ManifestHashSignatureAndIndexFail()
    {
        var zip = RewriteZip(EvidenceBundleWriter.ToBytes(_fixture.Bundle), EvidenceBundleLayout.Manifest, FlipLastLetter);

        var result = await VerifyZipAsync(zip);

        AssertFailed(result, Names.ManifestHash, Names.Signature, Names.BundleIndex);
        Assert.Equal(CheckOutcome.Pass, Outcome(result, Names.Checkpoint));
    }

    [Fact]
    public async Task Verify_ManifestNotCanonical_ManifestCanonicalFails()
    {
        var spaced = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_fixture.ManifestCanonical).Replace(",", ", ", StringComparison.Ordinal));
        var bundle = _fixture.Bundle with { ManifestCanonical = spaced, ManifestJws = Es256Jws.Sign(spaced, _fixture.SignerKey) };

        var result = await EvidenceFixture.WriteReadVerifyAsync(bundle);

        AssertFailed(result, Names.ManifestCanonical);
    }

    [Fact]
    public async Task Verify_JwsSignatureFlipped_SignatureFails()
    {
        var jws = _fixture.Bundle.ManifestJws;
        var tampered = jws[..^2] + (jws[^2] == 'A' ? 'B' : 'A') + jws[^1];

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { ManifestJws = tampered });

        AssertFailed(result, Names.Signature);
        Assert.Equal(CheckOutcome.Pass, Outcome(result, Names.ManifestHash));
    }

    [Fact]
    public async Task Verify_SignerKeySwapped_SignatureFails()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { SignerKeyPem = other.ExportSubjectPublicKeyInfoPem() });

        AssertFailed(result, Names.Signature);
    }

    [Fact]
    public async Task Verify_SignedByAnotherKeyUnderTheOriginalKid_SignatureFails()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var otherPem = other.ExportSubjectPublicKeyInfoPem();
        var honest = _fixture.Bundle with { SignerKeyPem = otherPem, ManifestJws = EvidenceFixture.SignWithKid(other, _fixture.ManifestCanonical, VerificationKey.FromSpkiPem(otherPem).Kid) };
        var forged = honest with { ManifestJws = EvidenceFixture.SignWithKid(other, _fixture.ManifestCanonical, _fixture.SignerKey.Kid) };

        var honestResult = await EvidenceFixture.WriteReadVerifyAsync(honest);
        var result = await EvidenceFixture.WriteReadVerifyAsync(forged);

        Assert.Equal(CheckOutcome.Pass, Outcome(honestResult, Names.Signature));
        AssertFailed(result, Names.Signature);
    }

    [Fact]
    public async Task Verify_DetachedManifestJws_Verified()
    {
        var bundle = _fixture.Bundle with { ManifestJws = Es256Jws.SignDetached(_fixture.ManifestCanonical, _fixture.SignerKey) };

        var result = await EvidenceFixture.WriteReadVerifyAsync(bundle);

        Assert.Equal(CheckOutcome.Pass, Outcome(result, Names.Signature));
    }

    [Fact]
    public async Task Verify_JwsOverOtherBytes_SignatureFails()
    {
        var bundle = _fixture.Bundle with { ManifestJws = Es256Jws.Sign("other bytes"u8, _fixture.SignerKey) };

        var result = await EvidenceFixture.WriteReadVerifyAsync(bundle);

        AssertFailed(result, Names.Signature);
    }

    [Fact]
    public async Task Verify_ProofHashFlipped_InclusionFails()
    {
        var proof = _fixture.Bundle.InclusionProof!;
        var first = Convert.FromBase64String(proof.Proof[0]);
        first[0] ^= 0x01;
        var tampered = proof with { Proof = [Convert.ToBase64String(first), .. proof.Proof.Skip(1)] };

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { InclusionProof = tampered });

        AssertFailed(result, Names.Inclusion);
        Assert.Equal(CheckOutcome.Pass, Outcome(result, Names.Checkpoint));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(+1)]
    public async Task Verify_ProofIndexShifted_InclusionFails(int delta)
    {
        var proof = _fixture.Bundle.InclusionProof!;

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { InclusionProof = proof with { LeafIndex = proof.LeafIndex + delta } });

        AssertFailed(result, Names.Inclusion);
    }

    [Fact]
    public async Task Verify_CheckpointByteFlipped_CheckpointAndImprintFail()
    {
        var text = (byte[])_fixture.CheckpointText.Clone();
        text[2] ^= 0x01;

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Checkpoint = _fixture.Bundle.Checkpoint! with { Text = text } });

        AssertFailed(result, Names.Checkpoint, "timestamp-imprint:builtin", "timestamp:builtin");
    }

    [Fact]
    public async Task Verify_LogKeySwapped_CheckpointFails()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Checkpoint = _fixture.Bundle.Checkpoint! with { LogKeyPem = other.ExportSubjectPublicKeyInfoPem() } });

        AssertFailed(result, Names.Checkpoint);
        Assert.Equal(CheckOutcome.Pass, Outcome(result, Names.Inclusion));
    }

    [Fact]
    public async Task Verify_TokenSignatureByteFlipped_TimestampFails()
    {
        var token = (byte[])_fixture.Bundle.Timestamps[0].TokenDer.Clone();
        token[^1] ^= 0x01;

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Timestamps = [_fixture.Bundle.Timestamps[0] with { TokenDer = token }] });

        AssertFailed(result, "timestamp:builtin");
        Assert.Equal(CheckOutcome.Pass, Outcome(result, "timestamp-imprint:builtin"));
    }

    [Fact]
    public async Task Verify_TokenOverAnotherHash_ImprintFails()
    {
        var token = _fixture.Timestamp(SHA256.HashData("another checkpoint"u8));

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Timestamps = [_fixture.Bundle.Timestamps[0] with { TokenDer = token }] });

        AssertFailed(result, "timestamp-imprint:builtin", "timestamp:builtin");
    }

    [Fact]
    public async Task Verify_ParentMissingFromLineage_LineageFails()
    {
        var lineage = _fixture.Bundle.Lineage with { Nodes = [_fixture.Bundle.Lineage.Nodes[0]] };

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Lineage = lineage });

        AssertFailed(result, Names.Lineage);
    }

    [Fact]
    public async Task Verify_LineageCycle_LineageFails()
    {
        var nodes = _fixture.Bundle.Lineage.Nodes;
        var cyclic = nodes[1] with { Parents = [new EvidenceLineageLink("remix-1", Relationship.ParentOf)] };

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Lineage = _fixture.Bundle.Lineage with { Nodes = [nodes[0], cyclic] } });

        AssertFailed(result, Names.Lineage);
    }

    [Fact]
    public async Task Verify_ExtraFileInZip_BundleIndexFails()
    {
        var zip = RewriteZip(EvidenceBundleWriter.ToBytes(_fixture.Bundle), "extra.txt", _ => "smuggled"u8.ToArray());

        var result = await VerifyZipAsync(zip);

        AssertFailed(result, Names.BundleIndex);
    }

    [Fact]
    public async Task Verify_NotYetAnchored_PartiallyVerified()
    {
        var bundle = _fixture.Bundle with { InclusionProof = null, Checkpoint = null, Timestamps = [] };

        var result = await EvidenceFixture.WriteReadVerifyAsync(bundle);

        Assert.Equal("partially-verified", result.Verdict);
        Assert.Equal(CheckOutcome.Pending, Outcome(result, Names.Inclusion));
        Assert.Equal(CheckOutcome.Pending, Outcome(result, Names.Checkpoint));
    }

    [Fact]
    public async Task Verify_NoTimestampVerifier_TimestampPending()
    {
        var read = EvidenceBundleReader.Read(EvidenceBundleWriter.ToBytes(_fixture.Bundle));

        var result = await new EvidenceVerifier(null).VerifyAsync(read);

        Assert.Equal("partially-verified", result.Verdict);
        Assert.Equal(CheckOutcome.Pending, Outcome(result, "timestamp:builtin"));
    }

    [Fact]
    public void Read_NotAZip_InvalidEvidenceBundle()
    {
        var e = Assert.Throws<InvalidEvidenceBundleException>(() => EvidenceBundleReader.Read("not a zip"u8.ToArray()));

        Assert.Equal("invalid-evidence-bundle", e.Code);
    }

    [Fact]
    public void Read_RequiredFileMissing_InvalidEvidenceBundleNamingIt()
    {
        var zip = RemoveFromZip(EvidenceBundleWriter.ToBytes(_fixture.Bundle), EvidenceBundleLayout.ManifestJws);

        var e = Assert.Throws<InvalidEvidenceBundleException>(() => EvidenceBundleReader.Read(zip));

        Assert.Equal(EvidenceBundleLayout.ManifestJws, e.Field);
    }

    [Fact]
    public async Task Write_TwoTsasWithOddNames_SafeFileNamesAndOneOpensslLineEach()
    {
        var first = _fixture.Bundle.Timestamps[0];
        var bundle = _fixture.Bundle with { Timestamps = [first with { Tsa = "tsa one/eu" }, first with { Tsa = "tsa.two" }] };

        var bytes = EvidenceBundleWriter.ToBytes(bundle);
        var result = await EvidenceFixture.WriteReadVerifyAsync(bundle);

        var read = EvidenceBundleReader.Read(bytes);
        Assert.Contains("timestamps/tsa-one-eu.tsr", read.Files.Keys);
        Assert.Contains("timestamps/tsa.two-chain.pem", read.Files.Keys);
        var readme = Encoding.UTF8.GetString(read.Files["README.md"]);
        Assert.Equal(2, readme.Split('\n').Count(l => l.StartsWith("openssl ts -verify", StringComparison.Ordinal)));
        Assert.Equal("verified", result.Verdict);
        Assert.Contains(result.Checks, c => c.Name == "timestamp:tsa one/eu" && c.Outcome == CheckOutcome.Pass);
    }

    [Fact]
    public async Task Verify_GarbageToken_TimestampChecksFailWithoutThrowing()
    {
        var bundle = _fixture.Bundle with { Timestamps = [_fixture.Bundle.Timestamps[0] with { TokenDer = [0x30, 0x03, 0x02, 0x01, 0x01] }] };

        var result = await EvidenceFixture.WriteReadVerifyAsync(bundle);

        AssertFailed(result, "timestamp-imprint:builtin", "timestamp:builtin");
    }

    [Theory]
    [InlineData("extra line\n")]
    [InlineData("\r\n")]
    public async Task Verify_CheckpointNotInTheExactForm_CheckpointFails(string appended)
    {
        var text = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(_fixture.CheckpointText) + appended);
        var checkpoint = _fixture.Bundle.Checkpoint! with { Text = text, Jws = Es256Jws.Sign(text, _fixture.LogKey) };

        var result = await EvidenceFixture.WriteReadVerifyAsync(_fixture.Bundle with { Checkpoint = checkpoint });

        AssertFailed(result, Names.Checkpoint, Names.Inclusion);
    }

    [Fact]
    public void Readme_OpensslCommand_VerifiesTheToken()
    {
        if (!OpenSslAvailable())
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("bundle-");
        try
        {
            new ZipArchive(new MemoryStream(EvidenceBundleWriter.ToBytes(_fixture.Bundle))).ExtractToDirectory(folder.FullName);
            var readme = File.ReadAllText(Path.Combine(folder.FullName, "README.md"));
            var command = readme.Split('\n').Single(l => l.StartsWith("openssl ts -verify", StringComparison.Ordinal));

            var (exit, output) = Run("openssl", command["openssl ".Length..], folder.FullName);

            Assert.True(exit == 0, output);
            Assert.Contains("Verification: OK", output, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static bool OpenSslAvailable()
    {
        try
        {
            return Run("openssl", "version", Path.GetTempPath()).Exit == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Exit, string Output) Run(string file, string arguments, string folder)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr);
    }

    private static async Task<VerifyResultDto> VerifyZipAsync(byte[] zip) =>
        await new EvidenceVerifier(new EvidenceTimestampVerifier()).VerifyAsync(EvidenceBundleReader.Read(zip));

    private static byte[] FlipLastLetter(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        var i = Array.FindLastIndex(copy, b => b is >= (byte)'a' and <= (byte)'y');
        copy[i]++;
        return copy;
    }

    private static byte[] RemoveFromZip(byte[] zipBytes, string path)
    {
        using var output = new MemoryStream();
        using (var source = new ZipArchive(new MemoryStream(zipBytes)))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in source.Entries.Where(e => e.FullName != path))
            {
                using var from = entry.Open();
                using var to = zip.CreateEntry(entry.FullName).Open();
                from.CopyTo(to);
            }
        }

        return output.ToArray();
    }

    private static byte[] RewriteZip(byte[] zipBytes, string path, Func<byte[], byte[]> change)
    {
        var files = new Dictionary<string, byte[]>();
        using (var zip = new ZipArchive(new MemoryStream(zipBytes)))
        {
            foreach (var entry in zip.Entries)
            {
                using var s = entry.Open();
                using var m = new MemoryStream();
                s.CopyTo(m);
                files[entry.FullName] = m.ToArray();
            }
        }

        files[path] = change(files.GetValueOrDefault(path, []));
        using var output = new MemoryStream();
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(bytes);
            }
        }

        return output.ToArray();
    }

    private static CheckOutcome Outcome(VerifyResultDto result, string name) => result.Checks.Single(c => c.Name == name).Outcome;

    private static void AssertFailed(VerifyResultDto result, params string[] names)
    {
        Assert.Equal("failed", result.Verdict);
        foreach (var name in names)
        {
            Assert.True(Outcome(result, name) == CheckOutcome.Fail, $"expected {name} to fail; checks: {string.Join("; ", result.Checks.Select(c => $"{c.Name}={c.Outcome} {c.Detail}"))}");
        }
    }
}
