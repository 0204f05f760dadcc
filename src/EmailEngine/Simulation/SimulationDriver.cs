using System.Net;
using System.Text.Json;
using EmailEngine.Deliverability;

namespace EmailEngine.Simulation;

/// <summary>One IP's sending day as the PowerMTA stand-in saw it, with the engine's quota and decisions for it.</summary>
/// <param name="Quota">The day's warmup quota; null once the IP has completed its plan (active: no warmup bound).</param>
public sealed record DayRow(int Day, string Vmta, int? Quota, int Sent, int Delivered, int Bounced, int Complaints, string Decisions)
{
    /// <summary>"126/160", or "126 (active)" for a day without a warmup bound.</summary>
    public string SentOfQuota => Quota is { } quota ? $"{Sent}/{quota}" : $"{Sent} (active)";
}

/// <summary>Where every contact the engine accepted ended up.</summary>
/// <param name="ByFate">Where each accepted contact's welcome ended up.</param>
/// <param name="ReceivedTwice">Recipients that received a copy of one campaign (welcome or regular) twice, no kill explaining it.</param>
/// <param name="Regular">Where the regular campaigns' messages are (<c>--campaign-day</c>), empty without one.</param>
public sealed record ContactFates(int Accepted, IReadOnlyDictionary<string, int> ByFate, IReadOnlyList<string> Lost, IReadOnlyList<string> ReceivedTwice,
    int Expired)
{
    public IReadOnlyDictionary<string, int> Regular { get; init; } = new Dictionary<string, int>();
    /// <summary>Copies received twice because a kill cut MailWizz's handoff to PowerMTA (<see cref="ReceivedTwiceCheck"/>), with the kill.</summary>
    public IReadOnlyList<string> ResentAfterKill { get; init; } = [];
    /// <summary>The sending days on which the regular campaigns' messages left the IPs, in order.</summary>
    public IReadOnlyList<int> RegularDays { get; init; } = [];
}

/// <param name="SentBy">What left the IPs, by host and owner (<c>HOST/TENANT</c>, <c>HOST/shared</c>).</param>
public sealed record SimulationResult(IReadOnlyList<DayRow> Days, IReadOnlyList<QuotaViolation> Violations, IReadOnlyList<TenantLeak> Leaks,
    IReadOnlyDictionary<string, int> SentBy, ContactFates Fates, IReadOnlyDictionary<string, string> FinalStatus, TimeSpan WallTime)
{
    /// <summary>With <c>--mailwizz-db</c>: the delivery servers' rows at the end.</summary>
    public IReadOnlyList<ServerRowState>? MailWizzServers { get; init; }
    /// <summary>With <c>--mailwizz-db</c>: sending days on which MailWizz logged more mail through a server than its IP's quota that day.</summary>
    public IReadOnlyList<string> UpstreamBreaches { get; init; } = [];

    public bool Passed => Violations.Count == 0 && Leaks.Count == 0 && Fates.Lost.Count == 0 && Fates.ReceivedTwice.Count == 0 && Fates.Expired == 0
        && UpstreamBreaches.Count == 0;
}

/// <summary>
/// Runs the days: registers the IPs at the first virtual midnight (each under its warmup plan), takes the PowerMTA host
/// over with a first deployment, signs contacts up hour by hour, carries out the scenario's events, samples each IP's
/// quotas every virtual hour, and at the end checks the invariants on the stand-in's own logs.
/// </summary>
public sealed class SimulationDriver(SimulationOptions options, SimulationScenario scenario, Action<string> say, Action<double>? progress = null)
{
    public const string PlanName = "simulation";

    private readonly List<QuotaSample> _samples = [];
    private readonly Dictionary<string, string> _accepted = new(StringComparer.OrdinalIgnoreCase); // email → tenant
    private readonly Queue<(string Email, string Tenant)> _toSend = new();
    private readonly Recipients _recipients = new(options.Seed);
    private readonly Dictionary<string, long> _ipIds = [];
    private readonly Dictionary<string, string?> _ownerOfVmta = []; // vmta → owning tenant, null in the shared pool
    private readonly List<ProcessKill> _kills = [];

