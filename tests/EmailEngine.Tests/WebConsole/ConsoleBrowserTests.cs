using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using PuppeteerSharp;

namespace EmailEngine.Tests.WebConsole;

/// <summary>The console in a real headless Chromium: every page, the main actions, tenant isolation, the session's safety.</summary>
[Trait("Category", "Ssh")]
[LongRunning(55)]
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
        Assert.Equal("pool-all", await TextAsync(page, "[data-testid=ip-pool]")); // nobody owns the seeded IPs
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
    public async Task Operator_edits_sender_settings_a_template_and_a_campaign()
    {
        var template = await PostAsync("/api/v2/templates", new { tenant = "acme", name = "Relance", subject = "Vous revoilà", html = "<p>Bonjour [FNAME]</p>", language = "fr" });
        var templateId = template.GetProperty("id").GetInt64();
        var campaign = await PostAsync("/api/v2/campaigns", new { tenant = "acme", name = "Relance J+3", template_id = templateId, type = "autoresponder",
            delay = new { value = 3, unit = "day" } });
        var campaignId = campaign.GetProperty("id").GetInt64();
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);

        // Sender settings: the form holds the current values; a changed one is saved and shown.
        await GoAsync(page, "/ui/tenants/acme");
        await page.ClickAsync("[data-testid=edit-sender] summary");
        Assert.Equal("Acme Boutique", await page.EvaluateExpressionAsync<string>("document.querySelector('[data-testid=edit-sender] input[name=FromName]').value"));
        await ReplaceAsync(page, "[data-testid=edit-sender] input[name=FromName]", "Acme Boutique Paris");
        await ReplaceAsync(page, "[data-testid=edit-sender] input[name=CompanyZip]", "75001");
        await SubmitAsync(page, "[data-testid=edit-sender] form");
        Assert.Equal("Saved.", await TextAsync(page, ".flash.ok"));
        Assert.Contains("Acme Boutique Paris", await TextAsync(page, "#sender dl"));
        var sender = (await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/acme")).GetProperty("sender");
        Assert.Equal("Acme Boutique Paris", sender.GetProperty("from_name").GetString());
        Assert.Equal("75001", sender.GetProperty("company_zip").GetString());
        Assert.Equal("1 rue de la Paix", sender.GetProperty("company_address").GetString());

        // The API's validation is the form's: a bad address is refused with its field message and nothing changes.
        await page.ClickAsync("[data-testid=edit-sender] summary");
        await page.EvaluateExpressionAsync("document.querySelector('[data-testid=edit-sender] input[name=FromEmail]').type = 'text'");
        await ReplaceAsync(page, "[data-testid=edit-sender] input[name=FromEmail]", "not an address");
        await SubmitAsync(page, "[data-testid=edit-sender] form");
        Assert.Contains("from_email", await TextAsync(page, ".flash.bad"));
        Assert.Equal("news@acme.example", (await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/acme")).GetProperty("sender").GetProperty("from_email").GetString());

        // A campaign: renamed with a subject of its own, then paused and resumed.
        var row = $"tr[data-campaign='Relance J+3']";
        await page.ClickAsync($"{row} details.edit summary");
        await ReplaceAsync(page, $"{row} input[name=name]", "Relance J+4");
        await ReplaceAsync(page, $"{row} input[name=subject]", "On vous garde une place");
        await SubmitAsync(page, $"{row} form[action*=UpdateCampaign]");
        Assert.Equal("Saved.", await TextAsync(page, ".flash.ok"));
        row = "tr[data-campaign='Relance J+4']";
        await SubmitAsync(page, $"{row} form[action*=PauseCampaign]");
        Assert.Equal("paused", await TextAsync(page, $"{row} td:nth-child(3)"));
        var saved = await stack.Api.GetFromJsonAsync<JsonElement>($"/api/v2/campaigns/{campaignId}");
        Assert.Equal(("Relance J+4", "On vous garde une place", "paused"),
            (saved.GetProperty("name").GetString(), saved.GetProperty("subject").GetString(), saved.GetProperty("status").GetString()));
        await SubmitAsync(page, $"{row} form[action*=ResumeCampaign]");
        Assert.Equal("active", await TextAsync(page, $"{row} td:nth-child(3)"));

        // The template: edited on its own page, previewed as saved, and the new version reaches MailWizz.
        await GoAsync(page, $"/ui/templates/{templateId}");
        await page.ClickAsync("[data-testid=edit-template] summary");
        await ReplaceAsync(page, "[data-testid=edit-template] input[name=name]", "Relance douce");
        await ReplaceAsync(page, "[data-testid=edit-template] input[name=subject]", "Un petit mot, [FNAME]");
        await SubmitAsync(page, "[data-testid=edit-template] form");
        Assert.Equal("Saved.", await TextAsync(page, ".flash.ok"));
        Assert.Equal("Un petit mot, Jane", await TextAsync(page, "[data-testid=preview-subject]"));
        await stack.Engine.SyncAllAsync();
        Assert.Contains("Relance douce", (await stack.MailWizz.StateAsync()).ToString());
        await page.ReloadAsync();
        Assert.Equal("in MailWizz", await TextAsync(page, "h1 .badge"));
    }

    [Fact]
    public async Task Operator_imports_contacts_and_suppressions_from_files()
    {
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, EngineServer.OperatorKey);
        await GoAsync(page, "/ui/tenants/acme");
        var contacts = Path.Combine(Path.GetTempPath(), $"console-import-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(contacts, "email;first_name\nlea.durand@gmail.com;Léa\nnot-an-address;Bob\nhugo.petit@orange.fr;Hugo\n");
        var suppressions = Path.Combine(Path.GetTempPath(), $"console-suppressions-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(suppressions, "email,reason\nno.more@gmail.com,manual\nbroken,\nplainte@free.fr,complaint\n");
        try
        {
            // Contacts: the file is queued, and the imports table follows the job by itself (htmx) until it is done.
            await (await page.QuerySelectorAsync("[data-testid=import-contacts] input[type=file]"))!.UploadFileAsync(contacts);
            await SubmitAsync(page, "[data-testid=import-contacts]");
            Assert.Equal("File received; the import runs below.", await TextAsync(page, ".flash.ok"));
            var job = "[data-testid=imports] tbody tr:first-child";
            await page.WaitForFunctionAsync($"() => document.querySelector(\"{job} .badge\")?.textContent.trim() === 'completed'",
                new WaitForFunctionOptions { Timeout = 30_000, PollingInterval = 250 });
            Assert.Equal(Path.GetFileName(contacts), await TextAsync(page, $"{job} td:nth-child(2)"));
            Assert.Equal(("2", "1"), (await TextAsync(page, $"{job} td:nth-child(5)"), await TextAsync(page, $"{job} td:nth-child(6)")));
            var rejects = await page.EvaluateFunctionAsync<string>("s => fetch(document.querySelector(s).href).then(r => r.text())", $"{job} a[download]");
            Assert.Contains("not-an-address", rejects);
            var found = await stack.Api.GetFromJsonAsync<JsonElement>("/api/v2/contacts?tenant=acme&email=hugo.petit@orange.fr");
            Assert.Equal("Hugo", found.GetProperty("items")[0].GetProperty("first_name").GetString());

            // Suppressions: added, already there and refused rows are counted, the refused ones named.
            await (await page.QuerySelectorAsync("[data-testid=import-suppressions] input[type=file]"))!.UploadFileAsync(suppressions);
            await SubmitAsync(page, "[data-testid=import-suppressions]");
            Assert.StartsWith("2 added, 0 already suppressed, 1 rejected. — 3: broken", await TextAsync(page, ".flash.ok"));
            Assert.Contains("plainte@free.fr", await TextAsync(page, "[data-testid=suppressions]"));
            var check = await stack.Api.GetFromJsonAsync<JsonElement>("/api/v2/suppressions/check?tenant=acme&email=no.more@gmail.com");
            Assert.True(check.GetProperty("suppressed").GetBoolean());

            // A file above the API's ordinary body limit (1 MiB here) is taken as the import upload takes it.
            await File.WriteAllTextAsync(contacts, "email;first_name;notes\n" + string.Concat(Enumerable.Range(1, 3000)
                .Select(i => $"bulk.{i}@gmail.com;Bulk;{new string('x', 500)}\n")));
            Assert.True(new FileInfo(contacts).Length > 1024 * 1024);
            await (await page.QuerySelectorAsync("[data-testid=import-contacts] input[type=file]"))!.UploadFileAsync(contacts);
            await SubmitAsync(page, "[data-testid=import-contacts]");
            Assert.Equal("File received; the import runs below.", await TextAsync(page, ".flash.ok"));
            await page.WaitForFunctionAsync($"() => document.querySelector(\"{job} .badge\")?.textContent.trim() === 'completed'",
                new WaitForFunctionOptions { Timeout = 60_000, PollingInterval = 250 });
            Assert.Equal("3,000", await TextAsync(page, $"{job} td:nth-child(5)"));

            // No file, no job: the form says so instead of queuing an empty import.
            var before = await CountAsync(page, "[data-testid=imports] tbody tr");
            await page.EvaluateExpressionAsync("document.querySelector('[data-testid=import-contacts] input[type=file]').removeAttribute('required')");
            await SubmitAsync(page, "[data-testid=import-contacts]");
            Assert.Equal("Choose a file first.", await TextAsync(page, ".flash.bad"));
            Assert.Equal(before, await CountAsync(page, "[data-testid=imports] tbody tr"));
        }
        finally
        {
            File.Delete(contacts);
            File.Delete(suppressions);
        }
    }

    [Fact]
    public async Task A_tenant_creates_and_edits_its_webhook_and_cannot_touch_another_tenants()
    {
        var globexHook = await PostAsync("/api/v1/webhooks", new { tenant = "globex", url = "https://hooks.globex.fr/ee", events = new[] { "bounce" } });
        var globexHookId = globexHook.GetProperty("webhook").GetProperty("id").GetInt64();
        await using var context = await stack.Browser.CreateBrowserContextAsync();
        var page = await SignInAsync(context, stack.TenantKeys["acme"]);
        Assert.Null(await page.QuerySelectorAsync("[data-testid=edit-sender]"));

        await page.ClickAsync("[data-testid=create-webhook] summary");
        await page.TypeAsync("[data-testid=create-webhook] input[name=url]", "https://hooks.acme-boutique.fr/ee");
        await page.ClickAsync("[data-testid=create-webhook] input[value=suppression]");
        await SubmitAsync(page, "[data-testid=create-webhook] form");
        // The signing secret is in this answer only, and never cached.
        var secret = await TextAsync(page, "[data-testid=new-webhook-secret]");
        Assert.True(secret.Length >= 32, secret);
        await GoAsync(page, "/ui/tenants/acme");
        Assert.DoesNotContain(secret, await page.GetContentAsync());
        var hook = (await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/webhooks?tenant=acme")).GetProperty("items").EnumerateArray()
            .Single(h => h.GetProperty("url").GetString() == "https://hooks.acme-boutique.fr/ee");
        Assert.Equal(["bounce", "complaint"], hook.GetProperty("events").EnumerateArray().Select(e => e.GetString()).Order());

        // Disabled from its edit form.
        var edit = $"h3[data-webhook='{hook.GetProperty("id").GetInt64()}'] + p + details[data-testid=edit-webhook]";
        await page.ClickAsync($"{edit} summary");
        await page.ClickAsync($"{edit} input[name=enabled]");
        await SubmitAsync(page, $"{edit} form");
        Assert.Equal("Saved.", await TextAsync(page, ".flash.ok"));
        Assert.False((await stack.Api.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{hook.GetProperty("id").GetInt64()}")).GetProperty("enabled").GetBoolean());

        // The same form aimed at globex's webhook: not found for acme, and globex's webhook is untouched.
        await page.EvaluateFunctionAsync("id => { const f = document.querySelector('details[data-testid=edit-webhook] form'); f.querySelector('input[name=id]').value = id; f.querySelector('input[name=url]').value = 'https://evil.example.net/'; }",
            globexHookId);
        await SubmitAsync(page, "details[data-testid=edit-webhook] form");
        Assert.Contains($"Webhook {globexHookId} does not exist", await TextAsync(page, ".flash.bad"));
        var untouched = await stack.Api.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{globexHookId}");
        Assert.Equal("https://hooks.globex.fr/ee", untouched.GetProperty("url").GetString());

        // And the operator-only sender form refuses a tenant even when posted by hand.
        var token = CsrfToken(await page.GetContentAsync());
        await page.EvaluateFunctionAsync(
            "t => fetch('/ui/tenants/acme?handler=UpdateSender', { method: 'POST', body: new URLSearchParams({ __csrf: t, Name: 'Hijacked' }) })", token);
        Assert.Equal("Acme Boutique", (await stack.Api.GetFromJsonAsync<JsonElement>("/api/v1/tenants/acme")).GetProperty("name").GetString());
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
        Assert.StartsWith("in sync", await TextAsync(page, "[data-testid=sync-state]"));
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

    private async Task<JsonElement> PostAsync(string path, object body)
    {
        var answer = await stack.Api.PostAsJsonAsync(path, body);
        Assert.True(answer.IsSuccessStatusCode, $"{path}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync()}");
        return await answer.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task ReplaceAsync(IPage page, string selector, string text)
    {
        await page.EvaluateFunctionAsync("s => document.querySelector(s).value = ''", selector);
        await page.TypeAsync(selector, text);
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
