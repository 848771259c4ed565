using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Provenance.Core.Storage;
using Provenance.Core.Hashing;
using Provenance.Core.Manifests;
using Provenance.Grains.Signing;
using Contracts = Provenance.Core.Contracts;

namespace Provenance.Grains.Assets;

/// <summary>Maps asset state onto the Core manifest model and seals a new signed revision. Pure apart from the signer.</summary>
internal static class AssetManifests
{
    /// <summary>The v1 manifest of <paramref name="s"/>.</summary>
    public static ManifestV1 Build(AssetState s) => new()
    {
        AssetId = s.AssetId,
        ContentHash = ContentHash.Parse(s.ContentHash),
        MediaType = s.MediaType,
        Title = s.Title,
        Tags = s.Tags,
        Parents = [.. s.Parents.Select(p => new ParentLink(p.AssetId, ContentHash.Parse(p.ContentHash), p.Relationship))],
        Tenant = s.Tenant,
        Project = s.Project,
        Creator = new ActorRef(s.Creator),
        Tool = s.Tool is null ? null : new ToolRef(s.Tool.Name, s.Tool.Version ?? ""),
        Provider = s.Provider,
        Model = s.Model,
        ModelVersion = s.ModelVersion,
        Prompt = s.Prompt is null ? null
            : new PromptRef(s.Prompt.FamilyId, s.Prompt.Version, ContentHash.Parse(s.Prompt.ContentHash)),
        GenerationParameters = s.Parameters is null ? null : JsonDocument.Parse(s.Parameters).RootElement,
        Moderation = s.Moderation.Count == 0 ? null : ToResult(s.Moderation[^1]),
        Approvals = [.. s.Approvals.SelectMany(a => new[] { new Approval(new ActorRef(a.Approver), a.Scope, a.At, a.Reason) }
            .Concat(a.Lifts.Select(l => new Approval(new ActorRef(a.Approver), "lift:" + l, a.At, a.Reason))))],
        Status = s.Status,
        StatusReason = s.StatusReason,
        Restrictions = [.. s.Restrictions.Select(r => new Restriction(r.Kind, r.Reason))],
        CreatedAt = s.CreatedAt,
    };

    /// <summary>
    /// Issues the next revision of <paramref name="s"/>: canonical bytes, hash, signature; appends the audit record and
    /// the log leaf (<c>"{id}@{revision}"</c> → 32-byte manifest hash) to <paramref name="effects"/>.
    /// </summary>
    public static void Seal(AssetState s, IManifestSigner signer, DurableEffects effects, string action, string actor, string? reason, DateTimeOffset now)
    {
        var before = s.Revision == 0 ? null : s.ManifestHash;
        var canonical = ManifestCodec.ToCanonicalBytes(Build(s));
        var digest = SHA256.HashData(canonical);
        var signed = signer.Sign(canonical);
        s.Revision++;
        s.ManifestHash = ContentHash.FromBytes(digest).ToString();
        s.Jws = signed.Jws;
        s.KeyId = signed.KeyId;
        s.UpdatedAt = now;
        s.Audit.Add(new Contracts.AuditRecordDto(s.Revision, action, actor, now, reason, before, s.ManifestHash));
        effects.LogAppends.Add(new LogAppend(StorageNames.LogSourceKey(s.AssetId, s.Revision), digest));
    }

    /// <summary>The canonical manifest bytes carried as the payload of a compact JWS (RFC 7515 section 7.1).</summary>
    public static byte[] PayloadOf(string compactJws)
    {
        var first = compactJws.IndexOf('.', StringComparison.Ordinal);
        var second = compactJws.IndexOf('.', first + 1);
        return Base64Url.DecodeFromChars(compactJws.AsSpan(first + 1, second - first - 1));
    }

    private static ModerationResult ToResult(Contracts.ModerationDto m) => new()
    {
        Decision = Enum.Parse<ModerationDecision>(m.Decision, ignoreCase: true),
        Rules = m.Rules,
        Scores = m.Scores,
        Reviewer = m.Reviewer is null ? null : new ActorRef(m.Reviewer),
    };

    private static T Map<T>(Enum value) where T : struct, Enum =>
        Enum.Parse<T>(value.ToString(), ignoreCase: false);
}
