using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using PuppeteerSharp;

namespace EmailEngine.Tests.WebConsole;

/// <summary>
/// An engine on PostgreSQL with a MailWizz stand-in and a PowerMTA host over SSH, seeded as an operator's morning looks:
/// two tenants with their keys, IPs in different warmup states, 30 days of accounting, a failed push; and Debian's
/// Chromium, headless, to look at it through the console.
/// </summary>
public sealed class ConsoleStack : IAsyncLifetime
{
    public PmtaHost Pmta { get; } = new();
    /// <summary>The engine's resolver: one IP's address and an SPF record that leaves the other IPs out.</summary>
    public DnsmasqServer Dns { get; private set; } = null!;
    public MailWizzStandInServer MailWizz { get; private set; } = null!;
    public EngineServer Engine { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri Ui => new(Engine.BaseAddress, "/ui");
    public Dictionary<string, string> TenantKeys { get; } = [];
    public Dictionary<string, long> Ips { get; } = [];
    public long GlobexTemplateId { get; private set; }
    public long GlobexContactId { get; private set; }
    public long FailedPushId { get; private set; }
    public static string Screenshots => Path.Combine(TestEnvironment.RepositoryRoot(), "test-results", "screenshots");

    public async Task InitializeAsync()
    {
        MailWizz = await MailWizzStandInServer.StartAsync();
        var settings = MailWizz.EngineSettings();
        foreach (var (key, value) in Pmta.EngineSettings())
            settings[key] = value;
        settings["OUTBOX_WORKER"] = "off";
        Dns = await DnsmasqServer.StartAsync(["acme-boutique.fr"],
            ["--host-record=mail.acme-boutique.fr,192.0.2.11", "--txt-record=acme-boutique.fr,v=spf1 ip4:192.0.2.11 -all"]);
        settings["DNS_SERVERS"] = Dns.Endpoint;
        Engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
        Api = Engine.Client();
        await SeedAsync();
        Directory.CreateDirectory(Screenshots);
        Browser = await Puppeteer.LaunchAsync(new LaunchOptions
        {
            Headless = true,
            ExecutablePath = Environment.GetEnvironmentVariable("EE_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--lang=en-US"],
        });
    }

    private async Task SeedAsync()
    {
        foreach (var (slug, name) in new[] { ("acme", "Acme Boutique"), ("globex", "Globex Conseil") })
        {
            await Post("/api/v1/tenants", new
            {
                slug, name, default_language = "fr",
                sender = new { from_name = name, from_email = $"news@{slug}.example", reply_to = $"contact@{slug}.example", company_name = name,
                    company_address = "1 rue de la Paix", company_city = "Paris", company_zip = "75002", company_country = "France" },
            });
            TenantKeys[slug] = (await Post($"/api/v1/tenants/{slug}/keys", new { name = "console test" })).GetProperty("token").GetString()!;
        }
        // The contact goes in before any IP exists: with IPs, new subscribers wait for sending room (Warmup/SendingCapacity).
        var template = await Post("/api/v2/templates", new { tenant = "globex", name = "Globex welcome", subject = "Bienvenue [FNAME]", html = "<p>Bonjour [FNAME]</p>", language = "fr" });
        GlobexTemplateId = template.GetProperty("id").GetInt64();
        GlobexContactId = (await Post("/api/v2/contacts", new { tenant = "globex", email = "claire.martin@gmail.com", first_name = "Claire" })).GetProperty("id").GetInt64();
        await Engine.SyncAllAsync();
        // Warming on day 1, another paused by the operator, one active (warm, no plan), one moved on to day 12, one in reserve.
        foreach (var (address, status) in new[] { ("192.0.2.11", "warming"), ("192.0.2.12", "warming"), ("192.0.2.13", "active"), ("192.0.2.14", "warming"),
                     ("192.0.2.15", "standby") })
            Ips[address] = (await Post("/api/v1/ips", new { ip = address, domain = "mail.acme-boutique.fr", status })).GetProperty("id").GetInt64();
        await Post($"/api/v1/ips/{Ips["192.0.2.12"]}/warmup/override", new { action = "pause", reason = "Gmail complaints from a bad list", hours = 48 });
        await Post($"/api/v1/ips/{Ips["192.0.2.14"]}/warmup/override", new { action = "skip_to_day", reason = "Partly warm from the V1 engine", day = 12 });
        await AccountingAsync();

        // A push that used up its retries while MailWizz was away (twelve attempts over hours, cut short here): the
        // queue page has something to retry.
        await Post("/api/v2/templates", new { tenant = "acme", name = "Acme promo", subject = "Soldes", html = "<p>Soldes [FNAME]</p>", language = "fr" });
        using (var scope = Engine.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var push = await db.Set<OutboxMessage>().Where(m => m.Status == OutboxStatus.Pending && m.Kind == "mailwizz.template").OrderBy(m => m.Id).LastAsync();
            (push.Status, push.Attempts, push.LastError) = (OutboxStatus.Failed, 12, "MailWizz answered 503 Service Unavailable (12 attempts)");
            await db.SaveChangesAsync();
            FailedPushId = push.Id;
        }
    }

    /// <summary>30 days of deliveries, bounces and deferrals for the sending IPs, across the ISP groups.</summary>
    private async Task AccountingAsync()
    {
        var ips = await Api.GetFromJsonAsync<JsonElement>("/api/v1/ips");
        var csv = new StringBuilder(Accounting.AcctFiles.Header);
        var now = DateTimeOffset.UtcNow;
        // Today's records fall within today's UTC day even just after midnight (half an hour ago, or half the day so far).
        var earlierToday = now - TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(30).Ticks, (now - new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero)).Ticks / 2));
        string[] domains = ["gmail.com", "outlook.com", "yahoo.fr", "orange.fr", "free.fr"];
        foreach (var ip in ips.GetProperty("items").EnumerateArray())
        {
            var vmta = ip.GetProperty("vmta").GetString()!;
            for (var day = 29; day >= 0; day--)
            {
                var time = (day == 0 ? earlierToday : now.AddDays(-day)).ToString("yyyy-MM-dd HH:mm:ss+0000", CultureInfo.InvariantCulture);
                for (var i = 0; i < 12 + (29 - day); i++)
                    csv.Append(Accounting.AcctFiles.Line("d", time, $"u{day}-{i}@{domains[i % domains.Length]}", vmta, "acme"));
                csv.Append(Accounting.AcctFiles.Line("b", time, $"gone{day}@orange.fr", vmta, "acme", status: "5.1.1",
                    diag: "smtp;550 5.1.1 <gone@orange.fr>: Recipient address rejected: User unknown", category: "bad-mailbox"));
                csv.Append(Accounting.AcctFiles.Line("t", time, $"later{day}@gmail.com", vmta, "acme", status: "4.7.28",
                    diag: "smtp;421 4.7.28 Our system has detected an unusual rate of unsolicited mail", category: "policy-related"));
            }
        }
        await Accounting.AcctFiles.UploadAsync(Api, csv.ToString());
    }

    private async Task<JsonElement> Post(string path, object body)
    {
        var response = await Api.PostAsJsonAsync(path, body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {json}");
        return json;
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        Api.Dispose();
        await Engine.DisposeAsync();
        await MailWizz.DisposeAsync();
        Pmta.Dispose();
        Dns.Dispose();
    }
}
