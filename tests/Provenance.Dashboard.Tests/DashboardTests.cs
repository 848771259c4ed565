using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Provenance.Dashboard.Tests;

/// <summary>Drives the dashboard in Chromium against the real server started by <see cref="ServerFixture"/>.</summary>
[Collection(ServerCollection.Name)]
public sealed class DashboardTests(ServerFixture server, ITestOutputHelper output) : IAsyncLifetime
{
    private IBrowserContext context = null!;
    private IPage page = null!;
    private readonly List<string> pageErrors = [];

    private static readonly string Screens = Path.Combine(ServerFixture.ArtifactsDir, "screenshots");
    private ServerFixture.Seed D => server.Data;

    public async Task InitializeAsync()
    {
        SetDefaultExpectTimeout(20_000);
        (context, page) = await OpenAsync(server.AdminKey, 1366);
    }

    public async Task DisposeAsync() => await context.DisposeAsync();

    /// <summary>A fresh browser context (own sessionStorage) with the key already entered, as after the key prompt.</summary>
    private async Task<(IBrowserContext, IPage)> OpenAsync(string? key, int width)
    {
        var ctx = await server.Browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = 900 }, AcceptDownloads = true });
        if (key is not null)
            await ctx.AddInitScriptAsync($"sessionStorage.setItem('provenance.apiKey', {JsonSerializer.Serialize(key)});");
        var p = await ctx.NewPageAsync();
        p.SetDefaultTimeout(20_000);
        p.PageError += (_, e) => pageErrors.Add(e);
        return (ctx, p);
    }

    private Task GoAsync(string route, IPage? p = null) => (p ?? page).GotoAsync(new Uri(server.BaseUri, $"dashboard/{route}").AbsoluteUri);

    private ILocator Node(string id, IPage? p = null) => (p ?? page).Locator($"svg.graph [data-node-id=\"{id}\"]");

    private void NoPageErrors() => Assert.True(pageErrors.Count == 0, "uncaught errors in the page:\n" + string.Join("\n", pageErrors));

    // ---- serving ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Dashboard_is_served_with_redirect_types_and_a_strict_content_policy()
    {
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseUri };
        using var r = await noRedirect.GetAsync("dashboard");
        Assert.True((int)r.StatusCode is >= 301 and <= 308, $"GET /dashboard gave {(int)r.StatusCode}");
        Assert.EndsWith("/dashboard/", r.Headers.Location!.OriginalString);

        using var index = await noRedirect.GetAsync("dashboard/");
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.StartsWith("text/html", index.Content.Headers.ContentType!.ToString());
        Assert.Contains("default-src 'self'", string.Join(";", index.Headers.GetValues("Content-Security-Policy")));
        var html = await index.Content.ReadAsStringAsync();
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org", ""));
        Assert.DoesNotContain("https://", html);

        using var js = await noRedirect.GetAsync("dashboard/js/app.js");
        Assert.Equal(HttpStatusCode.OK, js.StatusCode);
        Assert.StartsWith("text/javascript", js.Content.Headers.ContentType!.ToString());
        using var missing = await noRedirect.GetAsync("dashboard/js/nope.js");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    // ---- key -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Key_prompt_explains_a_refused_key_then_shows_tenant_and_scopes()
    {
        var (ctx, p) = await OpenAsync(null, 1366);
        await using var _ = ctx;
        await GoAsync("#/search", p);
        await Expect(p.Locator("#apikey")).ToBeVisibleAsync();
        await p.FillAsync("#apikey", "not-a-real-key");
        await p.ClickAsync("form.keyform button[type=submit]");
        var problem = p.Locator(".problem").First;
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem).ToContainTextAsync("401");
        await Expect(p.Locator("#apikey")).ToBeVisibleAsync();

        await p.FillAsync("#apikey", server.AdminKey);
        await p.ClickAsync("form.keyform button[type=submit]");
        await Expect(p.Locator("#keybox")).ToContainTextAsync("Tenant: default");
        await Expect(p.Locator("#keybox .scopes")).ToContainTextAsync("admin");
        await Expect(p.Locator("input#q")).ToBeVisibleAsync();
        Assert.Equal(server.AdminKey, await p.EvaluateAsync<string>("sessionStorage.getItem('provenance.apiKey')"));
        NoPageErrors();
    }

    [Fact]
    public async Task Problem_details_are_shown_readably()
    {
        await GoAsync("#/asset/no-such-asset-anywhere");
        var problem = page.Locator(".problem");
        await Expect(problem).ToBeVisibleAsync();
        await Expect(problem).ToContainTextAsync("404");
        await Expect(problem).ToHaveAttributeAsync("data-status", "404");
        await Expect(problem).ToContainTextAsync("not-found");
        Assert.DoesNotContain("{\"", await problem.InnerTextAsync());   // never raw JSON
        NoPageErrors();
    }

    // ---- every page at two widths ---------------------------------------------------------------------

    [Fact]
    public async Task Every_page_renders_at_laptop_and_phone_width()
    {
        Directory.CreateDirectory(Screens);
        var pages = new (string Name, string Route, string Ready)[]
        {
            ("search", "#/search?q=sunset", "#results tr[data-asset-id]"),
            ("asset", $"#/asset/{D.Remix1}", "#verification li.check"),
            ("lineage", $"#/lineage/{D.Remix1}", $"svg.graph [data-node-id=\"{D.Orig}\"]"),
            ("epochs", "#/epochs", "tr[data-epoch]"),
            ("runtime", "#/runtime", "table.runtime tbody tr"),
        };
        foreach (var width in new[] { 1366, 390 })
        {
            var (ctx, p) = await OpenAsync(server.AdminKey, width);
            await using var _ = ctx;
            foreach (var (name, route, ready) in pages)
            {
                await GoAsync(route, p);
                await Expect(p.Locator(ready).First).ToBeVisibleAsync();
                await p.WaitForLoadStateAsync(LoadState.NetworkIdle);
                await Expect(p.Locator(".problem")).ToHaveCountAsync(0);
                await Expect(p.Locator("main h1").First).ToBeVisibleAsync();
                // The page itself never scrolls sideways: wide tables and the graph scroll inside their own box.
                var overflow = await p.EvaluateAsync<int>("document.documentElement.scrollWidth - window.innerWidth");
                if (overflow > 1)
                {
                    var culprits = await p.EvaluateAsync<string>(
                        "[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)" +
                        ".slice(-5).map(e => e.tagName + '.' + [...e.classList].join('.') + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 40)).join(' | ')");
                    Assert.Fail($"{name} at {width}px is {overflow}px wider than the window: {culprits}");
                }
                if (name == "lineage")
                {
                    await Node(D.Remix1, p).FocusAsync();
                    await p.Keyboard.PressAsync("r");
                    await Expect(Node(D.Orig, p)).ToHaveClassAsync(new Regex(@"\bhl\b"));
                }
                if (name == "asset") await Expect(p.Locator("#prompt-diff ins").First).ToBeVisibleAsync();
                var file = Path.Combine(Screens, $"{name}-{width}.png");
                await p.ScreenshotAsync(new() { Path = file, FullPage = true });
                // Refreshing the README screenshot is opt-in, so a test run never dirties a tracked file.
                if (name == "lineage" && width == 1366 && Environment.GetEnvironmentVariable("PROVENANCE_UPDATE_DOC_SCREENSHOTS") == "1")
                {
                    var doc = Path.Combine(server.RepoRoot, "docs", "images", "lineage-explorer.png");
                    Directory.CreateDirectory(Path.GetDirectoryName(doc)!);
                    File.Copy(file, doc, overwrite: true);
                }
            }
        }
        output.WriteLine($"screenshots in {Screens}");
        NoPageErrors();
    }

    // ---- lineage ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Lineage_clicks_through_from_the_leaf_to_its_root()
    {
        await GoAsync($"#/lineage/{D.Remix3}");
        await Expect(Node(D.Remix3)).ToHaveClassAsync(new Regex(@"\bcenter\b"));
        await Expect(page.Locator($".elabel[data-parent=\"{D.Remix2}\"][data-child=\"{D.Remix3}\"]")).ToHaveTextAsync("component of");

        await Node(D.Remix2).ClickAsync();
        await Expect(Node(D.Remix1)).ToBeVisibleAsync();
        await Expect(Node(D.Remix2)).ToHaveAttributeAsync("aria-expanded", "true");

        await Node(D.Remix1).ClickAsync();
        await Expect(Node(D.Orig)).ToBeVisibleAsync();
        var foreign = Node(D.Foreign);
        await Expect(foreign).ToBeVisibleAsync();
        await Expect(foreign).ToHaveAttributeAsync("data-redacted", "true");
        await Expect(foreign).ToContainTextAsync("redacted");
        await Expect(foreign).Not.ToContainTextAsync("stock photo");   // the other tenant's title never leaks
        await Expect(page.Locator($".elabel[data-parent=\"{D.Foreign}\"][data-child=\"{D.Remix1}\"]")).ToHaveTextAsync("input to");
        await Expect(page.Locator($".elabel[data-parent=\"{D.Orig}\"][data-child=\"{D.Remix1}\"]")).ToHaveTextAsync("parent of");

        await Node(D.Orig).ClickAsync();   // the root: nothing above it
        await Expect(page.Locator(".lineage [role=status]").Last).ToContainTextAsync("no parents");
        Assert.Equal(0, await page.Locator("svg.graph [data-layer=\"-4\"]").CountAsync());

        // Path to the roots from the leaf: every node on the chain and the chain's edges highlighted.
        await Node(D.Remix3).FocusAsync();
        await page.ClickAsync("#hl-roots");
        foreach (var id in new[] { D.Remix3, D.Remix2, D.Remix1, D.Orig })
            await Expect(Node(id)).ToHaveClassAsync(new Regex(@"\bhl\b"));
        Assert.True(await page.Locator("path.edge.hl").CountAsync() >= 3);

        // Collapsing remix2 drops everything that was only reachable through it.
        await Node(D.Remix2).ClickAsync();
        await Expect(Node(D.Orig)).ToHaveCountAsync(0);
        await Expect(Node(D.Remix1)).ToHaveCountAsync(0);
        NoPageErrors();
    }

    [Fact]
    public async Task Lineage_keyboard_moves_expands_and_opens_the_asset_page()
    {
        await GoAsync($"#/lineage/{D.Remix2}");
        var center = Node(D.Remix2);
        await Expect(Node(D.Remix1)).ToBeVisibleAsync();
        await center.FocusAsync();
        Assert.Equal("0", await center.GetAttributeAsync("tabindex"));
        Assert.Equal("visible", await center.Locator(".ring").EvaluateAsync<string>("e => getComputedStyle(e).visibility"));
        Assert.False(string.IsNullOrWhiteSpace(await center.GetAttributeAsync("aria-label")));

        await page.Keyboard.PressAsync("ArrowUp");
        Assert.Equal(D.Remix1, await ActiveNodeAsync());
        await page.Keyboard.PressAsync("Enter");
        await Expect(Node(D.Orig)).ToBeVisibleAsync();
        await Expect(Node(D.Remix1)).ToHaveAttributeAsync("aria-expanded", "true");
        Assert.Equal(D.Remix1, await ActiveNodeAsync());   // focus stays put after the redraw
        await page.Keyboard.PressAsync("ArrowUp");
        var up = await ActiveNodeAsync();
        Assert.True(up == D.Orig || up == D.Foreign, $"ArrowUp went to {up}");
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal(D.Remix1, await ActiveNodeAsync());
        await page.Keyboard.PressAsync("Enter");   // collapse again
        await Expect(Node(D.Orig)).ToHaveCountAsync(0);
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal(D.Remix2, await ActiveNodeAsync());
        await page.Keyboard.PressAsync("ArrowDown");
        Assert.Equal(D.Remix3, await ActiveNodeAsync());
        await page.Keyboard.PressAsync(" ");
        await page.WaitForURLAsync(new Regex($"#/asset/{D.Remix3}$"));
        await Expect(page.Locator("main h1")).ToContainTextAsync("leaf");
        NoPageErrors();
    }

    private Task<string?> ActiveNodeAsync() => page.EvaluateAsync<string?>("document.activeElement && document.activeElement.getAttribute('data-node-id')");

    [Fact]
    public async Task Large_fan_out_is_paged_behind_a_more_node()
    {
        // Page size 2 for this test: dash-orig has six children (remix1, four variations, the revoked one).
        await GoAsync($"#/lineage/{D.Orig}?page=2");
        var children = page.Locator("svg.graph .node[data-layer=\"1\"]:not(.more)");
        var more = page.Locator($"svg.graph .node.more[data-more-of=\"{D.Orig}\"]");
        await Expect(children).ToHaveCountAsync(2);
        // The focused asset's child count comes with GET /v1/assets/{id}, so the "more" node says how many are left.
        await Expect(more).ToContainTextAsync("+4 more children");
        await more.ClickAsync();
        await Expect(children).ToHaveCountAsync(4);
        await Expect(more).ToContainTextAsync("+2 more children");
        await more.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(children).ToHaveCountAsync(6);
        // A server may hand out a cursor with an exactly full last page; following it finds nothing more.
        if (await more.CountAsync() > 0) await more.ClickAsync();
        await Expect(more).ToHaveCountAsync(0);
        await Expect(children).ToHaveCountAsync(6);
        NoPageErrors();
    }

    // ---- asset page ------------------------------------------------------------------------------------

    [Fact]
    public async Task Asset_page_shows_the_manifest_every_check_restrictions_prompt_diff_and_audit()
    {
        await GoAsync($"#/asset/{D.Remix1}");
        await Expect(page.Locator("main h1")).ToHaveTextAsync("Sunset remix one");
        var made = page.Locator("#s-who-made-it-and-how").Locator("..");
        foreach (var text in new[] { "alice@example.com", "PosterStudio 3.2", "imagegen", "xl-2026-10", "acme-ai", $"{D.PromptFamily} version 1.1.0" })
            await Expect(made).ToContainTextAsync(text);
        await Expect(page.Locator("table.kv")).ToContainTextAsync("42");

        // Each check the server reports is on the page with the same outcome, in words and an icon. A timestamp may
        // be granted between the page's call and ours, so compare again after a reload until both agree.
        var words = new Dictionary<string, string> { ["pass"] = "Pass", ["fail"] = "Fail", ["pending"] = "Pending", ["notApplicable"] = "Not applicable" };
        List<(string Name, string Outcome)> checks = [];
        System.Text.Json.Nodes.JsonNode? verify = null;
        for (var attempt = 1; ; attempt++)
        {
            var items = page.Locator("#verification li.check");
            await Expect(items.First).ToBeVisibleAsync();
            var shown = new List<(string, string)>();
            foreach (var li in await items.AllAsync())
                shown.Add((await li.GetAttributeAsync("data-check") ?? "", await li.GetAttributeAsync("data-outcome") ?? ""));
            verify = await server.PostAsync(server.AdminKey, "v1/verify", new { assetId = D.Remix1 });
            checks = verify!["checks"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["outcome"]!.GetValue<string>())).ToList();
            if (shown.SequenceEqual(checks)) break;
            Assert.True(attempt < 5, $"page shows [{string.Join(", ", shown)}], API says [{string.Join(", ", checks)}]");
            await Task.Delay(1000);
            await page.ReloadAsync();
        }
        foreach (var required in new[] { "hash", "signature", "lineage", "inclusion", "checkpoint" })
            Assert.Contains(checks, c => c.Name == required);
        Assert.Contains(checks, c => c.Name.StartsWith("timestamp", StringComparison.Ordinal));
        foreach (var (name, outcome) in checks)
        {
            var li = page.Locator($"#verification li.check[data-check=\"{name}\"]");
            await Expect(li).ToHaveAttributeAsync("data-outcome", outcome);
            await Expect(li.Locator(".badge")).ToContainTextAsync(words[outcome]);
            Assert.False(string.IsNullOrWhiteSpace(await li.Locator(".badge .icon").InnerTextAsync()));
            output.WriteLine($"{name}: {outcome}");
        }
        // Verified by id, no bytes are given: the content-hash check is "not applicable", never a failure.
        await Expect(page.Locator("#verification li.check[data-check=hash]")).ToHaveAttributeAsync("data-outcome", new Regex("^(pass|notApplicable)$"));
        await Expect(page.Locator("#verification li.check[data-check=signature]")).ToHaveAttributeAsync("data-outcome", "pass");
        await Expect(page.Locator("#verification li.check[data-check=inclusion]")).ToHaveAttributeAsync("data-outcome", "pass");
        await Expect(page.Locator("#verification .verdict")).ToHaveAttributeAsync("data-verdict", verify["verdict"]!.GetValue<string>());

        await Expect(page.Locator("#inherited [data-restriction=\"no-commercial-use\"]")).ToContainTextAsync(D.Orig);
        await Expect(page.Locator($"li[data-asset-id=\"{D.Foreign}\"]")).ToContainTextAsync("redacted");
        await Expect(page.Locator("#prompt")).ToContainTextAsync("Changes from version 1.0.0 to 1.1.0");
        await Expect(page.Locator("#prompt-diff ins").First).ToBeVisibleAsync();
        await Expect(page.Locator("#prompt-diff")).ToContainTextAsync("with gulls");
        Assert.True(await page.Locator("#audit tbody tr").CountAsync() >= 1);

        // Moderation and approvals of remix2.
        await GoAsync($"#/asset/{D.Remix2}");
        await Expect(page.Locator("#s-moderation").Locator("..")).ToContainTextAsync("moderation-bot");
        await Expect(page.Locator("#s-approvals").Locator("..")).ToContainTextAsync("marketing");
        NoPageErrors();
    }

    [Fact]
    public async Task Failed_and_revoked_assets_show_status_and_reason()
    {
        foreach (var (id, status, reason) in new[] { (D.Failed, "Failed", "renderer crashed"), (D.Revoked, "Revoked", "licence complaint") })
        {
            await GoAsync($"#/asset/{id}");
            await Expect(page.Locator(".pagehead .badge[data-status]")).ToContainTextAsync(status);
            await Expect(page.Locator("#audit")).ToContainTextAsync(reason);
        }
        NoPageErrors();
    }

    [Fact]
    public async Task Evidence_bundle_downloads_with_the_key_and_verifies_offline()
    {
        await GoAsync($"#/asset/{D.Remix2}");
        await Expect(page.Locator("#verification li.check").First).ToBeVisibleAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download-evidence"));
        var dir = Path.Combine(ServerFixture.ArtifactsDir, "downloads");
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, download.SuggestedFilename);
        await download.SaveAsAsync(file);
        Assert.EndsWith(".zip", file);
        using (var zip = ZipFile.OpenRead(file)) Assert.NotEmpty(zip.Entries);

        var cli = FindCli();
        if (cli is null) Assert.Fail("src/Provenance.Cli is not built; the downloaded bundle must be verified offline by the CLI");
        var (code, text) = await RunAsync("dotnet", cli, "verify", "--bundle", file);
        output.WriteLine(text);
        Assert.True(code == 0, $"provenance verify --bundle exited {code}:\n{text}");
        NoPageErrors();
    }

    /// <summary>The built `provenance` CLI when it has `verify --bundle`; an explicit PROVENANCE_CLI_DLL must have it.</summary>
    private string? FindCli()
    {
        if (Environment.GetEnvironmentVariable("PROVENANCE_CLI_DLL") is { Length: > 0 } env)
        {
            Assert.True(HasBundleVerify(env), $"PROVENANCE_CLI_DLL={env} has no `verify --bundle`");
            return env;
        }
        var config = typeof(ServerFixture).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        foreach (var c in new[] { config, "Release", "Debug" })
        {
            var dir = Path.Combine(server.RepoRoot, "src", "Provenance.Cli", "bin", c, "net10.0");
            if (!Directory.Exists(dir)) continue;
            foreach (var rc in Directory.GetFiles(dir, "*.runtimeconfig.json"))
            {
                var dll = rc[..^".runtimeconfig.json".Length] + ".dll";
                if (File.Exists(dll)) return HasBundleVerify(dll) ? dll : null;
            }
        }
        return null;
    }

    private static bool HasBundleVerify(string dll) => RunAsync("dotnet", dll, "verify", "--help").GetAwaiter().GetResult().Item2.Contains("--bundle", StringComparison.Ordinal);

    private static async Task<(int, string)> RunAsync(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var so = p.StandardOutput.ReadToEndAsync();
        var se = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(cts.Token);
        return (p.ExitCode, await so + await se);
    }

    // ---- search ----------------------------------------------------------------------------------------

    [Fact]
    public async Task Search_finds_assets_by_words_tag_hash_model_and_id()
    {
        async Task Expects(string route, params string[] ids)
        {
            await GoAsync(route);
            foreach (var id in ids) await Expect(page.Locator($"#results tr[data-asset-id=\"{id}\"]").First).ToBeVisibleAsync();
        }
        await Expects("#/search?q=remix", D.Remix1, D.Remix2, D.Remix3);
        await Expects($"#/search?q={D.Tag}&in=tag", D.Orig, D.Remix1);
        await Expects($"#/search?q={Uri.EscapeDataString(D.OrigHash)}", D.Orig);
        await Expects($"#/search?q={D.Model}&in=model", D.Orig);
        await Expects($"#/search?q={D.Remix2}", D.Remix2);
        await Expect(page.Locator(".exact")).ToBeVisibleAsync();

        // Typing in the box and submitting updates the shareable address.
        await page.FillAsync("#q", "variation");
        await page.ClickAsync("form.search button[type=submit]");
        await page.WaitForURLAsync(new Regex(@"#/search\?q=variation$"));
        await Expect(page.Locator($"#results tr[data-asset-id=\"{D.Fans[0]}\"]")).ToBeVisibleAsync();
        NoPageErrors();
    }

    // ---- epochs ----------------------------------------------------------------------------------------

    [Fact]
    public async Task Epochs_show_sizes_roots_timestamps_chart_and_trigger()
    {
        await GoAsync("#/epochs");
        var rows = page.Locator("tr[data-epoch]");
        await Expect(rows.First).ToBeVisibleAsync();
        var before = await rows.CountAsync();
        Assert.True(before >= 2, $"expected the two seeded epochs, saw {before}");
        await Expect(page.Locator("svg.chart")).ToBeVisibleAsync();
        var firstRow = rows.First;
        await Expect(firstRow.Locator("code.hash")).ToBeVisibleAsync();
        await Expect(firstRow.Locator("button.copy")).ToBeVisibleAsync();
        var words = new Dictionary<string, string> { ["granted"] = "Granted", ["pending"] = "Pending", ["failed"] = "Failed" };
        foreach (var li in await page.Locator("tr[data-epoch] li[data-tsa]").AllAsync())
        {
            var state = await li.GetAttributeAsync("data-state");
            await Expect(li.Locator(".badge")).ToContainTextAsync(words[state!]);
        }

        await page.ClickAsync("#trigger-epoch");
        await Expect(page.Locator("#trigger-result")).ToContainTextAsync("poch");
        await Expect(page.Locator(".problem")).ToHaveCountAsync(0);
        NoPageErrors();
    }

    [Fact]
    public async Task Keys_without_anchor_or_admin_scope_get_readable_refusals()
    {
        var (ctx, p) = await OpenAsync(server.ReadOnlyKey, 1366);
        await using var _ = ctx;
        await GoAsync("#/epochs", p);
        await Expect(p.Locator("tr[data-epoch]").First).ToBeVisibleAsync();
        // GET /v1/me told the page this key's scopes: no Trigger button to fail on, and the key box says what it can do.
        await Expect(p.Locator("#keybox .scopes")).ToHaveTextAsync("read");
        await Expect(p.Locator("#trigger-epoch")).ToHaveCountAsync(0);
        await Expect(p.Locator("#no-anchor")).ToBeVisibleAsync();

        await GoAsync("#/runtime", p);
        await Expect(p.Locator(".problem")).ToContainTextAsync("403");
        await Expect(p.Locator("main")).ToContainTextAsync("admin scope");
        NoPageErrors();
    }

    // ---- runtime ---------------------------------------------------------------------------------------

    [Fact]
    public async Task Runtime_lists_grain_types_and_refreshes_every_two_seconds()
    {
        await GoAsync("#/runtime");
        await Expect(page.Locator("table.runtime tbody tr").First).ToBeVisibleAsync();
        var stamp = page.Locator("#runtime-at");
        await Expect(stamp).ToContainTextAsync("Last sample");
        var first = await stamp.InnerTextAsync();
        await Expect(stamp).Not.ToHaveTextAsync(first, new() { Timeout = 8_000 });
        foreach (var header in new[] { "Calls/s", "p50 ms", "p95 ms", "p99 ms", "Queue", "Active" })
            await Expect(page.Locator("table.runtime thead")).ToContainTextAsync(header);
        await Expect(page.Locator(".tiles")).ToContainTextAsync("Storage errors");
        await Expect(page.Locator(".tiles")).ToContainTextAsync("TSA failures");
        NoPageErrors();
    }
}
