using Microsoft.Playwright;

namespace Provenance.Dashboard.Tests;

/// <summary>Launches the machine's Chromium (Debian package) through Playwright; never downloads a browser.</summary>
public static class Browsers
{
    /// <summary>Where Debian's chromium package puts the browser; override with PROVENANCE_CHROMIUM.</summary>
    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable("PROVENANCE_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";

    public static async Task<BrowserHandle> LaunchAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"Chromium not found at {ExecutablePath}: run scripts/ensure-prereqs.sh (installs Debian's chromium).");
        var pw = await Playwright.CreateAsync();
        try
        {
            var browser = await pw.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return new BrowserHandle(pw, browser);
        }
        catch
        {
            pw.Dispose();
            throw;
        }
    }
}

/// <summary>A launched browser and the Playwright driver process behind it, disposed together.</summary>
public sealed class BrowserHandle(IPlaywright playwright, IBrowser browser) : IAsyncDisposable
{
    public IBrowser Browser { get; } = browser;

    public Task<IPage> NewPageAsync(BrowserNewPageOptions? options = null) => Browser.NewPageAsync(options);

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright.Dispose();
    }
}
