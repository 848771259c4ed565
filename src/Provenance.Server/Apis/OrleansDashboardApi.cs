using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Orleans.Dashboard;
using Provenance.Core.Contracts;
using Provenance.Server.Auth;
using Provenance.Server.Problems;

namespace Provenance.Server.Apis;

/// <summary>
/// Microsoft.Orleans.Dashboard mounted at <see cref="Path"/> on the server's own Kestrel, for admin keys only. A browser
/// signs in at <see cref="LoginPath"/> by posting an admin API key; the answer is an HttpOnly, SameSite=Strict cookie
/// (Secure when the request is https) holding a ticket for that key, encrypted by ASP.NET Core data protection. Every
/// request to the dashboard's pages and data endpoints checks the ticket's key against the store again, so a revoked
/// key stops working within the store's lookup cache time (<see cref="ApiKeyStore.LookupCacheTime"/>).
/// Without a valid cookie, page requests are sent to the sign-in page and data requests get a 401 problem. Sign-in and
/// sign-out posts from another site are refused (<see cref="CrossSiteReason"/>).
/// </summary>
internal static class OrleansDashboardApi
{
    /// <summary>Route prefix of the Orleans dashboard.</summary>
    public const string Path = "/orleans";

    /// <summary>The sign-in page (GET shows the form, POST takes the key).</summary>
    public const string LoginPath = Path + "/login";

    /// <summary>Signs out (POST) and clears the cookie.</summary>
    public const string LogoutPath = Path + "/logout";

    /// <summary>Authentication scheme of the dashboard's cookie.</summary>
    public const string SchemeName = "OrleansDashboard";

    /// <summary>Name of the dashboard's cookie.</summary>
    public const string CookieName = "provenance-orleans";

    /// <summary>Authorization policy of the dashboard's routes: a cookie for a key with the admin scope.</summary>
    public const string Policy = "orleans-dashboard";

    /// <summary>How long a sign-in lasts; the key is still checked on every request.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromHours(8);

    /// <summary>The sign-in page talks to nothing: no script, its one form posts back to this server.</summary>
    private const string LoginContentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private const string SecretClaim = "provenance:secret-fingerprint";

