using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using PuppeteerSharp;

namespace EmailEngine.Tests.WebConsole;

/// <summary>The console in a real headless Chromium: every page, the main actions, tenant isolation, the session's safety.</summary>
public sealed class ConsoleBrowserTests(ConsoleStack stack) : IClassFixture<ConsoleStack>
{
    [Fact]
    public async Task Operator_walks_every_page_and_sees_the_seeded_morning()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);
        Assert.EndsWith("/ui", page.Url);

        // Overview: IPs by state, today's sends against quota, deliverability per ISP group, what needs a hand.
        foreach (var (state, count) in new[] { ("warming", "2"), ("paused", "1"), ("active", "1"), ("standby", "1"), ("quarantined", "0") })
            Assert.Equal(count, await TextAsync(page, $"[data-testid=ip-states] .state-{state} .n"));
        Assert.Equal(5, await CountAsync(page, "[data-testid=ips-today] tbody tr"));
        Assert.NotEqual("0", await TextAsync(page, "[data-testid=ips-today] tr[data-ip='192.0.2.11'] td:nth-child(5)"));
        Assert.Equal(6, await CountAsync(page, "[data-testid=deliverability] table[data-window='7d'] tbody tr[data-group]") - 1);
        Assert.NotEqual("0", await TextAsync(page, "table[data-window='7d'] tr[data-group=gmail] td:nth-child(2)"));
        Assert.Contains("push", await TextAsync(page, "[data-testid=attention]"));
        // The seeded accounting has 192.0.2.11 (day 1, quota 5) sending 42 today: flagged, not hidden.
        Assert.Contains("192.0.2.11 sent 42 today, above its quota of 5", await TextAsync(page, "[data-testid=attention]"));
        Assert.Equal(1, await CountAsync(page, "[data-testid=ips-today] tr[data-ip='192.0.2.11'] td.over"));
        // A paused IP may send nothing today (the engine's admission rule): whatever it sent is over.
        Assert.Contains("192.0.2.12 sent 42 today, above its quota of 0", await TextAsync(page, "[data-testid=attention]"));
        Assert.Equal(1, await CountAsync(page, "[data-testid=ips-today] tr[data-ip='192.0.2.12'] td.over"));
        Assert.Equal(0, await CountAsync(page, "[data-testid=ips-today] tr[data-ip='192.0.2.13'] td.over"));
        await ShotAsync(page, "overview");

        // The IP page of the IP moved to day 12: the chart is drawn, the decisions carry their reasons.
        await GoAsync(page, $"/ui/ips/{stack.Ips["192.0.2.14"]}");
        await page.WaitForSelectorAsync("canvas[data-drawn=true]", new WaitForSelectorOptions { Timeout = 10_000 });
        Assert.Contains("Partly warm from the V1 engine", await TextAsync(page, "[data-testid=decisions]"));
        Assert.Equal(6, await CountAsync(page, "[data-testid=isp-steps] tbody tr"));
        Assert.True(await CountAsync(page, "[data-testid=dns] tbody tr") >= 3, "the domain's DNS records are listed");
        // Checked now against the resolver: each IP's address record gets its own verdict.
        await SubmitAsync(page, "form:has([data-testid=verify-dns])");
        Assert.Equal("present", await TextAsync(page, "[data-testid=dns] tr[data-kind=address][data-value='192.0.2.11'] .badge"));
        Assert.Equal("mismatch", await TextAsync(page, "[data-testid=dns] tr[data-kind=address][data-value='192.0.2.12'] .badge"));
        Assert.Equal("mismatch", await TextAsync(page, "[data-testid=dns] tr[data-kind=spf] .badge"));
        Assert.Equal("missing", await TextAsync(page, "[data-testid=dns] tr[data-kind=dmarc] .badge"));
        await page.WaitForSelectorAsync("canvas[data-drawn=true]", new WaitForSelectorOptions { Timeout = 10_000 });
        await ShotAsync(page, "ip");

        await GoAsync(page, $"/ui/ips/{stack.Ips["192.0.2.12"]}");
        Assert.Equal("paused", await TextAsync(page, "[data-testid=warmup-phase]"));
        Assert.Contains("Gmail complaints from a bad list", await TextAsync(page, "[data-testid=decisions]"));

        await GoAsync(page, "/ui/tenants");
        Assert.Equal(2, await CountAsync(page, "[data-testid=tenants] tbody tr"));
        await GoAsync(page, "/ui/tenants/globex");
        Assert.Equal("Globex Conseil", await TextAsync(page, "[data-testid=tenant-name]"));
        Assert.Contains("Globex welcome", await TextAsync(page, "[data-testid=templates]"));
        Assert.Contains("claire.martin@gmail.com", await TextAsync(page, "[data-testid=contacts]"));
        await ShotAsync(page, "tenant");

        await GoAsync(page, $"/ui/templates/{stack.GlobexTemplateId}");
        Assert.Equal("Bienvenue Jane", await TextAsync(page, "[data-testid=preview-subject]"));
        var frame = await (await page.WaitForSelectorAsync("iframe[data-testid=preview]")).ContentFrameAsync();
        await frame.WaitForSelectorAsync("p");
        Assert.Equal("Bonjour Jane", await frame.EvaluateExpressionAsync<string>("document.querySelector('p').textContent"));

        await GoAsync(page, $"/ui/contacts/{stack.GlobexContactId}");
        Assert.True(await CountAsync(page, "[data-testid=timeline] tbody tr") >= 1);

        await GoAsync(page, "/ui/powermta");
        Assert.Contains("virtual-mta", await page.EvaluateExpressionAsync<string>("document.querySelector('[data-testid=config]').textContent"));
        await GoAsync(page, "/ui/queue");
        Assert.Equal(1, await CountAsync(page, "[data-testid=outbox] tr.status-failed"));

        // No page carries a key: not the operator's, not a tenant's.
        foreach (var path in new[] { "/ui", "/ui/tenants/acme", "/ui/powermta", "/ui/queue" })
        {
            await GoAsync(page, path);
            var html = await page.GetContentAsync();
            Assert.DoesNotContain(EngineServer.OperatorKey, html);
            Assert.DoesNotContain(stack.TenantKeys["acme"], html);
        }

        // Phone-sized: the same pages, nothing wider than the screen but the tables' own scroll boxes.
        await page.SetViewportAsync(new ViewPortOptions { Width = 390, Height = 844, IsMobile = true, DeviceScaleFactor = 2 });
        await GoAsync(page, "/ui");
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the overview fits a phone's width");
        await ShotAsync(page, "overview-phone");
        await GoAsync(page, $"/ui/ips/{stack.Ips["192.0.2.14"]}");
        Assert.True(await page.EvaluateExpressionAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the IP page fits a phone's width");
        await ShotAsync(page, "ip-phone");
    }

    [Fact]
    public async Task Operator_starts_a_warmup_from_the_ip_page()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);
        var id = stack.Ips["192.0.2.15"];
        await GoAsync(page, $"/ui/ips/{id}");
        await page.SelectAsync("[data-testid=start-warmup] select[name=plan]", "conservative-70");

        // Without the confirmation ticked the browser refuses; the server would too.
        await SubmitAsync(page, "[data-testid=start-warmup]", confirm: true);
        Assert.Equal("Warmup plan applied.", await TextAsync(page, ".flash"));
        Assert.Equal("running", await TextAsync(page, "[data-testid=warmup-phase]"));
        Assert.Equal("warming", await TextAsync(page, "[data-testid=ip-status]"));
        var warmup = await stack.Api.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}/warmup");
        Assert.Equal("conservative-70", warmup.GetProperty("plan").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Operator_retries_a_failed_push_and_it_reaches_MailWizz()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);
        await GoAsync(page, "/ui/queue?status=failed");
        await ShotAsync(page, "queue");
        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync($"[data-testid=retry-{stack.FailedPushId}]"));
        Assert.Contains("queued again", await TextAsync(page, ".flash.ok"));

        await stack.Engine.SyncAllAsync();
        var state = await stack.MailWizz.StateAsync();
        Assert.Contains("Acme promo", state.ToString());
        await GoAsync(page, "/ui/queue");
        Assert.Equal(0, await CountAsync(page, "[data-testid=outbox] tr.status-failed"));
    }

    [Fact]
    public async Task Template_created_in_the_console_is_synced_to_the_MailWizz_stand_in()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);
        await GoAsync(page, "/ui/tenants/acme");
        await page.ClickAsync("[data-testid=create-template] summary");
        await page.TypeAsync("[data-testid=create-template] input[name=name]", "Relance panier");
        await page.TypeAsync("[data-testid=create-template] input[name=subject]", "Votre panier vous attend, [FNAME]");
        await page.TypeAsync("[data-testid=create-template] textarea[name=html]", "<p>Bonjour [FNAME], votre panier vous attend.</p>");
        await SubmitAsync(page, "[data-testid=create-template] form");
        Assert.Contains("Template created", await TextAsync(page, ".flash.ok"));
        Assert.Equal("waiting for MailWizz", await TextAsync(page, "tr[data-template='Relance panier'] .badge"));

        await stack.Engine.SyncAllAsync();
        await page.ReloadAsync();
        Assert.Equal("in MailWizz", await TextAsync(page, "tr[data-template='Relance panier'] .badge"));
        Assert.Contains("Relance panier", (await stack.MailWizz.StateAsync()).ToString());

        // A template the API refuses is refused here with the API's field message, and nothing is stored.
        await page.ClickAsync("[data-testid=create-template] summary");
        await page.TypeAsync("[data-testid=create-template] input[name=name]", "Broken");
        await page.TypeAsync("[data-testid=create-template] input[name=subject]", "Hello");
        await page.TypeAsync("[data-testid=create-template] textarea[name=html]", "   ");
        await SubmitAsync(page, "[data-testid=create-template] form");
        Assert.Contains("html", await TextAsync(page, ".flash.bad"));
        Assert.Equal(0, await CountAsync(page, "tr[data-template='Broken']"));
    }

    [Fact]
    public async Task Deploy_dry_run_shows_the_diff_and_changes_nothing_on_the_host()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);
        var before = await File.ReadAllTextAsync(stack.Pmta.ConfigPath);
        await GoAsync(page, "/ui/powermta");
        await SubmitAsync(page, "[data-testid=deploy-dry-run]");
        // Seeding deployed the warmups' limits already: the live file is the rendered one, and the dry run says so.
        Assert.Contains("connected to", await TextAsync(page, "[data-testid=dry-run] pre.log"));
        Assert.Equal("", await TextAsync(page, "[data-testid=dry-run] pre.diff"));
        Assert.NotNull(await page.QuerySelectorAsync("[data-testid=deploy-confirm]"));
        await ShotAsync(page, "powermta");
        Assert.Equal(before, await File.ReadAllTextAsync(stack.Pmta.ConfigPath));
        var deployments = await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments");
        Assert.Equal("dry_run", deployments.GetProperty("items")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_powermta_page_works_on_the_host_chosen()
    {
        using var second = new PmtaHost();
        (await stack.Api.PostAsJsonAsync("/api/v1/pmta/hosts", second.Registration("pmta-b"))).EnsureSuccessStatusCode();
        try
        {
            await using var context = await stack.Browser.CreateBrowserContextAsync();
            var page = await SignInAsync(context, EngineServer.OperatorKey);
            await GoAsync(page, "/ui/powermta");
            Assert.NotNull(await page.QuerySelectorAsync("[data-testid=host-choice] option[value=pmta-b]"));
            await GoAsync(page, "/ui/powermta?host=pmta-b");
            await SubmitAsync(page, "[data-testid=deploy-dry-run]");

            // The dry run went to pmta-b (no IP on it yet) and changed nothing there.
            Assert.Contains("-postmaster admin@sos-holidays.com", await TextAsync(page, "[data-testid=dry-run] pre.diff"));
            Assert.Equal(PmtaHost.OriginalConfig.Replace("\r\n", "\n") + "\n", await File.ReadAllTextAsync(second.ConfigPath));
            var deployments = await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/pmta/deployments?host=pmta-b");
            Assert.Equal("dry_run", deployments.GetProperty("items")[0].GetProperty("status").GetString());
        }
        finally
        {
            (await stack.Api.DeleteAsync("/api/v1/pmta/hosts/pmta-b")).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task A_tenant_key_sees_only_its_own_tenant()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, stack.TenantKeys["acme"]);
        Assert.EndsWith("/ui/tenants/acme", page.Url);
        Assert.Null(await page.QuerySelectorAsync("#keys"));
        Assert.DoesNotContain("globex", (await page.GetContentAsync()).ToLowerInvariant());

        foreach (var path in new[] { "/ui/tenants/globex", $"/ui/templates/{stack.GlobexTemplateId}", $"/ui/contacts/{stack.GlobexContactId}",
                     $"/ui/templates/{stack.GlobexTemplateId}?handler=Render" })
            Assert.Equal(HttpStatusCode.NotFound, (await page.GoToAsync(new Uri(stack.Engine.BaseAddress, path).ToString()))!.Status);
        // The operator's pages send a tenant back to its own page.
        foreach (var path in new[] { "/ui", "/ui/powermta", "/ui/queue", $"/ui/ips/{stack.Ips["192.0.2.11"]}", "/ui/tenants" })
        {
            await GoAsync(page, path);
            Assert.EndsWith("/ui/tenants/acme", new Uri(page.Url).AbsolutePath);
        }
    }

    [Fact]
    public async Task The_session_is_a_strict_http_only_cookie_ended_by_revocation_and_sign_out()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var refused = await context.NewPageAsync();
        await refused.GoToAsync(new Uri(stack.Engine.BaseAddress, "/ui/signin").ToString());
        await refused.TypeAsync("#key", "not-a-key");
        var answer = await SubmitAsync(refused, "section.signin form");
        Assert.Equal(HttpStatusCode.Unauthorized, answer!.Status);
        Assert.NotNull(await refused.QuerySelectorAsync(".field-error"));

        var created = await (await stack.Api.PostAsJsonAsync("/api/v1/tenants/acme/keys", new { name = "to revoke" })).Content.ReadFromJsonAsync<JsonElement>();
        var key = created.GetProperty("token").GetString()!;
        var page = await SignInAsync(context, key);
        var session = (await page.GetCookiesAsync()).Single(c => c.Name == "ee_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSite.Strict, session.SameSite);
        Assert.DoesNotContain(key, session.Value);
        Assert.DoesNotContain(key, page.Url);

        // Revoking the key ends the session at the next request.
        (await stack.Api.DeleteAsync($"/api/v1/tenants/acme/keys/{created.GetProperty("key_id").GetString()}")).EnsureSuccessStatusCode();
        await page.ReloadAsync();
        Assert.Contains("/ui/signin", page.Url);

        var again = await SignInAsync(context, EngineServer.OperatorKey);
        await SubmitAsync(again, "header form[action='/ui/signout']");
        await GoAsync(again, "/ui");
        Assert.Contains("/ui/signin", again.Url);
    }

    [Fact]
    public async Task A_form_posted_without_its_anti_forgery_token_is_refused()
    {
        var (http, _) = await SignedInClientAsync();
        using (http)
        {
            // Signed in, but a form from elsewhere carries no token: refused, and nothing is requeued.
            var forged = await http.PostAsync("/ui/queue?handler=RetryAll", Form(("confirm", "true")));
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }
        using var withoutSession = new HttpClient { BaseAddress = stack.Engine.BaseAddress };
        var noCookie = await withoutSession.PostAsync("/ui/signin", Form(("key", EngineServer.OperatorKey)));
        Assert.Equal(HttpStatusCode.BadRequest, noCookie.StatusCode);
    }

    [Fact]
    public async Task An_unticked_confirmation_is_refused_by_the_server_too()
    {
        var (http, token) = await SignedInClientAsync();
        using var _ = http;
        var created = await (await stack.Api.PostAsJsonAsync("/api/v1/tenants/acme/keys", new { name = "kept" })).Content.ReadFromJsonAsync<JsonElement>();
        var keyId = created.GetProperty("key_id").GetString()!;
        var failedBefore = await FailedPushesAsync();
        var ip = stack.Ips["192.0.2.11"];

        foreach (var (path, fields) in new[]
                 {
                     ("/ui/queue?handler=RetryAll", new[] { ("__csrf", token) }),
                     ("/ui/tenants/acme?handler=RevokeKey", new[] { ("__csrf", token), ("keyId", keyId) }),
                     ($"/ui/ips/{ip}?handler=Override", new[] { ("__csrf", token), ("action", "pause"), ("reason", "unconfirmed") }),
                 })
        {
            var answer = await http.PostAsync(path, Form(fields));
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        }
        Assert.Equal(failedBefore, await FailedPushesAsync());
        var keys = await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/acme/keys");
        Assert.Equal(JsonValueKind.Null, keys.GetProperty("items").EnumerateArray().Single(k => k.GetProperty("key_id").GetString() == keyId)
            .GetProperty("revoked_at").ValueKind);
        var warmup = await stack.Api.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{ip}/warmup");
        Assert.Equal("running", warmup.GetProperty("phase").GetString());

        // Ticked, the same revoke goes through.
        var revoke = await http.PostAsync("/ui/tenants/acme?handler=RevokeKey", Form(("__csrf", token), ("keyId", keyId), ("confirm", "true")));
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        keys = await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/acme/keys");
        Assert.NotEqual(JsonValueKind.Null, keys.GetProperty("items").EnumerateArray().Single(k => k.GetProperty("key_id").GetString() == keyId)
            .GetProperty("revoked_at").ValueKind);
    }

    /// <summary>An HTTP client holding an operator session, and the anti-forgery token that goes with its cookie.</summary>
    private async Task<(HttpClient Client, string Token)> SignedInClientAsync()
    {
        var http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
            { BaseAddress = stack.Engine.BaseAddress };
        var token = CsrfToken(await http.GetStringAsync("/ui/signin"));
        var signIn = await http.PostAsync("/ui/signin", Form(("key", EngineServer.OperatorKey), ("__csrf", token)));
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        return (http, CsrfToken(await http.GetStringAsync("/ui/queue")));
    }

    private async Task<int> FailedPushesAsync() =>
        (await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/outbox")).GetProperty("counts").TryGetProperty("failed", out var n) ? n.GetInt32() : 0;

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    [Fact]
    public async Task French_from_the_browser_and_English_by_the_switch()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await context.NewPageAsync();
        await page.SetExtraHttpHeadersAsync(new Dictionary<string, string> { ["Accept-Language"] = "fr-FR,fr;q=0.9" });
        await page.GoToAsync(new Uri(stack.Engine.BaseAddress, "/ui/signin").ToString());
        Assert.Equal("Connexion", await TextAsync(page, "h1"));
        await page.TypeAsync("#key", EngineServer.OperatorKey);
        await SubmitAsync(page, "section.signin form");
        Assert.Equal("L'envoi en un coup d'œil", await TextAsync(page, "h1"));
        Assert.Equal("fr", await page.EvaluateExpressionAsync<string>("document.documentElement.lang"));
        await ShotAsync(page, "overview-fr");

        await Task.WhenAll(page.WaitForNavigationAsync(), page.ClickAsync("[data-testid=language]"));
        Assert.Equal("Sending at a glance", await TextAsync(page, "h1"));
        await GoAsync(page, "/ui/queue");
        Assert.Equal("Pushes to MailWizz", await TextAsync(page, "h1"));
    }

    private async Task<IPage> SignInAsync(IBrowserContext context, string key)
    {
        var page = await context.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1280, Height = 900 });
        await page.GoToAsync(new Uri(stack.Engine.BaseAddress, "/ui/signin").ToString());
        await page.TypeAsync("#key", key);
        await SubmitAsync(page, "section.signin form");
        return page;
    }

    private async Task GoAsync(IPage page, string path)
    {
        var response = await page.GoToAsync(new Uri(stack.Engine.BaseAddress, path).ToString());
        Assert.True(response!.Ok, $"{path}: HTTP {(int)response.Status}");
    }

    /// <summary>Ticks the form's confirmation box when asked, submits it and waits for the answer.</summary>
    private static async Task<IResponse?> SubmitAsync(IPage page, string form, bool confirm = false)
    {
        if (confirm)
            await page.ClickAsync($"{form} input[name=confirm]");
        var navigation = page.WaitForNavigationAsync();
        await page.EvaluateFunctionAsync("s => document.querySelector(s).requestSubmit()", form);
        return await navigation;
    }

    private static Task<string> TextAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<string>("s => (document.querySelector(s)?.textContent ?? '<missing ' + s + '>').trim()", selector);

    private static Task<int> CountAsync(IPage page, string selector) =>
        page.EvaluateFunctionAsync<int>("s => document.querySelectorAll(s).length", selector);

    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(Path.Combine(ConsoleStack.Screenshots, $"{name}.png"), new ScreenshotOptions { FullPage = true });

    private static string CsrfToken(string html) =>
        System.Text.RegularExpressions.Regex.Match(html, "name=\"__csrf\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
}
