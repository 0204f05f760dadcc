using SimulationClock;

namespace PmtaStandIn.Daemon;

/// <summary>
/// The daemon's core: queues fed by SMTP intake, a dispatcher that releases recipients as retries come due and paces
/// allow, simulated delivery to the scenario's mailbox providers, and the logs and accounting records of each outcome.
/// One lock guards all state; every file write happens under it, in the order that makes a kill recoverable.
/// </summary>
public sealed class Mta : IDisposable
{
    /// <summary>How much send history a pace keeps: longer than any window a config is expected to use (N/d, N/2d).</summary>
    private static readonly TimeSpan PaceRetention = TimeSpan.FromDays(8);
    /// <summary>How long a simulated SMTP transaction occupies one of the queue's max-smtp-out connections.</summary>
    private static readonly TimeSpan TransactionTime = TimeSpan.FromSeconds(2);
    /// <summary>The dispatcher looks again at least this often (midnight rotation, backoff-to-normal).</summary>
    private static readonly TimeSpan LongestNap = TimeSpan.FromMinutes(1);

    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private readonly string _configPath;
    private readonly Spool _spool;
    private readonly DeliveryLog _log;
    private readonly Accounting _accounting = new();
    private readonly MailboxSimulator _mailboxes;
    private readonly Dictionary<string, DeliveryQueue> _queues = [];
    private readonly Dictionary<string, QueueSettings> _settings = [];
    private readonly Dictionary<string, SendHistory> _queuePace = [];
    private readonly Dictionary<string, SendHistory> _vmtaPace = [];
    private readonly Dictionary<string, int> _roundRobin = [];
    private readonly PriorityQueue<AcctRecord, DateTimeOffset> _complaints = new();
    private readonly SemaphoreSlim _wake = new(0);
    private DaemonConfig _config;
    private int _firstQueue;

    public Mta(string configPath, string stateDirectory, Scenario scenario, TimeProvider clock)
    {
        (_clock, _configPath) = (clock, configPath);
        _config = DaemonConfig.Load(configPath);
        StartupTime = Now;
        _spool = new Spool(Path.Combine(stateDirectory, "spool"));
        _log = new DeliveryLog(stateDirectory);
        _accounting.Configure(_config.AcctFiles, StartupTime);
        _mailboxes = new MailboxSimulator(scenario, clock is ScaledTimeProvider scaled ? scaled.VirtualStart : StartupTime);
        Recover();
    }

    public DateTimeOffset StartupTime { get; }
    public TrafficMeter In { get; } = new();
    public TrafficMeter Out { get; } = new();

    public DaemonConfig Config
    {
        get { lock (_gate) return _config; }
    }

