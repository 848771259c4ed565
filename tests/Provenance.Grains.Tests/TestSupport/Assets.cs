using System.Security.Cryptography;
using System.Text;
using Provenance.Core.Contracts;
using Provenance.Grains.Assets;
using Provenance.LoadGen;

namespace Provenance.Grains.Tests.TestSupport;

/// <summary>Requests and shortcuts shared by the grain tests.</summary>
internal static class Assets
{
    public static readonly CallerContext Alice = CallerContext.System("tenant-a", "alice");
    public static readonly CallerContext Bob = CallerContext.System("tenant-b", "bob");

    public static string HashOf(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static RegisterAssetRequest Request(string id, params string[] parents) =>
        new(id, HashOf(id), "image/png", Title: $"Title of {id}", Tags: ["sunset"], Model: "painter-2",
            Parents: parents.Length == 0 ? null : [.. parents.Select(p => new ParentClaim(p))]);

    public static IAssetGrain Asset(this IProvenanceNode node, string id) => node.Grains.GetGrain<IAssetGrain>(id);

    public static Task<AssetDto> RegisterAsync(this IProvenanceNode node, string id, params string[] parents) =>
        node.Asset(id).RegisterAsync(Alice, Request(id, parents));

    public static Task<AssetDto> RegisterAsync(this IProvenanceNode node, CallerContext caller, string id, params string[] parents) =>
        node.Asset(id).RegisterAsync(caller, Request(id, parents));
}
