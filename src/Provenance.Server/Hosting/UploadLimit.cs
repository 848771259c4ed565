using Microsoft.AspNetCore.Http.Features;

namespace Provenance.Server.Hosting;

/// <summary>Raises the body limit from the JSON default to the upload limit on routes marked with <see cref="UploadLimit"/>.</summary>
internal sealed class UploadLimitMiddleware(RequestDelegate next, Microsoft.Extensions.Options.IOptions<ProvenanceOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<UploadLimit>() is not null &&
            context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.Uploads.MaxBytes;
        }

        return next(context);
    }
}

/// <summary>Endpoint metadata: this route takes uploads up to <c>Provenance:Uploads:MaxBytes</c>.</summary>
internal sealed class UploadLimit;
