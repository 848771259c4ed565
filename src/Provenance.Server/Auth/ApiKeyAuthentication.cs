using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Provenance.Core.Contracts;
using Provenance.Server.Problems;

namespace Provenance.Server.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer pvk_...</c> or <c>X-Api-Key: pvk_...</c> against the hashed keys in
/// PostgreSQL. A missing, malformed, unknown or revoked key is a 401 <c>unauthenticated</c>; a key without the
/// route's scope is a 403 <c>forbidden</c>; both as problem+json.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = null;
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            token = authorization["Bearer ".Length..].Trim();
        }
        else if (Request.Headers.TryGetValue(HeaderName, out var header))
        {
            token = header.ToString().Trim();
        }

        if (string.IsNullOrEmpty(token))
        {
            return AuthenticateResult.NoResult();
        }

        return await AuthenticateAsync(keys, token, SchemeName, Context.RequestAborted);
    }

    /// <summary>
    /// Checks one API key (<c>pvk_...</c>) against the store: the one rule every way of presenting a key goes through
    /// (headers here, the Orleans dashboard's sign-in form). Malformed, unknown, wrong-secret and revoked keys fail.
    /// </summary>
    /// <param name="keys">The key store.</param>
    /// <param name="token">The presented key; must not be empty.</param>
    /// <param name="scheme">The authentication scheme the principal and ticket are issued for.</param>
    /// <param name="cancellationToken">Cancels the store lookup.</param>
    public static async Task<AuthenticateResult> AuthenticateAsync(ApiKeyStore keys, string token, string scheme, CancellationToken cancellationToken)
    {
        if (!ApiKeySecret.TryParse(token, out var keyId, out var secret))
        {
            return AuthenticateResult.Fail("The API key is malformed.");
        }

        var key = await keys.FindForAuthenticationAsync(keyId, cancellationToken);
        // Hash even when the key is unknown so timing does not reveal which key ids exist.
        var matches = ApiKeySecret.Matches(key?.SecretHash ?? new byte[32], secret);
        if (key is null || !matches)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        if (key.RevokedAt is not null)
        {
            return AuthenticateResult.Fail("The API key has been revoked.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(PrincipalOf(key, scheme), scheme));
    }

    /// <summary>The principal of a valid key: key id, tenant and one claim per scope.</summary>
    public static ClaimsPrincipal PrincipalOf(StoredApiKey key, string scheme)
    {
        var claims = new List<Claim>
        {
            new(CallerClaims.KeyId, key.KeyId),
            new(CallerClaims.Tenant, key.Tenant),
        };
        claims.AddRange(key.Scopes.Select(s => new Claim(CallerClaims.Scope, s)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, CallerClaims.KeyId, null));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure?.Message ?? $"Send an API key as 'Authorization: Bearer <key>' or '{HeaderName}: <key>'.";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = ProblemExceptionHandler.Create(401, ProblemCodes.Unauthenticated, detail, null),
        });
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        var needed = Context.GetEndpoint()?.Metadata.GetMetadata<RequiredScope>()?.Scope;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = ProblemExceptionHandler.Create(403, ProblemCodes.Forbidden, needed is null ? "The API key may not do this." : $"The API key lacks the '{needed}' scope.", null),
        });
    }
}

/// <summary>Claim types of an authenticated caller.</summary>
internal static class CallerClaims
{
    public const string KeyId = "provenance:key";
    public const string Tenant = "provenance:tenant";
    public const string Scope = "provenance:scope";
}

/// <summary>Endpoint metadata naming the scope a route needs (for the 403 detail and the route table test).</summary>
internal sealed record RequiredScope(string Scope);

/// <summary>The caller of a request: tenant, key and scopes, read from the authenticated principal.</summary>
internal static class Caller
{
    /// <summary>Authorization policy name of a scope.</summary>
    public static string Policy(string scope) => "scope:" + scope;

    /// <summary>The caller's tenant.</summary>
    /// <exception cref="InvalidOperationException">The route is not authenticated (a programming error).</exception>
    public static string Tenant(this ClaimsPrincipal user) => user.FindFirstValue(CallerClaims.Tenant) ?? throw new InvalidOperationException("No authenticated caller.");

    /// <summary>The actor recorded in audit trails: <c>key:&lt;keyId&gt;</c>.</summary>
    public static string Actor(this ClaimsPrincipal user) => "key:" + (user.FindFirstValue(CallerClaims.KeyId) ?? throw new InvalidOperationException("No authenticated caller."));

    /// <summary>True when the caller belongs to the operator tenant.</summary>
    public static bool IsOperator(this ClaimsPrincipal user) => user.Tenant() == Tenants.Operator;

    /// <summary>Requires an API key with <paramref name="scope"/> on the route(s).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, string scope) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(scope)).WithMetadata(new RequiredScope(scope))
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>Route metadata and policy name of routes that any valid key may call, whatever its scopes.</summary>
    public const string AnyKey = "any-key";

    /// <summary>Requires a valid API key, with any scopes, on the route(s).</summary>
    public static TBuilder RequireAnyKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy(AnyKey)).WithMetadata(new RequiredScope(AnyKey))
            .ProducesProblem(StatusCodes.Status401Unauthorized);

    /// <summary>Adds the API-key scheme and one policy per scope.</summary>
    public static IServiceCollection AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var scope in Scopes.All)
        {
            authorization.AddPolicy(Policy(scope), p => p.RequireAuthenticatedUser().RequireClaim(CallerClaims.Scope, scope));
        }

        authorization.AddPolicy(Policy(AnyKey), p => p.RequireAuthenticatedUser());

        return services;
    }
}
