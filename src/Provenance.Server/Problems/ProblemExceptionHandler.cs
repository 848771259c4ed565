using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using Provenance.Core.Storage;
using Provenance.Core;

namespace Provenance.Server.Problems;

/// <summary>
/// The one exception-to-problem+json mapper (RFC 9457). Never writes a stack trace; unexpected errors are
/// logged with the trace id and answered with a generic 500.
/// </summary>
internal sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail, field) = Map(exception);
        if (status >= 500)
        {
            logger.LogError(exception, "Request {Method} {Path} failed with {Code}", httpContext.Request.Method, httpContext.Request.Path, code);
        }
        else
        {
            logger.LogDebug("Request {Method} {Path} refused with {Code}: {Detail}", httpContext.Request.Method, httpContext.Request.Path, code, detail);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.Clear();
        httpContext.Response.StatusCode = status;
        if (status == 503)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = Create(status, code, detail, field),
        });
    }

    /// <summary>Builds a problem with the stable type URI; <c>traceId</c> is added by the shared customisation.</summary>
    public static ProblemDetails Create(int status, string code, string? detail, string? field)
    {
        var problem = new ProblemDetails
        {
            Type = ProblemCodes.TypeUri(code),
            Title = ProblemCodes.TitleOf(code, status),
            Status = status,
            Detail = detail,
        };
        if (field is not null)
        {
            problem.Extensions["field"] = field;
        }

        return problem;
    }

    internal static (int Status, string Code, string Detail, string? Field) Map(Exception exception) => exception switch
    {
        ApiProblemException { Status: int status } a => (status, a.Code, a.Message, a.Field),
        ProvenanceException p => (ProblemCodes.StatusOf(p.Kind), p.Code, p.Message, p.Field),
        StateConflictException => (409, ProblemCodes.Conflict, "The resource was changed concurrently; read it again and retry.", null),
        BadHttpRequestException { StatusCode: 413 } => (413, ProblemCodes.PayloadTooLarge, "The request body exceeds the limit for this route.", null),
        BadHttpRequestException { InnerException: JsonException json } => (400, ProblemCodes.InvalidJson, JsonDetail(json), JsonField(json)),
        BadHttpRequestException bad => (bad.StatusCode, ProblemCodes.CodeOf(bad.StatusCode), bad.Message, BindingField(bad.Message)),
        JsonException json => (400, ProblemCodes.InvalidJson, JsonDetail(json), JsonField(json)),
        PostgresException => (500, ProblemCodes.Internal, "An internal error occurred.", null),
        NpgsqlException => (503, ProblemCodes.Unavailable, "The database is unavailable; try again later.", null),
        // A silo died or is shutting down mid-call: the grain is re-activated elsewhere within seconds, so retry.
        Orleans.Runtime.SiloUnavailableException or Orleans.Runtime.OrleansMessageRejectionException or Orleans.Runtime.ClientNotAvailableException
            or Orleans.Runtime.GatewayTooBusyException or TimeoutException
            => (503, ProblemCodes.Unavailable, "The cluster is recovering from a node failure; try again in a moment.", null),
        _ => (500, ProblemCodes.Internal, "An internal error occurred.", null),
    };

    private static string JsonDetail(JsonException json)
    {
        // System.Text.Json messages name the path and type but never echo the input; keep only the first sentence.
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static string? JsonField(JsonException json)
    {
        if (string.IsNullOrEmpty(json.Path) || json.Path == "$")
        {
            var missing = MissingProperty().Match(json.Message);
            return missing.Success ? missing.Groups[1].Value : null;
        }

        return json.Path.StartsWith("$.", StringComparison.Ordinal) ? json.Path[2..] : json.Path.TrimStart('$');
    }

    private static string? BindingField(string message)
    {
        var m = ParameterName().Match(message);
        return m.Success ? m.Groups[1].Value : null;
    }

    [GeneratedRegex("""missing required properties including: '([^']+)'""")]
    private static partial Regex MissingProperty();

    [GeneratedRegex(@"parameter ""(?:[^""]* )?([A-Za-z0-9_]+)""")]
    private static partial Regex ParameterName();
}
