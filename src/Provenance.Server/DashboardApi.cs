using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace Provenance.Server;

/// <summary>Serves the support dashboard (static HTML/CSS/ES modules under <c>wwwroot/dashboard</c>) at <c>/dashboard/</c>.
/// The page itself is public; it asks the user for an API key and calls the <c>/v1</c> API with it, so nothing here
/// needs authentication. Wire it with <c>app.MapDashboard()</c>.</summary>
public static class DashboardApi
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    /// <summary>The page never talks to anything but this server: no CDN, no remote fonts, no framing.</summary>
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
        "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

    /// <summary>Maps <c>GET /dashboard</c> (redirect to <c>/dashboard/</c>), <c>GET /dashboard/</c> (index.html) and
    /// <c>GET /dashboard/{path}</c> (the files under wwwroot/dashboard).</summary>
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        var files = OpenFiles(app.ServiceProvider);

        // One endpoint: routing ignores a trailing slash, so separate "/dashboard", "/dashboard/" and "/dashboard/{**path}"
        // routes are ambiguous for "/dashboard/". The bare "/dashboard" is redirected so relative links resolve.
        app.MapGet("/dashboard/{**path}", (HttpContext http, string? path) =>
                string.IsNullOrEmpty(path) && !http.Request.Path.Value!.EndsWith('/')
                    ? Results.Redirect("/dashboard/", permanent: false)
                    : Serve(http, files, path))
            .ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    /// <summary>The files are copied next to the server's assembly (see the csproj), so the dashboard works whatever
    /// the working directory; the web root is the fallback for <c>dotnet run</c> from the project folder.</summary>
    private static IFileProvider OpenFiles(IServiceProvider services)
    {
        var candidates = new List<string> { Path.Combine(AppContext.BaseDirectory, "wwwroot", "dashboard") };
        if (services.GetService(typeof(IWebHostEnvironment)) is IWebHostEnvironment env)
        {
            if (!string.IsNullOrEmpty(env.WebRootPath)) candidates.Add(Path.Combine(env.WebRootPath, "dashboard"));
            candidates.Add(Path.Combine(env.ContentRootPath, "wwwroot", "dashboard"));
        }
        foreach (var dir in candidates)
            if (File.Exists(Path.Combine(dir, "index.html"))) return new PhysicalFileProvider(dir);
        return new NullFileProvider();
    }

    private static IResult Serve(HttpContext http, IFileProvider files, string? path)
    {
        path = string.IsNullOrEmpty(path) ? "index.html" : path;
        // PhysicalFileProvider already refuses paths that leave its root; refuse odd ones early anyway.
        if (path.Contains("..", StringComparison.Ordinal) || path.Contains('\\') || path.StartsWith('/'))
            return Results.NotFound();
        var file = files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory)
        {
            if (files.GetFileInfo(path.TrimEnd('/') + "/index.html") is { Exists: true } && !path.EndsWith('/'))
                return Results.Redirect($"/dashboard/{path}/", permanent: false);
            return Results.NotFound();
        }
        if (!ContentTypes.TryGetContentType(file.Name, out var contentType)) contentType = "application/octet-stream";
        if (file.Name.EndsWith(".js", StringComparison.OrdinalIgnoreCase) || file.Name.EndsWith(".mjs", StringComparison.OrdinalIgnoreCase))
            contentType = "text/javascript; charset=utf-8";
        else if (contentType.StartsWith("text/", StringComparison.Ordinal) && !contentType.Contains("charset", StringComparison.Ordinal))
            contentType += "; charset=utf-8";

        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (contentType.StartsWith("text/html", StringComparison.Ordinal))
        {
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
        }
        return Results.Stream(file.CreateReadStream(), contentType, lastModified: file.LastModified);
    }
}
