using Microsoft.AspNetCore.Http.HttpResults;
using Provenance.Server.Metrics;
using Provenance.Server.Problems;
using Provenance.Timestamping;

namespace Provenance.Server.Apis;

/// <summary>The built-in RFC 3161 TSA (no key): used when no external TSA is configured, and by tests.</summary>
internal static class TsaApi
{
    private const int MaxQueryBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapTsaApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/tsa").WithTags("Timestamping").AllowAnonymous();
        group.MapPost("/", RespondAsync).WithName("TimestampQuery")
            .WithSummary("RFC 3161 over HTTP: a DER TimeStampReq in, a DER TimeStampResp out.")
            .Accepts<byte[]>(Rfc3161Labels.TimestampQueryMediaType)
            .Produces(StatusCodes.Status200OK, contentType: Rfc3161Labels.TimestampReplyMediaType);
        group.MapGet("/certificate", (BuiltInTsa tsa) => TypedResults.Text(tsa.SigningCertificatePem, "application/x-pem-file"))
            .WithName("TsaCertificate").WithSummary("PEM of the built-in TSA's signing certificate.");
        group.MapGet("/root", (BuiltInTsa tsa) => TypedResults.Text(tsa.RootCertificatePem, "application/x-pem-file"))
            .WithName("TsaRoot").WithSummary("PEM of the built-in TSA's root certificate (the trust anchor).");
        return routes;
    }

    private static async Task<FileContentHttpResult> RespondAsync(HttpRequest request, BuiltInTsa tsa, ServerMetrics metrics, CancellationToken cancellationToken)
    {
        if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), Rfc3161Labels.TimestampQueryMediaType, StringComparison.OrdinalIgnoreCase))
        {
            throw ApiProblemException.UnsupportedMediaType($"Send the query as {Rfc3161Labels.TimestampQueryMediaType}.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxQueryBytes)
            {
                throw new BadHttpRequestException("The timestamp query is too large.", StatusCodes.Status413PayloadTooLarge);
            }
        }

        metrics.BuiltInTsaRequests.Add(1);
        return TypedResults.File(tsa.Respond(buffer.ToArray()), Rfc3161Labels.TimestampReplyMediaType);
    }
}