    public async Task<SimulationResult> RunAsync(CancellationToken ct)
    {
        var started = DateTime.UtcNow;
        await using var stack = await SimulationStack.StartAsync(options, scenario.Path, ct);
        using var engine = new HttpClient { BaseAddress = stack.Engine, Timeout = TimeSpan.FromSeconds(30) };
        engine.DefaultRequestHeaders.Add("X-API-KEY", SimulationStack.OperatorKey);
        var clock = stack.Clock;
        say($"stack up in {stack.Work} (virtual clock ×{options.Speed:0}: a day every {options.SecondsPerDay:0.#} s)");

        var tenants = Enumerable.Range(1, options.Tenants).Select(t => $"tenant-{t}").ToList();
        foreach (var tenant in tenants)
            await Expect(engine.PostAsJsonAsync("/api/v1/tenants", new { slug = tenant }, ct), HttpStatusCode.Created, $"creating {tenant}");
        if (options.Plan is { } plan)
            await Expect(engine.PostAsJsonAsync("/api/v1/warmup/plans", new { name = PlanName, daily_quotas = plan }, ct), HttpStatusCode.Created, "creating the plan");
        // The first host is the engine's default (its PMTA_SSH_* settings); the others are registered as an operator does.
        foreach (var host in stack.Hosts.Skip(1))
            await Expect(engine.PostAsJsonAsync("/api/v1/pmta/hosts", new
            {
                name = host.Name, ssh_host = "127.0.0.1", ssh_port = stack.Ssh.Port, ssh_user = stack.Ssh.User, key_file = stack.Ssh.ClientKey,
                host_key = stack.Ssh.HostKeyFingerprint, config_path = host.Config, acct_path = host.AcctFile, relay_sources = new[] { "127.0.0.1" },
                smtp_host = "127.0.0.1", pmta_command = host.Command, dkim_dir = host.DkimDirectory, mgmt_port = host.MgmtPort,
            }, ct), HttpStatusCode.Created, $"registering PowerMTA host {host.Name}");

        // The IPs come in before day 1 as standby (no warmup yet), each with its owner, host and MailWizz delivery server:
        // registering and linking 20 IPs takes seconds of real time, a day of virtual time, which day 1 must not lose.
        for (var i = 1; i <= options.Ips; i++)
        {
            // Each tenant owns the IPs in turn (its own pool); with fewer IPs than tenants, they all stay in the shared pool.
            var tenant = options.Ips >= tenants.Count ? tenants[(i - 1) % tenants.Count] : null;
            var host = stack.HostOf(i, options.Ips);
            var response = await engine.PostAsJsonAsync("/api/v1/ips", new
            {
                ip = $"203.0.113.{i}", domain = $"mail{i}.sim{i}.example", status = "standby", tenant,
                host = host == stack.Hosts[0] ? null : host.Name,
            }, ct);
            var ip = await Json(response, HttpStatusCode.Created, $"registering IP {i}");
            var (id, vmta) = (ip.GetProperty("id").GetInt64(), ip.GetProperty("vmta").GetString()!);
            if (vmta != $"vmta-{i}")
                throw new InvalidOperationException($"IP {i} became {vmta}: MailWizz's delivery server {i} chooses vmta-{i}");
            (_ipIds[vmta], _ownerOfVmta[vmta]) = (id, tenant);
            // Its MailWizz delivery server, so that its owner's campaigns may use it (and no one else's).
            await Expect(engine.PutAsJsonAsync($"/api/v1/mailwizz/delivery-servers/{id}", new { server_id = i }, ct), HttpStatusCode.OK, $"linking IP {i}'s delivery server");
        }

        // Sending day 1 starts at a virtual midnight: a whole first day, decisions at midnights.
        var dayOne = SimulationStack.DayOne;
        if (clock.GetUtcNow() > dayOne)
            throw new TimeoutException($"setting the stack up took longer than {options.SetupAllowance:0.#} s: day 1 has begun (allow more with --setup-seconds)");
        say($"set up in {(DateTime.UtcNow - started).TotalSeconds:0.0} s of the {options.SetupAllowance:0.#} s before day 1");
        await WaitUntilAsync(clock, dayOne.AddMinutes(1), ct);
        // Warming from now: the default plan starts with the status, a custom one by its own call.
        foreach (var (vmta, id) in _ipIds)
        {
            if (options.Plan is null)
                await Expect(engine.PatchAsJsonAsync($"/api/v1/ips/{id}", new { status = "warming" }, ct), HttpStatusCode.OK, $"warming {vmta}");
            else
                await Expect(engine.PostAsJsonAsync($"/api/v1/ips/{id}/warmup", new { plan = PlanName }, ct), HttpStatusCode.Created, $"starting {vmta}'s plan");
        }
        // Each host taken over by a first deployment, the hosts side by side; a warmup start or the reconciler may be
        // deploying to one already: its first deployment waits its turn.
        await Task.WhenAll(stack.Hosts.Select(async host =>
        {
            var deployResponse = await engine.PostAsJsonAsync($"/api/v1/pmta/deploy?host={host.Name}", new { }, ct);
            for (var tries = 0; deployResponse.StatusCode == HttpStatusCode.Conflict && tries < 60; tries++)
            {
                await Task.Delay(500, ct);
                deployResponse = await engine.PostAsJsonAsync($"/api/v1/pmta/deploy?host={host.Name}", new { }, ct);
            }
            var deploy = await Json(deployResponse, HttpStatusCode.OK, $"the first deployment to {host.Name}");
            say($"PowerMTA host {host.Name}: {Enumerable.Range(1, options.Ips).Count(i => stack.HostOf(i, options.Ips) == host)} IPs, first deployment {deploy.GetProperty("status").GetString()}");
        }));
        say($"day 1 starts {dayOne:u}: {options.Ips} IPs warming"
            + (_ownerOfVmta.Values.Any(o => o is not null) ? ", each tenant's own: " + string.Join("; ", _ownerOfVmta.GroupBy(o => o.Value).Select(g => $"{g.Key} {string.Join(",", g.Select(o => o.Key))}")) : ", shared"));

        using var stopSampling = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sampling = SampleEveryHalfHourAsync(engine, clock, stopSampling.Token);
        var events = scenario.Events.Concat(KillEvents()).OrderBy(e => e.Day).ThenBy(e => e.Hour).ToList();
        var rows = new List<DayRow>();
        for (var hour = 0; hour < options.Days * 24; hour++)
        {
            var (day, hourOfDay) = (hour / 24 + 1, hour % 24);
            await WaitUntilAsync(clock, dayOne.AddHours(hour).AddMinutes(2), ct);
            foreach (var due in events.Where(e => e.Day == day && (int)e.Hour == hourOfDay))
                await ApplyAsync(stack, due, ct);
            QueueSignUps(tenants, ContactsInHour(hourOfDay));
            await SignUpAsync(engine, ct);
            if (day == options.CampaignDay && hourOfDay == CampaignHour)
                await SendRegularCampaignsAsync(engine, tenants, clock, ct);
            if (hourOfDay == DecisionLag.Hours && day > 1)
                await AddDayRowsAsync(day - 1);
            progress?.Invoke((hour + 1) / (double)(options.Days * 24));
        }
        await WaitUntilAsync(clock, dayOne.AddDays(options.Days) + DecisionLag, ct);
        await AddDayRowsAsync(options.Days);

        async Task AddDayRowsAsync(int day)
        {
            var dayRows = await DayRowsAsync(engine, stack, dayOne, day, ct);
            rows.AddRange(dayRows);
            say($"day {day,3}: " + string.Join("  ", dayRows.Select(r => $"{r.Vmta} {r.SentOfQuota}{(r.Decisions.Length > 0 ? $" [{r.Decisions}]" : "")}")));
        }
        await stopSampling.CancelAsync();
        await sampling.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // stopped by its token
        await SampleAsync(engine, clock.GetUtcNow(), ct);

        var fates = await FatesAsync(engine, stack, ct);
        var attempts = stack.Attempts().Where(a => a.LeftTheIp).ToList();
        List<QuotaViolation> violations;
        lock (_samples)
            violations = QuotaInvariant.Check(attempts, _samples);
        // Whose mail each message was: the tenant the driver signed its recipient up for (each contact gets one welcome).
        var leaks = TenantPoolInvariant.Check(attempts.Select(a => new TenantSend(a.Time, a.Vmta, _accepted.GetValueOrDefault(a.Rcpt) ?? "")), _ownerOfVmta);
        var sentBy = attempts.GroupBy(a => $"{a.Host}/{_ownerOfVmta.GetValueOrDefault(a.Vmta) ?? "shared"}").OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        var final = await FinalStatusAsync(engine, ct);
        var servers = stack.MailWizzDb is { } mailWizzDb ? await MailWizzServerRows.ReadAsync(mailWizzDb, ct) : null;
        return new SimulationResult(rows, violations, leaks, sentBy, fates, final, DateTime.UtcNow - started)
        {
            MailWizzServers = servers, UpstreamBreaches = servers is null ? [] : UpstreamBreaches(servers, rows),
        };
    }

