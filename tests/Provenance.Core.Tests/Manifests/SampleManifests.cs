using System.Text.Json;
using Provenance.Core.Hashing;
using Provenance.Core.Manifests;

namespace Provenance.Core.Tests.Manifests;

internal static class SampleManifests
{
    public static readonly DateTimeOffset CreatedAt = new(2026, 11, 21, 4, 30, 0, 125, TimeSpan.FromHours(2));

    public static ManifestV1 Minimal() => new()
    {
        AssetId = "asset-min",
        ContentHash = ContentHash.Compute("minimal"u8),
        MediaType = "image/png",
        Tenant = "acme",
        Creator = new ActorRef("user-1"),
        Status = LifecycleStatus.Generated,
        CreatedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
    };

    public static ManifestV1 Full()
    {
        using var parameters = JsonDocument.Parse("""{"seed":42,"sampler":"euler_a","steps":30,"guidance":7.5,"size":{"w":1024,"h":1024}}""");
        return new ManifestV1
        {
            AssetId = "asset-0001",
            ContentHash = ContentHash.Compute("the asset bytes"u8),
            MediaType = "image/png",
            Title = "Sunset over the harbour — v2",
            Tags = ["sunset", "harbour"],
            Parents =
            [
                new ParentLink("asset-0000", ContentHash.Compute("parent"u8), Relationship.ParentOf),
                new ParentLink("asset-ref", ContentHash.Compute("reference"u8), Relationship.InputTo),
            ],
            Tenant = "acme",
            Project = "campaign-7",
            Creator = new ActorRef("user-1", "Ada"),
            Tool = new ToolRef("studio", "3.1.4"),
            Provider = "example-ai",
            Model = "imagegen",
            ModelVersion = "2026-10",
            Prompt = new PromptRef("prompt-fam-9", "3", ContentHash.Compute("a sunset over a harbour"u8)),
            GenerationParameters = parameters.RootElement,
            Moderation = new ModerationResult
            {
                Rules = ["nsfw", "violence"],
                Scores = new Dictionary<string, double> { ["violence"] = 0.001, ["nsfw"] = 0.02 },
                Decision = ModerationDecision.Allowed,
                Reviewer = new ActorRef("mod-7"),
            },
            Approvals = [new Approval(new ActorRef("lead-2"), "publish", CreatedAt.AddMinutes(5), "campaign sign-off")],
            Status = LifecycleStatus.Approved,
            Restrictions = [new Restriction("licence", "CC-BY-4.0"), new Restriction("no-commercial-use")],
            CreatedAt = CreatedAt,
        };
    }
}
