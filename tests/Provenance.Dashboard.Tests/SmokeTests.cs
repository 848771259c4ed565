using Microsoft.Playwright;

namespace Provenance.Dashboard.Tests;

/// <summary>Proves the browser tool chain works on this machine (Playwright's bundled driver + Debian's Chromium)
/// without any server: a failure here is an environment problem, not a dashboard bug.</summary>
public sealed class SmokeTests
{
    [Fact]
    public async Task Chromium_renders_a_local_file()
    {
        var file = Path.Combine(Path.GetTempPath(), $"pv-smoke-{Guid.NewGuid():N}.html");
        await File.WriteAllTextAsync(file, "<!doctype html><title>smoke</title><h1 id=h>ok</h1>");
        try
        {
            await using var browser = await Browsers.LaunchAsync();
            var page = await browser.NewPageAsync();
            await page.GotoAsync(new Uri(file).AbsoluteUri);
            Assert.Equal("ok", await page.TextContentAsync("#h"));
            Assert.Equal("smoke", await page.TitleAsync());
        }
        finally { File.Delete(file); }
    }
}