    /// <summary>
    /// MailWizz's own usage log against the warmup: server N (vmta-N) may hand PowerMTA at most its IP's quota on a
    /// sending day (the engine writes the day's quota into its row; MailWizz counts per day of its clock).
    /// </summary>
    private static List<string> UpstreamBreaches(IReadOnlyList<ServerRowState> servers, IReadOnlyList<DayRow> rows) =>
        servers.SelectMany(server => server.SentPerDay.Select(day =>
                (server, Day: SimulationStack.SendingDayOf(new DateTimeOffset(day.Key.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)), Sent: day.Value)))
            .Select(d => (d.server, d.Day, d.Sent, Row: rows.FirstOrDefault(r => r.Day == d.Day && r.Vmta == $"vmta-{d.server.ServerId}")))
            .Where(d => d.Row?.Quota is > 0 && d.Sent > d.Row.Quota)
            .Select(d => $"{d.server.Name} on day {d.Day}: MailWizz sent {d.Sent}, the IP's quota was {d.Row!.Quota}").ToList();

    /// <summary>With --kill-each: the engine, MailWizz and PowerMTA (the first host) each SIGKILLed once, at a quarter, half and three
    /// quarters of the run; with --restart-host, the last host half-way at 16:00, in the busy hours.</summary>
    private IEnumerable<SimulationEvent> KillEvents() =>
        (options.KillEach
            ? [new(Math.Max(1, options.Days / 4), 13, SimulationEvent.KillEngine), new(Math.Max(1, options.Days / 2), 14, SimulationEvent.KillMailWizz),
                new(Math.Max(1, options.Days * 3 / 4), 15, SimulationEvent.KillPmta)]
            : Enumerable.Empty<SimulationEvent>())
        .Concat(options.RestartHost ? [new SimulationEvent(Math.Max(1, options.Days / 2), 16, SimulationEvent.PmtaRestart, Host: options.Hosts)] : []);

