using System.Text.Json;
using Provenance.Cli.Tests.Client;
using Provenance.Cli.Tests.Evidence;
using Provenance.Core.Contracts;
using Provenance.Core.Manifests;
using Provenance.Core.Evidence;

namespace Provenance.Cli.Tests.Cli;

public sealed class CliTests
{
    private const string AssetJson = """
        {"assetId":"a1","tenant":"default","contentHash":"sha256:0000000000000000000000000000000000000000000000000000000000000000","mediaType":"image/png",
         "tags":[],"parents":[],"status":"generated","restrictions":[],"inheritedRestrictions":[],"moderation":[],"approvals":[],
         "manifestHash":"sha256:2222222222222222222222222222222222222222222222222222222222222222","signingKeyId":"k1","createdAt":"2026-11-21T05:00:00Z","updatedAt":"2026-11-21T05:00:00Z"}
        """;

    [Fact]
    public async Task Run_Help_ExitsOkWithCommands()
    {
        var result = await CliRunner.RunAsync("--help");

        Assert.Equal(0, result.Exit);
        Assert.Contains("register", result.Out, StringComparison.Ordinal);
        Assert.Contains("verify", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("trace")]
    [InlineData("trace a1 --up --down")]
    [InlineData("trace a1 --depth 0")]
    [InlineData("trace a1 --depth many")]
    [InlineData("verify")]
    [InlineData("verify a1 --bundle b.zip")]
    [InlineData("verify a1 --file f.png")]
    [InlineData("evidence a1")]
    [InlineData("register x.png --no-such-option")]
    [InlineData("keys create --scope everything")]
    [InlineData("prompts create fam --version 1.0.0")]
    public async Task Run_BadUsage_ExitsTwoWithOneErrorLine(string commandLine)
    {
        var result = await CliRunner.RunAsync(commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(2, result.Exit);
        result.AssertOneErrorLine();
    }

    [Fact]
    public async Task Register_MissingFile_ExitsTwo()
    {
        var result = await CliRunner.RunAsync("register", "/no/such/file.png", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, result.Exit);
        result.AssertOneErrorLine();
    }

    [Theory]
    [InlineData("orig", "orig", Relationship.ParentOf)]
    [InlineData("orig:componentOf", "orig", Relationship.ComponentOf)]
    [InlineData("orig:input-to", "orig", Relationship.InputTo)]
    [InlineData("orig:PARENTOF", "orig", Relationship.ParentOf)]
    [InlineData("ns:orig", "ns:orig", Relationship.ParentOf)]
    [InlineData("ns:orig:inputTo", "ns:orig", Relationship.InputTo)]
    public void ParseParent_Forms_IdAndRelationship(string text, string id, Relationship relationship)
    {
        var link = RegisterCommand.ParseParent(text);

        Assert.Equal(new ParentClaim(id, relationship), link);
    }

    [Theory]
    [InlineData("orig:")]
    [InlineData(":inputTo")]
    public void ParseParent_Malformed_UsageException(string text)
    {
        Assert.Throws<UsageException>(() => RegisterCommand.ParseParent(text));
    }

    [Theory]
    [InlineData("fam@1.0.0", "fam", "1.0.0")]
    [InlineData("team@fam@2", "team@fam", "2")]
    public void ParsePrompt_FamilyAtVersion_Parsed(string text, string family, string version)
    {
        Assert.Equal(new PromptVersionRef(family, version), RegisterCommand.ParsePrompt(text));
    }

    [Theory]
    [InlineData("fam")]
    [InlineData("fam@")]
    [InlineData("@1")]
    public void ParsePrompt_Malformed_UsageException(string text)
    {
        Assert.Throws<UsageException>(() => RegisterCommand.ParsePrompt(text));
    }

    [Theory]
    [InlineData(404, "not-found", 3)]
    [InlineData(401, "unauthenticated", 4)]
    [InlineData(403, "forbidden", 4)]
    [InlineData(409, "conflict", 2)]
    [InlineData(400, "validation-failed", 2)]
    [InlineData(503, "unavailable", 5)]
    public async Task Trace_ServerProblem_MappedExitCode(int status, string code, int exit)
    {
        using var server = CannedServer.Always(status, CannedServer.Problem(status, code, "Refused", "Because."));

        var result = await CliRunner.RunAsync("trace", "a1", "--server", server.BaseAddress.ToString());

        Assert.Equal(exit, result.Exit);
        result.AssertOneErrorLine();
        Assert.Contains(code, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NothingListening_ExitsFive()
    {
        var result = await CliRunner.RunAsync("verify", "a1", "--server", $"http://127.0.0.1:{CannedServer.FreePort()}");

        Assert.Equal(5, result.Exit);
        result.AssertOneErrorLine();
    }

    [Fact]
    public async Task Register_ServerAndKeyFromEnvironment_SendsHashAndBearer()
    {
        using var server = CannedServer.Always(201, AssetJson, "application/json");
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "hello");
        try
        {
            var env = new Dictionary<string, string> { ["PROVENANCE_SERVER"] = server.BaseAddress.ToString(), ["PROVENANCE_API_KEY"] = "env-key" };

            var result = await CliRunner.RunAsync(env, "register", file, "--parent", "orig:inputTo", "--title", "Hi", "--prompt", "fam@1.0.0", "--json");

            Assert.Equal(0, result.Exit);
            Assert.Equal("a1", JsonSerializer.Deserialize<AssetDto>(result.Out, ApiJson.Options)!.AssetId);
            var request = Assert.Single(server.Requests);
            Assert.Equal("Bearer env-key", request.Authorization);
            using var body = JsonDocument.Parse(request.Body);
            Assert.Equal("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", body.RootElement.GetProperty("contentHash").GetString());
            Assert.Equal("inputTo", body.RootElement.GetProperty("parents")[0].GetProperty("relationship").GetString());
            Assert.Equal("fam", body.RootElement.GetProperty("prompt").GetProperty("familyId").GetString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Register_Folder_OneRegistrationPerFile()
    {
        using var server = CannedServer.Always(201, AssetJson, "application/json");
        var folder = Directory.CreateTempSubdirectory("cli-folder-");
        try
        {
            for (var i = 0; i < 3; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(folder.FullName, $"f{i}.png"), $"file {i}");
            }

            var result = await CliRunner.RunAsync("register", folder.FullName, "--server", server.BaseAddress.ToString());

            Assert.Equal(0, result.Exit);
            Assert.Equal(3, server.Requests.Count);
            Assert.Equal(3, result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task VerifyBundle_GoodBundleAndOriginal_ExitsZeroOffline()
    {
        using var fixture = new EvidenceFixture();
        var (zip, original) = await WriteAsync(fixture.Bundle);
        try
        {
            var result = await CliRunner.RunAsync("verify", "--bundle", zip, "--file", original, "--server", "http://127.0.0.1:1");

            Assert.Equal(0, result.Exit);
            Assert.Contains("verdict: verified", result.Out, StringComparison.Ordinal);
            Assert.Equal("", result.Error);
        }
        finally
        {
            File.Delete(zip);
            File.Delete(original);
        }
    }

    [Fact]
    public async Task VerifyBundle_Json_PrintsVerifyResult()
    {
        using var fixture = new EvidenceFixture();
        var (zip, original) = await WriteAsync(fixture.Bundle);
        try
        {
            var result = await CliRunner.RunAsync("verify", "--bundle", zip, "--json");

            var parsed = JsonSerializer.Deserialize<VerifyResultDto>(result.Out, ApiJson.Options)!;
            Assert.Equal(0, result.Exit);
            Assert.Equal("verified", parsed.Verdict);
            Assert.Equal(CheckOutcome.NotApplicable, parsed.Checks.Single(c => c.Name == "content-hash").Outcome);
        }
        finally
        {
            File.Delete(zip);
            File.Delete(original);
        }
    }

    [Fact]
    public async Task VerifyBundle_SwappedKey_ExitsOneNamingTheCheck()
    {
        using var fixture = new EvidenceFixture();
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var (zip, original) = await WriteAsync(fixture.Bundle with { SignerKeyPem = other.ExportSubjectPublicKeyInfoPem() });
        try
        {
            var result = await CliRunner.RunAsync("verify", "--bundle", zip);

            Assert.Equal(1, result.Exit);
            result.AssertOneErrorLine();
            Assert.StartsWith("provenance: verification failed: signature:", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(zip);
            File.Delete(original);
        }
    }

    [Fact]
    public async Task VerifyBundle_NotAZip_ExitsOne()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, "not a zip");
        try
        {
            var result = await CliRunner.RunAsync("verify", "--bundle", file);

            Assert.Equal(1, result.Exit);
            result.AssertOneErrorLine();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void TraceRender_Ancestors_DrawsBoxTree()
    {
        var asset = JsonSerializer.Deserialize<AssetDto>(AssetJson, ApiJson.Options)! with { AssetId = "remix-2b", Title = "Remix of remix", ContentHash = "sha256:abcdef0123456789abcdef" };
        LineageNodeDto[] nodes =
        [
            new("remix-1", "sha256:1111111111111111", 1, "remix-2b", Relationship.ParentOf, false, Title: "Remix"),
            new("layer", "sha256:3333333333333333", 1, "remix-2b", Relationship.ComponentOf, false),
            new("original", "sha256:2222222222222222", 2, "remix-1", Relationship.ParentOf, false, Model: "imagegen"),
        ];

        var text = TraceCommand.Render(asset, nodes, ancestors: true);

        Assert.Equal(
            """
            remix-2b "Remix of remix" sha256:abcdef012345…
            ├── layer (componentOf) sha256:333333333333…
            └── remix-1 (parentOf) "Remix" sha256:111111111111…
                └── original (parentOf) model=imagegen sha256:222222222222…

            """.ReplaceLineEndings("\n"),
            text);
    }

    private static async Task<(string Zip, string Original)> WriteAsync(EvidenceBundle bundle)
    {
        var zip = Path.GetTempFileName();
        var original = Path.GetTempFileName();
        await File.WriteAllBytesAsync(zip, EvidenceBundleWriter.ToBytes(bundle));
        await File.WriteAllBytesAsync(original, EvidenceFixture.OriginalBytes);
        return (zip, original);
    }
}