    /// <summary>The virtual time, to the millisecond, so what the logs say is exactly what the paces counted.</summary>
    public DateTimeOffset Now
    {
        get
        {
            var now = _clock.GetUtcNow().UtcTicks;
            return new DateTimeOffset(now - now % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        }
    }

    /// <summary>Re-reads the config; on error the previous one stays in force and the exception says why.</summary>
    public void Reload()
    {
        var config = DaemonConfig.Load(_configPath);
        lock (_gate)
        {
            _config = config;
            _settings.Clear();
            _accounting.Configure(config.AcctFiles, Now);
        }
        Wake();
    }

    /// <summary>A VMTA by name, or the next member of a pool by name; null when neither exists or the pool has no member.</summary>
    public (string Vmta, string? Pool)? SelectVmta(string name)
    {
        lock (_gate)
        {
            if (_config.Pools.TryGetValue(name, out var pool))
                // A pool whose members were all taken out (every IP stopped) has no VMTA to give: refused as an unknown one.
                return pool.Members.Count == 0 ? null : (pool.Members[NextIndex("pool:" + pool.Name, pool.Members.Count)], pool.Name);
            return _config.VirtualMtas.TryGetValue(name, out var vmta) ? (vmta.Name, null) : null;
        }
    }

    /// <summary>Spools the recipients durably, then queues them: the caller answers 250 only after this returns.</summary>
    public void Accept(IReadOnlyList<SpoolEntry> entries, byte[] message)
    {
        _spool.Store(entries, message);
        lock (_gate)
        {
            foreach (var entry in entries)
                Enqueue(new PendingRecipient(entry), entry.TimeQueued);
            In.Record(Now, entries.Count, 1, message.Length);
        }
        Wake();
    }

    public List<QueueSnapshot> Queues()
    {
        lock (_gate)
            return _queues.Values.OrderBy(q => q.Name, StringComparer.Ordinal)
                .Select(q => new QueueSnapshot(q.Name, q.Domain, q.Vmta, q.Recipients, q.Bytes / 1024, q.InBackoff ? "backoff" : "normal", q.Paused, q.InFlight))
                .ToList();
    }

    /// <summary>`pause queue` / `resume queue` for `domain/vmta` patterns where either side may be `*`.</summary>
    public int SetPaused(string pattern, bool paused)
    {
        var (domain, vmta) = pattern.Split('/') is [var d, var v] ? (d, v) : (pattern, "*");
        bool Matches(string wanted, string actual) => wanted == "*" || wanted.Equals(actual, StringComparison.OrdinalIgnoreCase);
        int count;
        lock (_gate)
        {
            var matching = _queues.Values.Where(q => Matches(domain, q.Domain) && Matches(vmta, q.Vmta)).ToList();
            matching.ForEach(q => q.Paused = paused);
            count = matching.Count;
        }
        Wake();
        return count;
    }

    public int OpenDeliveries
    {
        get { lock (_gate) return _queues.Values.Sum(q => q.InFlight); }
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan nap;
            lock (_gate)
            {
                var now = Now;
                nap = Dispatch(now, stopping) - now;
            }
            if (nap <= TimeSpan.Zero)
                continue;
            using var napOver = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            await Task.WhenAny(Task.Delay(nap, _clock, napOver.Token), _wake.WaitAsync(napOver.Token));
            await napOver.CancelAsync();
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
            _wake.Release();
    }

    /// <summary>Starts every delivery that is due and allowed; returns when to look again.</summary>
    private DateTimeOffset Dispatch(DateTimeOffset now, CancellationToken stopping)
    {
        _accounting.RotateIfDue(now);
        var next = now + LongestNap;
        next = Min(next, WriteDueComplaints(now));
        var queues = _queues.Values.ToList();
        _firstQueue = queues.Count == 0 ? 0 : (_firstQueue + 1) % queues.Count; // VMTA-wide paces are shared fairly
        foreach (var queue in queues.Skip(_firstQueue).Concat(queues.Take(_firstQueue)))
        {
            var settings = SettingsFor(queue);
            if (queue.InBackoff && settings.BackoffToNormalAfter is { } toNormal && now - queue.BackoffSince >= toNormal)
                queue.LeaveBackoff();
            if (queue.Paused)
                continue;
            var rate = queue.InBackoff ? settings.BackoffMaxMsgRate : settings.MaxMsgRate;
            var maxSmtpOut = queue.InBackoff ? settings.BackoffMaxSmtpOut : settings.MaxSmtpOut;
            var vmta = _config.VirtualMtas.GetValueOrDefault(queue.Vmta);
            var vmtaRate = vmta?.MaxSmtpMsgRate ?? Rate.Unlimited;
            while (queue.InFlight < maxSmtpOut && queue.Waiting.TryPeek(out var pending, out var due))
            {
                if (due > now)
                {
                    next = Min(next, due);
                    break;
                }
                if (now >= ExpiresAt(pending.Entry, settings))
                {
                    queue.Waiting.Dequeue();
                    Expire(queue, pending, now);
                    continue;
                }
                var allowedAt = Max(Pace(_queuePace, queue.Name).EarliestNext(rate, now), Pace(_vmtaPace, queue.Vmta).EarliestNext(vmtaRate, now));
                if (allowedAt > now)
                {
                    next = Min(next, allowedAt);
                    break;
                }
                queue.Waiting.Dequeue();
                RecordSend(queue.Name, queue.Vmta, now);
                queue.InFlight++;
                var sourceIp = vmta is { SourceIps.Count: > 0 } ? vmta.SourceIps[NextIndex("ip:" + vmta.Name, vmta.SourceIps.Count)] : "127.0.0.1";
                _ = DeliverAsync(queue, pending, now, sourceIp, stopping);
            }
        }
        return next;
    }

    private async Task DeliverAsync(DeliveryQueue queue, PendingRecipient pending, DateTimeOffset sentAt, string sourceIp, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(TransactionTime, _clock, stopping);
            lock (_gate)
                Complete(queue, pending, _mailboxes.Attempt(pending.Entry, queue.Vmta, sourceIp, pending.Attempts + 1, sentAt), sentAt, sourceIp);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the recipient is still in the spool and is retried after the restart.
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"pmtad: delivery of {pending.Entry.Id} failed: {e}");
            lock (_gate)
                queue.Waiting.Enqueue(pending, Now + TimeSpan.FromMinutes(1));
        }
        finally
        {
            lock (_gate)
                queue.InFlight--;
            Wake();
        }
    }

    private void Complete(DeliveryQueue queue, PendingRecipient pending, RemoteReply reply, DateTimeOffset sentAt, string sourceIp)
    {
        var entry = pending.Entry;
        var now = Now;
        pending.Attempts++;
        var outcome = reply.Accepted ? "delivered" : reply.Permanent ? "bounced" : "deferred";
        var category = BounceCategories.Classify(reply.Text);
        // The mailbox's copy is written first: after a kill, the restart finds it and does not deliver again.
        if (reply.Accepted)
            _log.Append(new MailboxReceipt(sentAt, entry.Rcpt, entry.Id, entry.Header("Message-ID"), queue.Vmta, sourceIp, entry.Header("X-Virtual-MTA"),
                entry.TimeQueued));
        _log.Append(new DeliveryAttempt(sentAt, queue.Vmta, sourceIp, queue.Name, entry.Rcpt, entry.Domain, outcome, reply.Text,
            reply.Accepted ? "" : category, pending.Attempts, entry.Id, entry.Header("Message-ID"), EeHeaders(entry)));
        var (type, action) = reply.Accepted ? ("d", "relayed") : reply.Permanent ? ("b", "failed") : ("t", "delayed");
        _accounting.Write([AccountingRecord(type, entry, queue.Vmta, sourceIp, now, BounceCategories.StatusCode(reply.Text), reply.Text, category, action)], now);
        if (reply.Accepted || reply.Permanent)
        {
            _spool.Remove(entry.Id);
            if (reply.Accepted)
                Out.Record(now, 1, 1, entry.Size);
            if (reply.ComplaintAfter is { } after)
                _complaints.Enqueue(FeedbackRecord(entry, queue.Vmta, sourceIp, sentAt + after), sentAt + after);
            return;
        }

        pending.LastReply = reply.Text;
        var settings = SettingsFor(queue);
        var rule = _config.MatchReply(settings.SmtpPatternList, reply.Text);
        if (rule is null ? reply.Code == 421 : rule.Actions.Contains("mode=backoff", StringComparer.OrdinalIgnoreCase))
            queue.EnterBackoff(now);
        else if (rule is not null && rule.Actions.Contains("mode=normal", StringComparer.OrdinalIgnoreCase))
            queue.LeaveBackoff();
        var delays = queue.InBackoff ? settings.BackoffRetryAfter : settings.RetryAfter;
        Enqueue(pending, Min(now + delays[Math.Min(pending.Attempts - 1, delays.Length - 1)], ExpiresAt(entry, settings)));
    }

    /// <summary>`bounce-after` passed: a `b` record with 4.4.7 / message-expired, as PowerMTA writes for expired mail.</summary>
    private void Expire(DeliveryQueue queue, PendingRecipient pending, DateTimeOffset now)
    {
        var entry = pending.Entry;
        var diag = pending.LastReply ?? "554 4.4.7 Message expired before a delivery attempt";
        _log.Append(new DeliveryAttempt(now, queue.Vmta, "", queue.Name, entry.Rcpt, entry.Domain, "expired", diag, "message-expired",
            pending.Attempts, entry.Id, entry.Header("Message-ID"), EeHeaders(entry)));
        _accounting.Write([AccountingRecord("b", entry, queue.Vmta, "", now, "4.4.7", diag, "message-expired", "failed")], now);
        _spool.Remove(entry.Id);
    }

    private DateTimeOffset WriteDueComplaints(DateTimeOffset now)
    {
        var due = new List<AcctRecord>();
        while (_complaints.TryPeek(out var record, out var at) && at <= now)
            due.Add(_complaints.Dequeue());
        if (due.Count > 0)
            _accounting.Write(due, now);
        return _complaints.TryPeek(out _, out var nextAt) ? nextAt : DateTimeOffset.MaxValue;
    }

    /// <summary>
    /// After a restart: paces rebuilt from the attempts in deliveries.csv (so a restart never lets a queue burst),
    /// finished spool files removed, and a recipient the mailbox received just before a kill recorded instead of resent.
    /// </summary>
    private void Recover()
    {
        foreach (var attempt in _log.Attempts.Where(a => a.WasSent))
            RecordSend(attempt.Queue, attempt.Vmta, attempt.Time);
        var finished = _log.Attempts.Where(a => a.IsFinal).Select(a => a.SpoolId).ToHashSet();
        var received = _log.Receipts.GroupBy(r => r.SpoolId).ToDictionary(g => g.Key, g => g.First());
        foreach (var entry in _spool.Load())
        {
            if (finished.Contains(entry.Id))
                _spool.Remove(entry.Id);
            else if (received.TryGetValue(entry.Id, out var receipt))
            {
                const string reply = "250 2.0.0 Ok (received before the restart)";
                _log.Append(new DeliveryAttempt(receipt.Time, receipt.Vmta, receipt.SourceIp, $"{entry.Domain}/{receipt.Vmta}", entry.Rcpt, entry.Domain,
                    "delivered", reply, "", 1, entry.Id, receipt.MessageId, EeHeaders(entry)));
                RecordSend($"{entry.Domain}/{receipt.Vmta}", receipt.Vmta, receipt.Time);
                _accounting.Write([AccountingRecord("d", entry, receipt.Vmta, receipt.SourceIp, Now, "2.0.0", reply, "success", "relayed")], Now);
                _spool.Remove(entry.Id);
            }
            else
                Enqueue(new PendingRecipient(entry), StartupTime);
        }
    }

    private void Enqueue(PendingRecipient pending, DateTimeOffset due)
    {
        var name = pending.Entry.Queue;
        if (!_queues.TryGetValue(name, out var queue))
            _queues[name] = queue = new DeliveryQueue(pending.Entry.Domain, pending.Entry.Vmta);
        queue.Waiting.Enqueue(pending, due);
    }

    private void RecordSend(string queue, string vmta, DateTimeOffset at)
    {
        Pace(_queuePace, queue).Record(at, PaceRetention);
        Pace(_vmtaPace, vmta).Record(at, PaceRetention);
    }

    private static SendHistory Pace(Dictionary<string, SendHistory> paces, string key) =>
        paces.TryGetValue(key, out var history) ? history : paces[key] = new SendHistory();

    private QueueSettings SettingsFor(DeliveryQueue queue) =>
        _settings.TryGetValue(queue.Name, out var settings) ? settings : _settings[queue.Name] = _config.ForQueue(queue.Domain, queue.Vmta);

    private int NextIndex(string key, int count)
    {
        var index = _roundRobin.GetValueOrDefault(key);
        _roundRobin[key] = (index + 1) % count;
        return index % count;
    }

    private static DateTimeOffset ExpiresAt(SpoolEntry entry, QueueSettings settings) =>
        settings.BounceAfter >= DateTimeOffset.MaxValue - entry.TimeQueued ? DateTimeOffset.MaxValue : entry.TimeQueued + settings.BounceAfter;

    private static string EeHeaders(SpoolEntry entry) =>
        string.Join(';', entry.Headers.Where(h => h.Name.StartsWith("X-EE-", StringComparison.OrdinalIgnoreCase)).Select(h => $"{h.Name}={h.Value}"));

    private AcctRecord AccountingRecord(string type, SpoolEntry entry, string vmta, string sourceIp, DateTimeOffset now,
        string statusCode, string reply, string category, string dsnAction) =>
        new(type, new Dictionary<string, string>
        {
            ["timeLogged"] = AccountingFields.Time(now),
            ["timeQueued"] = AccountingFields.Time(entry.TimeQueued),
            ["orig"] = entry.MailFrom,
            ["rcpt"] = entry.Rcpt,
            ["dsnAction"] = dsnAction,
            ["dsnStatus"] = BounceCategories.DsnStatus(statusCode),
            ["dsnDiag"] = "smtp;" + reply,
            ["dsnMta"] = $"mx.{entry.Domain} (192.0.2.25)",
            ["bounceCat"] = category,
            ["srcType"] = "smtp",
            ["srcMta"] = $"[{entry.ClientIp}] ({entry.ClientIp})",
            ["dlvType"] = "smtp",
            ["dlvSourceIp"] = sourceIp,
            ["dlvDestinationIp"] = sourceIp.Length > 0 ? "192.0.2.25" : "",
            ["dlvEsmtpAvailable"] = sourceIp.Length > 0 ? "8BITMIME,PIPELINING,SIZE,STARTTLS" : "",
            ["dlvSize"] = entry.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["vmta"] = vmta,
            ["jobId"] = entry.Header("X-Job"),
            ["queue"] = $"{entry.Domain}/{vmta}",
            ["vmtaPool"] = entry.Pool ?? "",
        }, entry.Headers);

    private static AcctRecord FeedbackRecord(SpoolEntry entry, string vmta, string sourceIp, DateTimeOffset at) =>
        new("f", new Dictionary<string, string>
        {
            ["timeLogged"] = AccountingFields.Time(at),
            ["orig"] = entry.MailFrom,
            ["rcpt"] = entry.Rcpt,
            ["feedbackType"] = "abuse",
            ["format"] = "arf",
            ["userAgent"] = $"{entry.Domain}-fbl/1.0",
            ["reportingMta"] = $"dns;fbl.{entry.Domain}",
            ["reportedDomain"] = entry.MailFrom[(entry.MailFrom.LastIndexOf('@') + 1)..],
            ["repSourceIp"] = sourceIp,
            ["vmta"] = vmta,
            ["jobId"] = entry.Header("X-Job"),
            ["queue"] = $"{entry.Domain}/{vmta}",
        }, entry.Headers);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public void Dispose()
    {
        _log.Dispose();
        _accounting.Dispose();
    }
}

public sealed record QueueSnapshot(string Name, string Domain, string Vmta, int Rcp, long Kb, string Mode, bool Paused, int Connections);