    private async Task ApplyAsync(SimulationStack stack, SimulationEvent due, CancellationToken ct)
    {
        var isHost = due.Action is SimulationEvent.PmtaRestart or SimulationEvent.KillPmta;
        if (isHost && due.Host > stack.Hosts.Count)
            throw new InvalidOperationException($"{due.Action} on day {due.Day}: host {due.Host}, but the run has {stack.Hosts.Count}");
        say($"day {due.Day,3} {due.Hour:00}h: {due.Action}{(isHost ? $" {stack.Hosts[due.Host - 1].Name}" : "")}{(due.Hours > 0 ? $" for {due.Hours} h" : "")}");
        switch (due.Action)
        {
            case SimulationEvent.MailWizzDown:
                using (var mailwizz = new HttpClient { BaseAddress = stack.MailWizz })
                    (await mailwizz.PostAsJsonAsync("/_standin/faults", new { down_for_seconds = (int)Math.Ceiling(due.Hours * 3600 / options.Speed) }, ct))
                        .EnsureSuccessStatusCode();
                break;
            case SimulationEvent.PmtaRestart or SimulationEvent.KillPmta:
                _kills.Add(new ProcessKill(stack.Hosts[due.Host - 1].Name, stack.Clock.GetUtcNow()));
                await stack.KillAndRestartAsync(stack.Hosts[due.Host - 1].Process, ct);
                break;
            case SimulationEvent.KillEngine:
                _kills.Add(new ProcessKill("engine", stack.Clock.GetUtcNow()));
                await stack.KillAndRestartAsync(stack.EngineProcess, ct);
                break;
            case SimulationEvent.KillMailWizz:
                _kills.Add(new ProcessKill(ReceivedTwiceCheck.MailWizz, stack.Clock.GetUtcNow()));
                await stack.KillAndRestartAsync(stack.MailWizzProcess, ct);
                break;
        }
    }

