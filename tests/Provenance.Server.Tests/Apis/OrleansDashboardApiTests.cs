using System.Net;
using System.Net.Http.Headers;
using Provenance.Core.Contracts;
using Provenance.Server.Apis;
using Provenance.Server.Auth;

namespace Provenance.Server.Tests.Apis;

/// <summary>The Orleans dashboard at /orleans/: admin keys only, through the sign-in cookie, checked on every request.</summary>
public sealed class OrleansDashboardApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private TestServer Server => fixture.Server;

    /// <summary>A browser-like client: keeps cookies, does not follow redirects, sends no API key.</summary>
    private HttpClient Browser(out CookieContainer cookies)
    {
        cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, UseCookies = true, AllowAutoRedirect = false };
        return new HttpClient(handler) { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient browser, string key) =>
        browser.PostAsync("orleans/login", new FormUrlEncodedContent([new KeyValuePair<string, string>("key", key)]));

    private static HttpRequestMessage Page(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        return request;
    }

    [Fact]
    public async Task Dashboard_NoCookie_PageGoesToLoginAndDataIs401()
    {
        using var browser = Browser(out _);
        using var withHeaderKey = Server.Client(Server.AdminKey);

        var page = await browser.SendAsync(Page("orleans/"));
        var data = await browser.GetAsync("orleans/DashboardCounters");
        var headerOnly = await withHeaderKey.GetAsync("orleans/ClusterStats");

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal(OrleansDashboardApi.LoginPath, page.Headers.Location!.OriginalString);
        await Problem.AssertAsync(data, 401, "unauthenticated");
        await Problem.AssertAsync(headerOnly, 401, "unauthenticated");
    }

    [Fact]
    public async Task LoginForm_NoCookie_IsServedWithoutScript()
    {
        using var browser = Browser(out _);

        var response = await browser.GetAsync("orleans/login");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<form method=\"post\" action=\"/orleans/login\">", html, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Origin", "https://evil.example")]
    [InlineData("Origin", "null")]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    public async Task Login_CrossSitePost_Is403AndSetsNoCookie(string header, string value)
    {
        using var browser = Browser(out var cookies);
        using var post = new HttpRequestMessage(HttpMethod.Post, "orleans/login")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("key", Server.AdminKey)]),
        };
        post.Headers.TryAddWithoutValidation(header, value);

        var login = await browser.SendAsync(post);
        var data = await browser.GetAsync("orleans/DashboardCounters");

        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Contains("must come from this server&#39;s own page", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(cookies.GetAllCookies());
        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
    }

    [Fact]
    public async Task Login_SameOriginPost_SetsCookie()
    {
        using var browser = Browser(out var cookies);
        using var post = new HttpRequestMessage(HttpMethod.Post, "orleans/login")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("key", Server.AdminKey)]),
        };
        post.Headers.TryAddWithoutValidation("Origin", Server.BaseAddress.GetLeftPart(UriPartial.Authority));
        post.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");

        var login = await browser.SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Single(cookies.GetAllCookies(), c => c.Name == OrleansDashboardApi.CookieName);
    }

    [Fact]
    public async Task Login_NonAdminKey_Is403AndSetsNoCookie()
    {
        var reader = await Server.CreateKeyAsync(Tenants.Operator, Scopes.Read, Scopes.Register);
        using var browser = Browser(out var cookies);

        var login = await SignInAsync(browser, reader.Secret!);
        var data = await browser.GetAsync("orleans/DashboardCounters");

        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Contains("lacks the &#39;admin&#39; scope", await login.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(cookies.GetAllCookies());
        Assert.Equal(HttpStatusCode.Unauthorized, data.StatusCode);
    }

    [Fact]
    public async Task Login_UnknownOrMalformedKey_Is401()
    {
        using var browser = Browser(out var cookies);

        var malformed = await SignInAsync(browser, "not-a-key");
        var unknown = await SignInAsync(browser, Server.AdminKey[..^4] + "AAAA");

        Assert.Equal(HttpStatusCode.Unauthorized, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Empty(cookies.GetAllCookies());
    }

    [Fact]
    public async Task Login_AdminKey_SetsStrictHttpOnlyCookieAndServesPagesAndData()
    {
        using var browser = Browser(out _);

        var login = await SignInAsync(browser, Server.AdminKey);
        var setCookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(OrleansDashboardApi.CookieName + "=", StringComparison.Ordinal));
        var page = await browser.SendAsync(Page("orleans/"));
        var counters = await browser.GetAsync("orleans/DashboardCounters");

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/orleans/", login.Headers.Location!.OriginalString);
        Assert.Contains("path=/orleans", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Server.AdminKey, setCookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        Assert.Equal("application/json", counters.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Cookie_KeyRevokedAfterSignIn_StopsWorking()
    {
        var admin = await Server.CreateKeyAsync(Tenants.Operator, Scopes.Admin);
        using var browser = Browser(out _);
        using var operatorClient = Server.Client(Server.AdminKey);
        Assert.Equal(HttpStatusCode.Redirect, (await SignInAsync(browser, admin.Secret!)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("orleans/version")).StatusCode);

        Assert.True((await operatorClient.DeleteAsync($"v1/admin/api-keys/{admin.KeyId}")).IsSuccessStatusCode);
        await Task.Delay(ApiKeyStore.LookupCacheTime + TimeSpan.FromMilliseconds(500));
        var after = await browser.GetAsync("orleans/version");

        await Problem.AssertAsync(after, 401, "unauthenticated");
    }

    [Fact]
    public async Task Logout_AfterSignIn_ClearsTheCookie()
    {
        using var browser = Browser(out _);
        await SignInAsync(browser, Server.AdminKey);

        var logout = await browser.PostAsync("orleans/logout", null);
        var after = await browser.GetAsync("orleans/version");

        Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }
}
