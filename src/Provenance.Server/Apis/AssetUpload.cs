using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Orleans;
using Provenance.Core.Contracts;
using Provenance.Core.Hashing;
using Provenance.Grains.Assets;
using Provenance.Server.Hosting;
using Provenance.Server.Metrics;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>
/// Multipart uploads, read section by section with <see cref="MultipartReader"/> (never buffered as a form): the file
/// part is streamed straight into the SHA-256 hasher in constant memory and, unless <c>Provenance:Uploads:KeepFiles</c>
/// is set, its bytes are not kept.
/// </summary>
internal static class AssetUpload
{
    /// <summary>POST /v1/assets/upload: part <c>claims</c> (JSON) then part <c>file</c>.</summary>
    public static async Task<Created<AssetDto>> RegisterAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, IAssetIdGenerator ids,
        ServerMetrics metrics, IOptions<JsonOptions> json, IOptions<ProvenanceOptions> options, CancellationToken cancellationToken)
    {
        JsonObject? claims = null;
        ContentHash? hash = null;
        await foreach (var (name, section) in ReadSectionsAsync(request, cancellationToken))
        {
            switch (name)
            {
                case "claims" when hash is null:
                    claims = await ParseClaimsAsync(section.Body, cancellationToken);
                    break;
                case "claims":
                    throw ApiProblemException.Invalid("claims", "Send the 'claims' part before the 'file' part.");
                case "file" when claims is null:
                    throw ApiProblemException.Invalid("claims", "Send the 'claims' part before the 'file' part.");
                case "file" when hash is null:
                    hash = await HashAsync(section.Body, options.Value, cancellationToken);
                    break;
                default:
                    throw ApiProblemException.Invalid(name, $"Unexpected part '{name}'; send 'claims' then 'file'.");
            }
        }

        if (claims is null)
        {
            throw ApiProblemException.Invalid("claims", "The 'claims' part is missing.");
        }

        if (hash is null)
        {
            throw ApiProblemException.Invalid("file", "The 'file' part is missing.");
        }

        if (claims.ContainsKey("contentHash"))
        {
            throw ApiProblemException.Invalid("claims.contentHash", "The content hash is computed from the file; leave it out of the claims.");
        }

        claims["contentHash"] = hash.Value.ToString();
        RegisterAssetRequest registration;
        try
        {
            registration = claims.Deserialize<RegisterAssetRequest>(json.Value.SerializerOptions)!;
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The claims part is not a valid registration.", e);
        }

        var asset = await grains.RegisterAsync(ids, AssetsApi.ToCaller(user), registration);
        metrics.Registrations.Add(1);
        return TypedResults.Created($"/v1/assets/{asset.AssetId}", asset);
    }

    /// <summary>The named sections of a multipart/form-data body, in order.</summary>
    internal static async IAsyncEnumerable<(string Name, MultipartSection Section)> ReadSectionsAsync(HttpRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) ||
            !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase) ||
            HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            throw ApiProblemException.UnsupportedMediaType("Send multipart/form-data with a boundary.");
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                throw ApiProblemException.Invalid("multipart", "Every part needs 'Content-Disposition: form-data; name=...'.");
            }

            yield return (HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "", section);
        }
    }

    /// <summary>Streams <paramref name="body"/> into SHA-256; when configured, also into a file named by the hash.</summary>
    internal static async Task<ContentHash> HashAsync(Stream body, ProvenanceOptions options, CancellationToken cancellationToken)
    {
        var uploads = options.Uploads;
        if (!uploads.KeepFiles)
        {
            return await ContentHash.ComputeAsync(body, cancellationToken);
        }

        var folder = Path.GetFullPath(uploads.Directory ?? Path.Combine(options.ResolvedDataDirectory, "uploads"));
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, "." + Guid.NewGuid().ToString("N") + ".part");
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
            }

            var hash = ContentHash.FromBytes(sha.GetHashAndReset());
            File.Move(temp, Path.Combine(folder, Convert.ToHexStringLower(hash.Bytes)), overwrite: true);
            return hash;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<JsonObject> ParseClaimsAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<JsonObject>(body, cancellationToken: cancellationToken)
                ?? throw ApiProblemException.Invalid("claims", "The claims part must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The claims part is not valid JSON.", e);
        }
    }
}
