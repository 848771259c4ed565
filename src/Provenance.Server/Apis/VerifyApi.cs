using System.Security.Claims;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Orleans;
using Provenance.Core.Contracts;
using Provenance.Core.Evidence;
using Provenance.Core.Hashing;
using Provenance.Core.Signing;
using Provenance.Grains;
using Provenance.Grains.Assets;
using Provenance.Grains.Log;
using Provenance.Grains.Search;
using Provenance.Grains.Signing;
using Provenance.Server.Auth;
using Provenance.Server.Hosting;
using Provenance.Server.Problems;
using Provenance.Server.Signing;

namespace Provenance.Server.Apis;

/// <summary>POST /v1/verify and the evidence bundle: manifest hash and signature, lineage, then the log-side checks
/// (inclusion, checkpoint, timestamps) from <see cref="ILogProofs"/>.</summary>
internal static class VerifyApi
{
    public static IEndpointRouteBuilder MapVerifyApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/verify", VerifyAsync).WithTags("Verify").RequireScope(Scopes.Read)
            .WithMetadata(new UploadLimit()).DisableAntiforgery()
            .WithName("Verify").WithSummary("Verify an asset by id, by content hash (JSON) or by its bytes (multipart part 'file').");
        routes.MapGet("/v1/assets/{id}/evidence", EvidenceAsync).WithTags("Verify").RequireScope(Scopes.Read)
            .WithName("GetEvidenceBundle").WithSummary("A zip evidence bundle that verifies offline: manifest, JWS, keys, lineage, inclusion proof, checkpoint, TSA tokens.");
        return routes;
    }

    private static async Task<Ok<VerifyResultDto>> VerifyAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IAssetDirectory directory,
        ManifestSignatureCache signatures, ILogProofs proofs, IOptions<JsonOptions> json, IOptions<ProvenanceOptions> options, CancellationToken cancellationToken)
    {
        var caller = user.ToCaller();
        string? assetId = null;
        string? contentHash = null;
        var fromFile = false;
        if (request.HasJsonContentType())
        {
            VerifyRequest body;
            try
            {
                body = await JsonSerializer.DeserializeAsync<VerifyRequest>(request.Body, json.Value.SerializerOptions, cancellationToken)
                    ?? throw ApiProblemException.Invalid("assetId", "Give an assetId or a contentHash.");
            }
            catch (JsonException e)
            {
                throw new BadHttpRequestException("The body is not a valid verify request.", e);
            }

            if ((body.AssetId is null) == (body.ContentHash is null))
            {
                throw ApiProblemException.Invalid(body.AssetId is null ? "assetId" : "contentHash", "Give exactly one of assetId and contentHash.");
            }

            assetId = body.AssetId;
            contentHash = body.ContentHash is null ? null : ParseHash(body.ContentHash);
        }
        else
        {
            await foreach (var (name, section) in AssetUpload.ReadSectionsAsync(request, cancellationToken))
            {
                if (name != "file" || contentHash is not null)
                {
                    throw ApiProblemException.Invalid(name, "Send one part named 'file'.");
                }

                contentHash = (await ContentHash.ComputeAsync(section.Body, cancellationToken)).ToString();
                fromFile = true;
            }

            if (contentHash is null)
            {
                throw ApiProblemException.Invalid("file", "The 'file' part is missing.");
            }
        }

        if (assetId is null)
        {
            assetId = await directory.FindOwnByContentHashAsync(caller, contentHash!, cancellationToken);
            if (assetId is null)
            {
                return TypedResults.Ok(new VerifyResultDto("failed", null, contentHash,
                    [new CheckDto("hash", CheckOutcome.Fail, fromFile ? "No asset of this tenant has the uploaded file's content hash." : "No asset of this tenant has this content hash.")], null));
            }
        }

        var record = await AssetsApi.Grain(assetId, grains, "assetId").GetVerificationRecordAsync(caller);
        var summary = record.Summary;
        var canonical = record.CanonicalManifest;
        var manifestHash = SHA256.HashData(canonical);
        var checks = new List<CheckDto> { HashCheck(contentHash, summary.ContentHash, canonical) };
        checks.Add(SignatureCheck(signatures, record, manifestHash));
        checks.Add(await LineageCheckAsync(grains, summary));
        var log = await proofs.VerifyAsync(assetId, summary.Revision, manifestHash, cancellationToken);
        checks.AddRange(log.Checks);
        var verdict = checks.Any(c => c.Outcome == CheckOutcome.Fail) ? "failed"
            : checks.Any(c => c.Outcome == CheckOutcome.Pending) ? "partially-verified"
            : "verified";
        return TypedResults.Ok(new VerifyResultDto(verdict, assetId, summary.ContentHash, checks, $"/v1/assets/{assetId}/evidence"));
    }

    /// <summary>
    /// Given content (bytes or a hash): it must be the registered content. By asset id: the signed manifest must name the
    /// registered content hash (so the record a verifier is shown is the one that was signed).
    /// </summary>
    private static CheckDto HashCheck(string? contentHash, string registered, byte[] canonical)
    {
        if (contentHash is not null)
        {
            return contentHash == registered
                ? new CheckDto("hash", CheckOutcome.Pass, "The content hash matches the registered asset.")
                : new CheckDto("hash", CheckOutcome.Fail, "The content hash differs from the registered asset's.");
        }

        using var manifest = JsonDocument.Parse(canonical);
        var signed = manifest.RootElement.ValueKind == JsonValueKind.Object && manifest.RootElement.TryGetProperty("contentHash", out var h) ? h.GetString() : null;
        return signed == registered
            ? new CheckDto("hash", CheckOutcome.Pass, "The signed manifest names the registered content hash.")
            : new CheckDto("hash", CheckOutcome.Fail, "The signed manifest names another content hash than the registered asset.");
    }

    private static CheckDto SignatureCheck(ManifestSignatureCache signatures, AssetVerificationRecord record, byte[] manifestHash)
    {
        if ("sha256:" + Convert.ToHexStringLower(manifestHash) != record.ManifestHash)
        {
            return new CheckDto("signature", CheckOutcome.Fail, "The stored manifest bytes do not hash to the recorded manifest hash.");
        }

        try
        {
            return signatures.Verify(record.Jws, record.CanonicalManifest, out var kid)
                ? new CheckDto("signature", CheckOutcome.Pass, $"The manifest signature verifies with key {kid}.")
                : new CheckDto("signature", CheckOutcome.Fail, "The JWS payload is not the canonical manifest.");
        }
        catch (Core.ProvenanceException e)
        {
            return new CheckDto("signature", CheckOutcome.Fail, e.Message);
        }
    }

    private static async Task<CheckDto> LineageCheckAsync(IGrainFactory grains, AssetSummary summary)
    {
        foreach (var parent in summary.Parents)
        {
            if (await grains.GetGrain<IAssetGrain>(parent.AssetId).GetSummaryAsync() is null)
            {
                return new CheckDto("lineage", CheckOutcome.Fail, $"Parent '{parent.AssetId}' is not a registered asset.");
            }
        }

        return new CheckDto("lineage", CheckOutcome.Pass, summary.Parents.Count == 0 ? "The asset has no parents." : $"All {summary.Parents.Count} parents are registered.");
    }

    private static string ParseHash(string text) =>
        ContentHash.TryParse(text, out var hash) ? hash.ToString() : throw ApiProblemException.Invalid("contentHash", "contentHash must be 'sha256:' followed by 64 lowercase hex digits.");

    private static async Task<FileContentHttpResult> EvidenceAsync(string id, ClaimsPrincipal user, IGrainFactory grains, ILogProofs proofs, SigningKeyStores keys, Timestamping.TimestampAuthorities authorities, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = user.ToCaller();
        var grain = AssetsApi.Grain(id, grains);
        var manifest = await grain.GetManifestAsync(caller);
        var summary = await grain.GetSummaryAsync() ?? throw ApiProblemException.NotFound("The asset", "id");
        var canonical = Convert.FromBase64String(manifest.CanonicalBase64);
        var log = await proofs.VerifyAsync(id, summary.Revision, SHA256.HashData(canonical), cancellationToken);

        var nodes = new List<EvidenceLineageNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([id]);
        while (queue.Count > 0 && nodes.Count < 10_000)
        {
            var next = queue.Dequeue();
            if (!seen.Add(next) || await grains.GetGrain<IAssetGrain>(next).GetSummaryAsync() is not { } node)
            {
                continue;
            }

            var redacted = node.Tenant != caller.Tenant;
            var hash = redacted ? null : (await grains.GetGrain<IAssetGrain>(next).GetManifestAsync(caller)).ManifestHash;
            nodes.Add(new EvidenceLineageNode(next, node.ContentHash, hash, redacted ? [] : [.. node.Parents.Select(p => new EvidenceLineageLink(p.AssetId, p.Relationship))], redacted));
            if (!redacted)
            {
                foreach (var parent in node.Parents)
                {
                    queue.Enqueue(parent.AssetId);
                }
            }
        }

        EvidenceCheckpoint? checkpoint = null;
        var timestamps = new List<EvidenceTimestamp>();
        if (log.Epoch is { } epoch)
        {
            checkpoint = new EvidenceCheckpoint(Encoding.UTF8.GetBytes(epoch.Checkpoint.Text), epoch.Checkpoint.Jws, await PublicPemAsync(keys.LogKeys, epoch.Checkpoint.KeyId, cancellationToken));
            foreach (var stamp in epoch.Timestamps.Where(t => t.State == TimestampState.Granted && t.TokenBase64 is not null))
            {
                var der = Convert.FromBase64String(stamp.TokenBase64!);
                timestamps.Add(new EvidenceTimestamp(stamp.Tsa, der, ChainPem(der, Anchors(authorities, stamp.Tsa))));
            }
        }

        var bundle = new EvidenceBundle(id, canonical, manifest.Jws, await PublicPemAsync(keys.ManifestKeys, manifest.KeyId, cancellationToken),
            new EvidenceLineage(id, nodes), log.Inclusion, checkpoint, timestamps, time.GetUtcNow(), "Provenance.Server");
        return TypedResults.File(EvidenceBundleWriter.ToBytes(bundle), "application/zip", $"{id}.evidence.zip");
    }

    private static async Task<string> PublicPemAsync(FileKeyStore store, string kid, CancellationToken cancellationToken)
    {
        var stored = (await store.LoadAllAsync(cancellationToken)).FirstOrDefault(k => k.Kid == kid)
            ?? throw new ApiProblemException("key-unavailable", $"Signing key '{kid}' is not in this server's key store.", null, Core.ErrorKind.Unavailable);
        return SigningKey.FromPkcs8Pem(stored.Pkcs8Pem).ExportSpkiPem();
    }

    /// <summary>The certificates carried in a timestamp token (signer first), as PEM.</summary>
    /// <summary>
    /// The chain a bundle ships for a token (docs/evidence-bundle.md): the certificates the token carries, signer first,
    /// then the TSA's configured trust anchors (the root a token never carries), so the bundle verifies offline.
    /// </summary>
    private static string ChainPem(byte[] tokenDer, IReadOnlyCollection<System.Security.Cryptography.X509Certificates.X509Certificate2> anchors)
    {
        var cms = new SignedCms();
        cms.Decode(tokenDer);
        var signer = cms.SignerInfos.Count > 0 ? cms.SignerInfos[0].Certificate : null;
        var ordered = cms.Certificates.Cast<System.Security.Cryptography.X509Certificates.X509Certificate2>()
            .OrderByDescending(c => signer is not null && c.Thumbprint == signer.Thumbprint)
            .Concat(anchors)
            .DistinctBy(c => c.Thumbprint);
        return EvidenceTimestamp.JoinPem(ordered.Select(c => c.ExportCertificatePem()));
    }

    /// <summary>The configured trust anchors of the TSA named <paramref name="tsa"/>; none if it is no longer configured.</summary>
    private static IReadOnlyCollection<System.Security.Cryptography.X509Certificates.X509Certificate2> Anchors(Timestamping.TimestampAuthorities authorities, string tsa)
    {
        try
        {
            return authorities.Get().FirstOrDefault(a => a.Name == tsa)?.ResolveTrustAnchors() ?? [];
        }
        catch (Provenance.Timestamping.TimestampException)
        {
            // Anchors unreadable now: the bundle still carries the token's own certificates; its timestamp check will say what is missing.
            return [];
        }
    }
}
