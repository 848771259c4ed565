using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Provenance.Core.Hashing;
using Provenance.Core.Manifests;
using Provenance.Core.Signing;

namespace Provenance.Benchmarks.Core;

/// <summary>Target: canonicalise + sign a ~1 KB manifest at 20,000/s or more on one core (50 µs per operation).</summary>
[MemoryDiagnoser]
public class CanonicalizeSignBenchmarks
{
    private ManifestV1 _manifest = null!;
    private SigningKey _key = null!;
    private byte[] _canonical = [];

    [GlobalSetup]
    public void Setup()
    {
        _key = SigningKey.Generate();
        using var parameters = JsonDocument.Parse("""{"seed":1234567,"sampler":"dpmpp_2m","steps":30,"guidance":7.5,"width":1024,"height":1024,"scheduler":"karras"}""");
        var at = new DateTimeOffset(2026, 11, 21, 4, 30, 0, TimeSpan.Zero);
        _manifest = new ManifestV1
        {
            AssetId = "asset-01JD6X4Q2N8W5R7T9Y3K1M0P2Z",
            ContentHash = ContentHash.Compute("asset bytes"u8),
            MediaType = "image/png",
            Title = "Harbour at sunset, variation 4",
            Tags = ["sunset", "harbour", "campaign-7", "hero"],
            Parents = [new ParentLink("asset-01JD6X3Z7B", ContentHash.Compute("parent"u8), Relationship.ParentOf)],
            Tenant = "acme-media",
            Project = "campaign-7",
            Creator = new ActorRef("user-4711", "Ada Lovelace"),
            Tool = new ToolRef("studio", "3.1.4"),
            Provider = "example-ai",
            Model = "imagegen-xl",
            ModelVersion = "2026-10-01",
            Prompt = new PromptRef("prompt-family-42", "3", ContentHash.Compute("prompt"u8)),
            GenerationParameters = parameters.RootElement,
            Moderation = new ModerationResult
            {
                Rules = ["nsfw", "violence"],
                Scores = new Dictionary<string, double> { ["nsfw"] = 0.0021, ["violence"] = 0.0004 },
                Decision = ModerationDecision.Allowed,
            },
            Approvals = [new Approval(new ActorRef("lead-2"), "publish", at, "campaign sign-off")],
            Status = LifecycleStatus.Approved,
            Restrictions = [new Restriction("licence", "CC-BY-4.0")],
            CreatedAt = at,
        };
        _canonical = ManifestCodec.ToCanonicalBytes(_manifest);
        if (_canonical.Length is < 900 or > 1300)
        {
            throw new InvalidOperationException($"The benchmark manifest is {_canonical.Length} bytes; keep it near 1 KB.");
        }
    }

    [Benchmark(Description = "canonicalise + sign 1 KB manifest")]
    public string CanonicalizeAndSign() => Es256Jws.Sign(ManifestCodec.ToCanonicalBytes(_manifest), _key);

    [Benchmark(Description = "canonicalise only")]
    public byte[] CanonicalizeOnly() => ManifestCodec.ToCanonicalBytes(_manifest);

    [Benchmark(Description = "sign only (ES256 over canonical bytes)")]
    public string SignOnly() => Es256Jws.Sign(_canonical, _key);
}