    /// <summary>Sign-ups follow the day: none at night, most in the evening.</summary>
    private int ContactsInHour(int hour)
    {
        double[] weights = [0, 0, 0, 0, 0, 0, 1, 2, 3, 3, 3, 3, 4, 4, 3, 3, 3, 4, 5, 6, 6, 5, 3, 1];
        var before = (int)Math.Round(options.ContactsPerDay * weights.Take(hour).Sum() / weights.Sum());
        var through = (int)Math.Round(options.ContactsPerDay * weights.Take(hour + 1).Sum() / weights.Sum());
        return through - before;
    }

    private void QueueSignUps(IReadOnlyList<string> tenants, int count)
    {
        for (var i = 0; i < count; i++)
            _toSend.Enqueue((_recipients.Next(), tenants[(_accepted.Count + _toSend.Count) % tenants.Count]));
    }

    /// <summary>Posts the queued sign-ups; one the engine cannot take now (it is restarting) is posted again next hour, as a form would.</summary>
    private async Task SignUpAsync(HttpClient engine, CancellationToken ct)
    {
        var batch = new List<(string Email, string Tenant)>();
        while (_toSend.TryDequeue(out var next))
            batch.Add(next);
        var refused = new System.Collections.Concurrent.ConcurrentQueue<(string, string)>();
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (contact, token) =>
        {
            try
            {
                var response = await engine.PostAsJsonAsync("/api/v2/contacts",
                    new { email = contact.Email, tenant = contact.Tenant, language = "fr", first_name = "Sim" }, token);
                if (response.StatusCode == HttpStatusCode.Accepted)
                    lock (_accepted)
                        _accepted[contact.Email] = contact.Tenant;
                else if ((int)response.StatusCode >= 500)
                    refused.Enqueue(contact);
            }
            catch (HttpRequestException)
            {
                refused.Enqueue(contact);
            }
        });
        foreach (var contact in refused)
            _toSend.Enqueue(contact);
    }

    /// <summary>
    /// Each IP's quotas, in total and per ISP group, as the engine has them: sampled every 30 virtual minutes by a loop of
    /// its own, so a slow hour of sign-ups never delays a sample.
    /// </summary>
    private async Task SampleEveryHalfHourAsync(HttpClient engine, TimeProvider clock, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(30), clock);
        do
            await SampleAsync(engine, clock.GetUtcNow(), ct);
        while (await timer.WaitForNextTickAsync(ct));
    }

    private async Task SampleAsync(HttpClient engine, DateTimeOffset at, CancellationToken ct)
    {
        try
        {
            var ips = await engine.GetFromJsonAsync<JsonElement>("/api/v1/ips", ct);
            foreach (var ip in ips.GetProperty("items").EnumerateArray())
            {
                var vmta = ip.GetProperty("vmta").GetString()!;
                if (!_ipIds.ContainsKey(vmta) || ip.GetProperty("warmup") is not { ValueKind: JsonValueKind.Object } warmup)
                    continue;
                var groups = IspGroups.All.ToDictionary(g => g, g => warmup.GetProperty("isp_quotas").GetProperty(g.Name()).GetInt32());
                lock (_samples)
                    _samples.Add(new QuotaSample(at, vmta, warmup.GetProperty("daily_quota").GetInt32(), groups,
                        warmup.GetProperty("phase").GetString() != "completed"));
            }
        }
        catch (HttpRequestException)
        {
            // The engine is restarting: the previous sample stays in force.
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            // A slow answer: the next sample comes half an hour later.
        }
    }

    private async Task<List<DayRow>> DayRowsAsync(HttpClient engine, SimulationStack stack, DateTimeOffset dayOne, int day, CancellationToken ct)
    {
        var (from, to) = (dayOne.AddDays(day - 1), dayOne.AddDays(day));
        var attempts = stack.Attempts().Where(a => a.Time >= from && a.Time < to).ToList();
        var complaints = stack.Complaints().Where(c => c.Time >= from && c.Time < to).ToList();
        var rows = new List<DayRow>();
        foreach (var (vmta, id) in _ipIds)
        {
            var mine = attempts.Where(a => a.Vmta == vmta).ToList();
            // The largest quota in force that day; none once the day ends with the plan completed (the engine reports
            // the last step's quota for an active IP, which bounds nothing: a report showing "126/20" read as a breach).
            int? quota;
            lock (_samples)
            {
                var sampled = _samples.Where(s => s.Vmta == vmta && s.At >= from && s.At < to).ToList();
                quota = sampled.Count > 0 && !sampled[^1].Bounded ? null : sampled.Where(s => s.Bounded).Select(s => s.Daily).DefaultIfEmpty(0).Max();
            }
            // Day 1 also shows the plan's start, taken before it.
            var decisions = await DecisionsAsync(engine, id, day == 1 ? DateTimeOffset.MinValue : from + DecisionLag, to + DecisionLag, ct);
            rows.Add(new DayRow(day, vmta, quota, mine.Count(a => a.LeftTheIp), mine.Count(a => a.Outcome == "delivered"),
                mine.Count(a => a.Outcome == "bounced"), complaints.Count(c => c.Vmta == vmta), decisions));
        }
        return rows;
    }

    /// <summary>
    /// How late after midnight a day's verdict may be taken and still belong to that day. The engine pulls the accounting
    /// over SSH before deciding, and a second of real time is hours of virtual time.
    /// </summary>
    private static readonly TimeSpan DecisionLag = TimeSpan.FromHours(12);

    /// <summary>
    /// The engine's decisions taken in (<paramref name="from"/>, <paramref name="to"/>]: for a day, from its noon to the
    /// next noon, so the verdict taken at the midnight that ends it (late by <see cref="DecisionLag"/> at most) is on its row.
    /// </summary>
    private static async Task<string> DecisionsAsync(HttpClient engine, long id, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        try
        {
            var history = (await engine.GetFromJsonAsync<JsonElement>($"/api/v1/ips/{id}/warmup", ct)).GetProperty("history").EnumerateArray();
            return string.Join(",", history.Where(d => d.GetProperty("at").GetDateTimeOffset() is var at && at > from && at <= to)
                .Select(d => d.GetProperty("kind").GetString() + (d.TryGetProperty("group", out var g) && g.ValueKind == JsonValueKind.String ? $":{g.GetString()}" : ""))
                .Reverse().Distinct());
        }
        catch (HttpRequestException)
        {
            return "?";
        }
    }

    /// <summary>When <c>--campaign-day</c> sends each tenant's regular campaign: 10:00, after the night's decisions.</summary>
    private const int CampaignHour = 10;

    /// <summary>
    /// Each tenant's regular campaign, as an operator sends one: its welcome template to its whole list, at 13:00. MailWizz
    /// starts it at <c>send_at</c> and hands PowerMTA only what the delivery servers' quotas allow; the rest waits upstream.
    /// </summary>
    private async Task SendRegularCampaignsAsync(HttpClient engine, IReadOnlyList<string> tenants, TimeProvider clock, CancellationToken ct)
    {
        foreach (var tenant in tenants)
        {
            var templates = await Json(await engine.GetAsync($"/api/v2/templates?tenant={tenant}", ct), HttpStatusCode.OK, $"listing {tenant}'s templates");
            var template = templates.GetProperty("items").EnumerateArray().First().GetProperty("id").GetInt64();
            await Expect(engine.PostAsJsonAsync("/api/v2/campaigns", new
            {
                tenant, name = "newsletter", template_id = template, type = "regular",
                // Three virtual hours (a second of real time at 8 s a day) ahead: it must still be in the future when the engine checks it.
                send_at = clock.GetUtcNow().AddHours(3).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            }, ct), HttpStatusCode.Created, $"sending {tenant}'s regular campaign");
        }
        say($"day {options.CampaignDay} {CampaignHour}h: a regular campaign to each tenant's whole list");
    }

    /// <summary>
    /// Every accepted contact's fate, read upstream first (engine, MailWizz, PowerMTA's spool, the mailboxes): mail only
    /// moves downstream, so a message in flight between two reads is seen twice, never missed.
    /// </summary>
    private async Task<ContactFates> FatesAsync(HttpClient engine, SimulationStack stack, CancellationToken ct)
    {
        var inEngine = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (long? after = 0; after is not null;)
        {
            var page = await engine.GetFromJsonAsync<JsonElement>($"/api/v2/contacts?limit=1000&after={after}", ct);
            foreach (var contact in page.GetProperty("items").EnumerateArray())
            {
                var sync = contact.GetProperty("sync");
                inEngine[contact.GetProperty("email").GetString()!] = contact.GetProperty("status").GetString() == "suppressed" ? "suppressed"
                    : sync.GetProperty("status").GetString() is "pending" && sync.GetProperty("last_error").GetString() is { } reason
                      && reason.StartsWith(Warmup.SendingCapacity.HeldBackReason, StringComparison.Ordinal) ? "held"
                    : sync.GetProperty("status").GetString()!;
            }
            after = page.GetProperty("next_after").ValueKind == JsonValueKind.Number ? page.GetProperty("next_after").GetInt64() : null;
        }
        using var mailwizz = new HttpClient { BaseAddress = stack.MailWizz };
        var state = await mailwizz.GetFromJsonAsync<JsonElement>("/_standin/state", ct);
        var subscribers = state.GetProperty("lists").EnumerateArray().SelectMany(l => l.GetProperty("subscribers").EnumerateArray())
            .Select(s => s.GetProperty("email").GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // A contact's fate is its welcome's; the regular campaigns' messages are counted on their own.
        var regular = state.GetProperty("campaigns").EnumerateArray().Where(c => c.GetProperty("type").GetString() == "regular")
            .Select(c => c.GetProperty("uid").GetString()!).ToHashSet(StringComparer.Ordinal);
        var allMessages = (await mailwizz.GetFromJsonAsync<JsonElement>("/_standin/messages", ct)).EnumerateArray()
            .Select(m => (To: m.GetProperty("To").GetString()!.ToLowerInvariant(), Campaign: m.GetProperty("CampaignUid").GetString()!, State: m.GetProperty("State").GetString()!,
                Sends: new MailWizzSends(m.GetProperty("Attempts").GetInt32(), m.GetProperty("InDoubt").GetBoolean())))
            .ToList();
        var messages = allMessages.Where(m => !regular.Contains(m.Campaign)).GroupBy(m => m.To)
            .ToDictionary(g => g.Key, g => g.Select(m => m.State).ToList(), StringComparer.OrdinalIgnoreCase);
        var allSpooled = stack.Spooled();
        var spooled = allSpooled.Where(d => !regular.Contains(d.Campaign)).Select(d => d.Rcpt).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var allAttempts = stack.Attempts();
        var attempts = allAttempts.Where(a => !regular.Contains(a.Campaign)).GroupBy(a => a.Rcpt).ToDictionary(g => g.Key, g => g.Select(a => a.Outcome).ToHashSet());
        var allReceived = stack.Received();
        var received = allReceived.Where(r => !regular.Contains(r.Copy.Campaign)).Select(r => r.Copy.Rcpt).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var fates = new Dictionary<string, int>();
        var lost = new List<string>();
        foreach (var email in _accepted.Keys)
        {
            var key = email.ToLowerInvariant();
            var fate = received.Contains(key) ? "delivered"
                : attempts.GetValueOrDefault(key) is { } outcomes && outcomes.Contains("bounced") ? "bounced"
                : attempts.GetValueOrDefault(key) is { } expired && expired.Contains("expired") ? "expired in PowerMTA"
                : spooled.Contains(key) ? "waiting in PowerMTA's queue"
                : messages.GetValueOrDefault(key) is { } states && states.Any(s => s is "queued" or "sending") ? "waiting in MailWizz"
                : messages.GetValueOrDefault(key) is { } failed && failed.Contains("failed") ? "refused by PowerMTA (MailWizz failed)"
                : subscribers.Contains(key) && !messages.ContainsKey(key) ? "waiting in MailWizz"
                : inEngine.GetValueOrDefault(email) is "held" ? "waiting in the engine (held for capacity)"
                : inEngine.GetValueOrDefault(email) is "pending" ? "waiting in the engine (not pushed yet)"
                : inEngine.GetValueOrDefault(email) is "suppressed" ? "suppressed by the engine"
                : "LOST";
            fates[fate] = fates.GetValueOrDefault(fate) + 1;
            if (fate is "LOST" or "refused by PowerMTA (MailWizz failed)")
                lost.Add(email);
        }
        var receivedRegular = allReceived.Select(r => r.Copy).Where(d => regular.Contains(d.Campaign)).ToHashSet();
        lost.AddRange(allMessages.Where(m => regular.Contains(m.Campaign) && m.State == "failed").Select(m => $"{m.To} (regular campaign)"));
        var regularFates = allMessages.Where(m => regular.Contains(m.Campaign))
            .Select(m => receivedRegular.Contains(new CampaignCopy(m.To, m.Campaign)) ? "delivered"
                : allSpooled.Contains(new CampaignCopy(m.To, m.Campaign)) ? "waiting in PowerMTA's queue"
                : m.State is "queued" or "sending" ? "waiting in MailWizz" : m.State)
            .GroupBy(f => f).ToDictionary(g => g.Key, g => g.Count());
        // A handoff takes milliseconds; a real second on the virtual clock leaves room for a busy machine.
        var receivedTwice = ReceivedTwiceCheck.Find(allReceived, allMessages.GroupBy(m => new CampaignCopy(m.To, m.Campaign))
            .ToDictionary(g => g.Key, g => new MailWizzSends(g.Sum(m => m.Sends.Attempts), g.Any(m => m.Sends.InDoubt))),
            _kills, TimeSpan.FromSeconds(options.Speed));
        return new ContactFates(_accepted.Count, fates, lost, receivedTwice.Where(r => r.CutBy is null).Select(r => r.Copy.Rcpt).ToList(),
            allAttempts.Where(a => a.Outcome == "expired").Select(a => new CampaignCopy(a.Rcpt, a.Campaign)).Distinct().Count())
        {
            Regular = regularFates,
            ResentAfterKill = receivedTwice.Where(r => r.CutBy is not null).Select(r => $"{r.Copy.Rcpt}: {r.CutBy}").ToList(),
            RegularDays = allAttempts.Where(a => regular.Contains(a.Campaign) && a.LeftTheIp)
                .Select(a => SimulationStack.SendingDayOf(a.Time)).Distinct().Order().ToList(),
        };
    }

    private async Task<Dictionary<string, string>> FinalStatusAsync(HttpClient engine, CancellationToken ct)
    {
        var ips = await engine.GetFromJsonAsync<JsonElement>("/api/v1/ips", ct);
        return ips.GetProperty("items").EnumerateArray().ToDictionary(ip => ip.GetProperty("vmta").GetString()!,
            ip => ip.GetProperty("status").GetString() + (ip.GetProperty("warmup") is { ValueKind: JsonValueKind.Object } w
                ? $" (plan {w.GetProperty("plan").GetString()}, sending day {w.GetProperty("sending_day").GetInt32()}, {w.GetProperty("phase").GetString()})" : ""));
    }

    private static async Task WaitUntilAsync(TimeProvider clock, DateTimeOffset virtualTime, CancellationToken ct)
    {
        var wait = virtualTime - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, clock, ct);
    }

    private static async Task Expect(Task<HttpResponseMessage> call, HttpStatusCode expected, string doing) => await Json(await call, expected, doing);

    private static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected, string doing)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != expected)
            throw new InvalidOperationException($"{doing}: the engine answered {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }
}
