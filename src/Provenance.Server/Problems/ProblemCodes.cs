using Provenance.Core;

namespace Provenance.Server.Problems;

/// <summary>Stable problem codes of the HTTP layer (docs/api.md, Errors) and how they map to status codes.</summary>
internal static class ProblemCodes
{
    /// <summary>Prefix of every problem <c>type</c>.</summary>
    public const string TypeBase = "https://provenance.dev/problems/";

    public const string ValidationFailed = "validation-failed";
    public const string InvalidJson = "invalid-json";
    public const string PayloadTooLarge = "payload-too-large";
    public const string Unauthenticated = "unauthenticated";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not-found";
    public const string Conflict = "conflict";
    public const string MethodNotAllowed = "method-not-allowed";
    public const string UnsupportedMediaType = "unsupported-media-type";
    public const string Unavailable = "unavailable";
    public const string Internal = "internal-error";

    /// <summary>The <c>type</c> URI of a code.</summary>
    public static string TypeUri(string code) => TypeBase + code;

    /// <summary>The HTTP status of an error kind.</summary>
    public static int StatusOf(ErrorKind kind) => kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        ErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>The default code for a bare status (used for responses produced without an exception).</summary>
    public static string CodeOf(int status) => status switch
    {
        400 => ValidationFailed,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        503 => Unavailable,
        _ when status >= 500 => Internal,
        _ => "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Default title of a code.</summary>
    public static string TitleOf(string code) => code switch
    {
        ValidationFailed => "The request is not valid.",
        InvalidJson => "The request body is not valid JSON for this route.",
        PayloadTooLarge => "The request body is too large.",
        Unauthenticated => "An API key is required.",
        Forbidden => "The API key may not do this.",
        NotFound => "Not found.",
        Conflict => "The request conflicts with the current state.",
        MethodNotAllowed => "Method not allowed.",
        UnsupportedMediaType => "Unsupported media type.",
        Unavailable => "A dependency is unavailable; try again later.",
        Internal => "Internal error.",
        _ => "The request was refused.",
    };

    /// <summary>Title of a code raised by the domain (grains, Core): the generic title of its status.</summary>
    public static string TitleOf(string code, int status) => TitleOf(code) is var t && t != "The request was refused." ? t : TitleOf(CodeOf(status));
}

/// <summary>An error raised by the HTTP layer itself (bad query value, unknown key id...).</summary>
internal sealed class ApiProblemException(string code, string message, string? field = null, ErrorKind kind = ErrorKind.Invalid)
    : ProvenanceException(code, message, field)
{
    public override ErrorKind Kind { get; } = kind;

    /// <summary>A status the error kinds cannot express (415); <see langword="null"/> maps by <see cref="Kind"/>.</summary>
    public int? Status { get; init; }

    public static ApiProblemException UnsupportedMediaType(string message) =>
        new(ProblemCodes.UnsupportedMediaType, message, "Content-Type") { Status = StatusCodes.Status415UnsupportedMediaType };

    public static ApiProblemException NotFound(string what, string? field = null) =>
        new(ProblemCodes.NotFound, $"{what} was not found.", field, ErrorKind.NotFound);

    public static ApiProblemException Invalid(string field, string message) =>
        new(ProblemCodes.ValidationFailed, message, field);
}
