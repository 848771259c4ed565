using System.Net;
using Provenance.Core;
using Provenance.Core.Contracts;

namespace Provenance.Client;

/// <summary>
/// The server refused a request: built from its RFC 9457 problem+json answer. <see cref="ProvenanceException.Code"/>
/// is the last segment of the problem <c>type</c> URI (e.g. <c>lineage-cycle</c>), stable and documented in docs/api.md.
/// Catch a subclass for the common statuses, or switch on <see cref="Status"/> or the code.
/// </summary>
public class ProvenanceApiException : ProvenanceException
{
    /// <summary>Creates the exception from a problem's parts.</summary>
    public ProvenanceApiException(int status, string code, string? title, string? detail, string? field, string? traceId)
        : base(code, FormatMessage(status, code, title, detail), field)
    {
        Status = status;
        Title = title;
        Detail = detail;
        TraceId = traceId;
    }

    /// <summary>HTTP status of the answer.</summary>
    public int Status { get; }

    /// <summary>The problem's short, fixed summary.</summary>
    public string? Title { get; }

    /// <summary>The problem's explanation of this occurrence.</summary>
    public string? Detail { get; }

    /// <summary>The server's trace id, to quote when reporting a problem.</summary>
    public string? TraceId { get; }

    /// <inheritdoc />
    public override ErrorKind Kind => Status switch
    {
        404 => ErrorKind.NotFound,
        409 => ErrorKind.Conflict,
        401 or 403 => ErrorKind.Forbidden,
        >= 500 => ErrorKind.Unavailable,
        _ => ErrorKind.Invalid,
    };

    /// <summary>The exception type for a status: a subclass for 401, 403, 404, 409 and 5xx.</summary>
    public static ProvenanceApiException Create(int status, string? type, string? title, string? detail, string? field, string? traceId)
    {
        var code = CodeFromType(type) ?? DefaultCode(status);
        return status switch
        {
            401 => new ProvenanceUnauthorizedException(status, code, title, detail, field, traceId),
            403 => new ProvenanceForbiddenException(status, code, title, detail, field, traceId),
            404 => new ProvenanceNotFoundException(status, code, title, detail, field, traceId),
            409 => new ProvenanceConflictException(status, code, title, detail, field, traceId),
            >= 500 => new ProvenanceServerException(status, code, title, detail, field, traceId),
            _ => new ProvenanceApiException(status, code, title, detail, field, traceId),
        };
    }

    /// <summary>The code of a problem <c>type</c> URI: its last path segment (<c>https://provenance.dev/problems/not-found</c> → <c>not-found</c>).</summary>
    public static string? CodeFromType(string? type)
    {
        if (string.IsNullOrWhiteSpace(type) || type == "about:blank")
        {
            return null;
        }

        var trimmed = type.TrimEnd('/');
        var slash = trimmed.LastIndexOf('/');
        var code = slash >= 0 ? trimmed[(slash + 1)..] : trimmed;
        return code.Length == 0 ? null : code;
    }

    /// <summary>The code used when an answer carries no problem type: derived from the status.</summary>
    public static string DefaultCode(int status) => status switch
    {
        400 => "validation-failed",
        401 => "unauthenticated",
        403 => "forbidden",
        404 => "not-found",
        409 => "conflict",
        413 => "payload-too-large",
        503 => "unavailable",
        >= 500 => "server-error",
        _ => $"http-{status}",
    };

    private static string FormatMessage(int status, string code, string? title, string? detail) =>
        $"{(detail ?? title ?? ((HttpStatusCode)status).ToString())} ({status} {code})";
}

/// <summary>401: no API key, or an unknown or revoked one.</summary>
public sealed class ProvenanceUnauthorizedException(int status, string code, string? title, string? detail, string? field, string? traceId)
    : ProvenanceApiException(status, code, title, detail, field, traceId);

/// <summary>403: the API key lacks the scope the call needs.</summary>
public sealed class ProvenanceForbiddenException(int status, string code, string? title, string? detail, string? field, string? traceId)
    : ProvenanceApiException(status, code, title, detail, field, traceId);

/// <summary>404: unknown id, or not visible to the key's tenant.</summary>
public sealed class ProvenanceNotFoundException(int status, string code, string? title, string? detail, string? field, string? traceId)
    : ProvenanceApiException(status, code, title, detail, field, traceId);

/// <summary>409: duplicate id, illegal transition, lineage cycle, concurrent change.</summary>
public sealed class ProvenanceConflictException(int status, string code, string? title, string? detail, string? field, string? traceId)
    : ProvenanceApiException(status, code, title, detail, field, traceId);

/// <summary>5xx: the server or one of its dependencies failed (after the retries an idempotent call is allowed).</summary>
public sealed class ProvenanceServerException(int status, string code, string? title, string? detail, string? field, string? traceId)
    : ProvenanceApiException(status, code, title, detail, field, traceId);

/// <summary>The server could not be reached or did not answer in time (after the retries an idempotent call is allowed).</summary>
public sealed class ProvenanceTransportException(string code, string message, Exception? inner = null)
    : ProvenanceException(code, message, null, inner)
{
    /// <summary>Code of a connection failure.</summary>
    public const string TransportCode = "transport-error";

    /// <summary>Code of an attempt that ran past <see cref="ProvenanceClientOptions.Timeout"/>.</summary>
    public const string TimeoutCode = "timeout";

    /// <inheritdoc />
    public override ErrorKind Kind => ErrorKind.Unavailable;
}

/// <summary>The shape of an RFC 9457 problem body, as docs/api.md defines it.</summary>
internal sealed record ProblemDetailsBody(string? Type, string? Title, int? Status, string? Detail, string? Field, string? TraceId);
