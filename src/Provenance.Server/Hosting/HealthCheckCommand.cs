namespace Provenance.Server.Hosting;

/// <summary>
/// <c>Provenance.Server healthcheck [url]</c>: asks a running server's <c>/healthz</c> and exits 0 when it
/// answers 200, 1 otherwise (one line on stderr saying why). Container images have no curl, so the
/// Dockerfile's HEALTHCHECK uses this. Without a URL it derives one from <c>ASPNETCORE_URLS</c>
/// (wildcard hosts become 127.0.0.1), falling back to <c>http://127.0.0.1:5080</c>.
/// </summary>
internal static class HealthCheckCommand
{
    /// <summary>Runs the check; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var baseUrl = args.Length > 0 ? args[0] : FromEnvironment(Environment.GetEnvironmentVariable("ASPNETCORE_URLS"));
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            await Console.Error.WriteLineAsync($"healthcheck: '{baseUrl}' is not an absolute URL");
            return 2;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new Uri(uri, "/healthz"));
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await Console.Error.WriteLineAsync($"healthcheck: {uri} answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"healthcheck: {uri} did not answer: {e.Message}");
            return 1;
        }
    }

    /// <summary>The first URL of an <c>ASPNETCORE_URLS</c> value, with wildcard hosts replaced by 127.0.0.1.</summary>
    internal static string FromEnvironment(string? urls)
    {
        var first = urls?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (string.IsNullOrEmpty(first))
        {
            return "http://127.0.0.1:5080";
        }

        return first.Replace("://0.0.0.0", "://127.0.0.1").Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1");
    }
}
