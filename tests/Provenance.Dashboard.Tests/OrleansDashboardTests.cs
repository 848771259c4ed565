using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Provenance.Dashboard.Tests;

/// <summary>Orleans' own dashboard at /orleans/ in Chromium: the sign-in page, an admin key, a silo listed.</summary>
[Collection(ServerCollection.Name)]
public sealed class OrleansDashboardTests(ServerFixture server) : IAsyncLifetime
{
    private IBrowserContext context = null!;
    private IPage page = null!;

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(30_000);
        context = await server.Browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1366, Height = 900 } });
        page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
    }

    public async Task DisposeAsync() => await context.DisposeAsync();

    private string Url(string path) => new Uri(server.BaseUri, path).AbsoluteUri;

    private async Task SignInAsync(string key)
    {
        await page.GotoAsync(Url("orleans/login"));
        await page.GetByLabel("API key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    [Fact]
    public async Task OrleansDashboard_NotSignedIn_ShowsTheLoginPageNotTheDashboard()
    {
        await page.GotoAsync(Url("orleans/"));

        await Expect(page).ToHaveURLAsync(Url("orleans/login"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Orleans dashboard" })).ToBeVisibleAsync();
        await Expect(page.Locator("#dashboard-sidebar")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task OrleansDashboard_SignedInWithAdminKey_RendersWithTheSiloListed()
    {
        await SignInAsync(server.AdminKey);

        await Expect(page).ToHaveURLAsync(Url("orleans/"));
        await Expect(page).ToHaveTitleAsync("Orleans Dashboard");
        await page.GotoAsync(Url("orleans/#/silos"));
        await Expect(page.GetByText(new Regex(@"127\.0\.0\.1:\d+")).First).ToBeVisibleAsync();
        var cookie = Assert.Single(await context.CookiesAsync(), c => c.Name == "provenance-orleans");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        await page.ScreenshotAsync(new() { Path = Path.Combine(ServerFixture.ArtifactsDir, "screenshots", "orleans-dashboard.png") });
    }

    [Fact]
    public async Task OrleansDashboard_SignedInWithReadOnlyKey_IsRefusedWithTheReason()
    {
        await SignInAsync(server.ReadOnlyKey);

        await Expect(page.Locator("#login-error")).ToContainTextAsync("admin");
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "provenance-orleans");
    }

    [Fact]
    public async Task RuntimePage_LinksToTheOrleansDashboard()
    {
        await context.AddInitScriptAsync($"sessionStorage.setItem('provenance.apiKey', {JsonSerializer.Serialize(server.AdminKey)});");
        await page.GotoAsync(Url("dashboard/#/runtime"));
        var link = page.Locator("#orleans-dashboard-link");

        await Expect(link).ToHaveAttributeAsync("href", "/orleans/");
        await link.ClickAsync();

        await Expect(page).ToHaveURLAsync(Url("orleans/login"));
    }
}