    /// <summary>
    /// Adds the cookie scheme and policy. Data-protection keys live under <paramref name="dataDirectory"/> so that a
    /// restart keeps sessions; a node that does not share that directory does not accept another node's cookie.
    /// </summary>
    public static IServiceCollection AddOrleansDashboardAuth(this IServiceCollection services, string dataDirectory)
    {
        services.AddDataProtection()
            .SetApplicationName("Provenance.Server")
            .PersistKeysToFileSystem(new DirectoryInfo(System.IO.Path.Combine(dataDirectory, "data-protection")));
        services.AddAuthentication().AddCookie(SchemeName, o =>
        {
            o.Cookie.Name = CookieName;
            o.Cookie.Path = Path;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = SessionLifetime;
            o.SlidingExpiration = false;
            o.LoginPath = LoginPath;
            o.Events.OnValidatePrincipal = ValidateAsync;
            o.Events.OnRedirectToLogin = ChallengeAsync;
            o.Events.OnRedirectToAccessDenied = ctx => WriteProblemAsync(ctx.HttpContext, 403, ProblemCodes.Forbidden, $"The Orleans dashboard needs a key with the '{Scopes.Admin}' scope.");
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p
            .AddAuthenticationSchemes(SchemeName)
            .RequireAuthenticatedUser()
            .RequireClaim(CallerClaims.Scope, Scopes.Admin));
        return services;
    }

    /// <summary>Maps the sign-in and sign-out routes and the Orleans dashboard itself (behind <see cref="Policy"/>).</summary>
    public static IEndpointRouteBuilder MapOrleansDashboardApi(this IEndpointRouteBuilder routes)
    {
        var login = routes.MapGroup(Path).WithTags("Orleans dashboard").AllowAnonymous().ExcludeFromDescription();
        login.MapGet("/login", () => LoginPage(HttpStatusCode.OK, null)).WithName("OrleansDashboardLoginForm")
            .WithSummary("The sign-in form of the Orleans dashboard.");
        login.MapPost("/login", LoginAsync).WithName("OrleansDashboardLogin")
            .WithSummary("Signs in with an admin API key (form field 'key') and sets the dashboard cookie.");
        login.MapPost("/logout", (Func<HttpContext, Task<IResult>>)LogoutAsync).WithName("OrleansDashboardLogout")
            .WithSummary("Clears the dashboard cookie.");

        routes.MapOrleansDashboard(Path).RequireAuthorization(Policy).WithTags("Orleans dashboard").ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> LoginAsync(HttpContext http, ApiKeyStore keys)
    {
        if (CrossSiteReason(http.Request) is { } refused)
        {
            return LoginPage(HttpStatusCode.Forbidden, refused);
        }

        var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
        var token = form?["key"].ToString().Trim();
        if (string.IsNullOrEmpty(token))
        {
            return LoginPage(HttpStatusCode.Unauthorized, "Enter an API key.");
        }

        var result = await ApiKeyAuthenticationHandler.AuthenticateAsync(keys, token, SchemeName, http.RequestAborted);
        if (!result.Succeeded)
        {
            return LoginPage(HttpStatusCode.Unauthorized, result.Failure?.Message ?? "The API key is not valid.");
        }

        var keyId = result.Principal.FindFirstValue(CallerClaims.KeyId)!;
        if (!result.Principal.HasClaim(CallerClaims.Scope, Scopes.Admin))
        {
            return LoginPage(HttpStatusCode.Forbidden, $"The key {keyId} lacks the '{Scopes.Admin}' scope the Orleans dashboard needs.");
        }

        var key = (await keys.FindForAuthenticationAsync(keyId, http.RequestAborted))!;
        var identity = (ClaimsIdentity)result.Principal.Identity!;
        identity.AddClaim(new Claim(SecretClaim, Fingerprint(key)));
        await http.SignInAsync(SchemeName, result.Principal, new AuthenticationProperties { IsPersistent = false });
        return Results.Redirect(Path + "/", permanent: false, preserveMethod: false);
    }

    private static async Task<IResult> LogoutAsync(HttpContext http)
    {
        if (CrossSiteReason(http.Request) is { } refused)
        {
            return LoginPage(HttpStatusCode.Forbidden, refused);
        }

        await http.SignOutAsync(SchemeName);
        return Results.Redirect(LoginPath, permanent: false, preserveMethod: false);
    }

    /// <summary>
    /// Why a sign-in or sign-out post is refused as a cross-site request forgery, or null. The cookie is SameSite=Strict,
    /// so a forged post carries no session; this also stops a page on another site from signing a browser in with the
    /// forger's own key, or out. Current browsers mark every request with <c>Sec-Fetch-Site</c>, which decides when
    /// present: same-origin, or none (typed by the user). Without it, an <c>Origin</c> header must name this host (the
    /// server's <c>Referrer-Policy: no-referrer</c> makes browsers send <c>Origin: null</c> even for their own form, so
    /// Origin alone cannot be asked for). A client that sends neither is not a browser, so not at risk; it still needs
    /// a valid admin key.
    /// </summary>
    internal static string? CrossSiteReason(HttpRequest request)
    {
        const string Refused = "Sign-in requests must come from this server's own page";
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none" ? null : $"{Refused} (Sec-Fetch-Site: {site}).";
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"{Refused} (Origin {origin} is not {request.Host.Value}).";
    }

    /// <summary>
    /// Runs on every request that carries the cookie: the key must still exist with the same secret, not be revoked
    /// and still hold the admin scope; otherwise the cookie is rejected and cleared.
    /// </summary>
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var keyId = context.Principal?.FindFirstValue(CallerClaims.KeyId);
        var fingerprint = context.Principal?.FindFirstValue(SecretClaim);
        var keys = context.HttpContext.RequestServices.GetRequiredService<ApiKeyStore>();
        var key = keyId is null ? null : await keys.FindForAuthenticationAsync(keyId, context.HttpContext.RequestAborted);
        if (key is null || key.RevokedAt is not null || !key.Scopes.Contains(Scopes.Admin) || fingerprint is null
            || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(fingerprint), System.Text.Encoding.ASCII.GetBytes(Fingerprint(key))))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(SchemeName);
        }
    }

    /// <summary>Binds a ticket to one secret: a key id whose secret changed no longer matches.</summary>
    private static string Fingerprint(StoredApiKey key) => Convert.ToHexString(SHA256.HashData(key.SecretHash));

    /// <summary>Browsers asking for a page go to the sign-in form; the dashboard's data requests get a 401 problem.</summary>
    private static Task ChallengeAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        var request = context.HttpContext.Request;
        if (HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.Redirect(LoginPath);
            return Task.CompletedTask;
        }

        return WriteProblemAsync(context.HttpContext, 401, ProblemCodes.Unauthenticated, $"Sign in at {LoginPath} with an admin API key.");
    }

    private static async Task WriteProblemAsync(HttpContext http, int status, string code, string detail)
    {
        http.Response.StatusCode = status;
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = ProblemExceptionHandler.Create(status, code, detail, null),
        });
    }

    private static IResult LoginPage(HttpStatusCode status, string? message)
    {
        var error = message is null ? "" : $"<p role=\"alert\" id=\"login-error\">{WebUtility.HtmlEncode(message)}</p>";
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in: Orleans dashboard</title>
            <style>
              body { font: 16px system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem; }
              label, input, button { display: block; width: 100%; box-sizing: border-box; }
              input { margin: .5rem 0 1rem; padding: .5rem; font: inherit; }
              button { padding: .5rem; font: inherit; }
              [role=alert] { color: #a00; }
            </style>
            </head>
            <body>
            <h1>Orleans dashboard</h1>
            <p>Sign in with an API key that has the <code>{{Scopes.Admin}}</code> scope.</p>
            {{error}}
            <form method="post" action="{{LoginPath}}">
              <label for="key">API key</label>
              <input id="key" name="key" type="password" autocomplete="off" required>
              <button type="submit">Sign in</button>
            </form>
            <p><a href="/dashboard/#/runtime">Back to the support dashboard</a></p>
            </body>
            </html>
            """;
        return new LoginPageResult((int)status, html);
    }

    /// <summary>The sign-in page with its status and security headers.</summary>
    private sealed class LoginPageResult(int status, string html) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var headers = httpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.ContentSecurityPolicy = LoginContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return Results.Content(html, "text/html; charset=utf-8", statusCode: status).ExecuteAsync(httpContext);
        }
    }
}
