using System.Threading.Channels;
using EmailEngine.Contacts.Validation;
using EmailEngine.Data;
using EmailEngine.Hosting;
using EmailEngine.Http;
using EmailEngine.Outbox;
using EmailEngine.Suppressions;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.Contacts;

/// <summary>
/// A validated contact on its way to the database: what <see cref="RegisterContact"/> hands to <see cref="ContactWriter"/>.
/// <paramref name="Language"/> is the request's, normalized; null takes the tenant's default.
/// </summary>
public sealed record ContactIntake(
    long TenantId, CreateContactRequest Request, string Address, EmailFlags Flags, string? Language,
    IReadOnlyList<(string Type, string? Detail)> Events, DateTimeOffset At)
{
    public string Key { get; } = Address.ToLowerInvariant();
    public Guid KeyHash { get; } = Contact.KeyHashOf(Address.ToLowerInvariant());
}

/// <summary>The stored contact, whether the request created it, and the events it recorded.</summary>
public sealed record ContactWritten(Contact Contact, bool IsNew, IReadOnlyList<ContactEvent> Recorded);

/// <summary>
/// Steps 2–5 of the contact workflow for every intake request. The contacts waiting at one moment are written
/// together: one query each for their tenants, suppressions, welcome choices and known rows, then one transaction (on
/// PostgreSQL, a group of new contacts is one statement: <see cref="NewContactRows"/>), where one at a time cost about
/// ten round trips per contact (docs/contacts-and-import.md, "Intake under load").
/// Nothing waits on purpose: a lone contact is written at once, and under load the next group forms while the previous
/// one commits. A request is answered only after its group has committed, so an answered contact is never lost; a
/// group that fails is written again one contact at a time, so one contact's problem stays its own.
/// </summary>
public sealed class ContactWriter(IServiceScopeFactory scopes, DatabaseTarget database, ILogger<ContactWriter> log) : BackgroundService
{
    private const int MaxGroup = 64;

    private sealed record Pending(ContactIntake Intake, TaskCompletionSource<Result<ContactWritten>> Done);

    /// <summary>
    /// On PostgreSQL two writers, so one group's reads overlap the other's commit (bench intake: ratio to the GET baseline
    /// 0.61 → 0.73); SQLite writes one transaction at a time, and a second writer only made the groups wait for each
    /// other (0.29 → 0.25). An address always goes to the same writer (by its key hash), so repeats of a contact are
    /// still written one after the other.
    /// </summary>
    private readonly Channel<Pending>[] queues = Enumerable.Range(0, database.Provider == DatabaseProvider.Postgres ? 2 : 1)
        .Select(_ => Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true })).ToArray();

    /// <summary>Which writer an address goes to: always the same one for one address.</summary>
    public static int QueueOf(Guid keyHash, int writers) => (keyHash.GetHashCode() & int.MaxValue) % writers;

    public async Task<Result<ContactWritten>> WriteAsync(ContactIntake intake, CancellationToken ct)
    {
        var pending = new Pending(intake, new TaskCompletionSource<Result<ContactWritten>>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!queues[QueueOf(intake.KeyHash, queues.Length)].Writer.TryWrite(pending))
            return new Failure.Unavailable("The engine is stopping; send the contact again in a moment.");
        // A caller that goes away stops waiting; its contact is still written (intake answers 202 at least once).
        return await pending.Done.Task.WaitAsync(ct);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(queues.Select(DrainAsync));

    private async Task DrainAsync(Channel<Pending> queue)
    {
        // Not cancelled by the stop: contacts already taken in are written, their callers are waiting for the answer.
        var group = new List<Pending>(MaxGroup);
        while (await queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (group.Count < MaxGroup && queue.Reader.TryRead(out var next))
                group.Add(next);
            await WriteGroupAsync(group);
            group.Clear();
        }
    }

    public override Task StopAsync(CancellationToken cancellationToken)
    {
        // The web server has stopped taking requests by now (it stops first), so this only lets the queue run dry.
        foreach (var queue in queues)
            queue.Writer.TryComplete();
        return base.StopAsync(cancellationToken);
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        // A contact appears once per transaction: a repeat of it goes in the next round and finds the first one stored.
        var rounds = group.GroupBy(p => (p.Intake.TenantId, p.Intake.KeyHash))
            .SelectMany(same => same.Select((pending, repeat) => (pending, repeat)))
            .GroupBy(x => x.repeat, x => x.pending);
        foreach (var round in rounds)
        {
            var items = round.ToList();
            if (items.Count == 1)
            {
                await WriteAloneAsync(items[0]);
                continue;
            }
            try
            {
                var written = await WriteRoundAsync(items.Select(p => p.Intake).ToList());
                for (var i = 0; i < items.Count; i++)
                    items[i].Done.TrySetResult(written[i]);
            }
            catch (Exception e)
            {
                log.LogWarning(e, "A group of {Count} contacts could not be written together; writing them one at a time", items.Count);
                foreach (var item in items)
                    await WriteAloneAsync(item);
            }
        }
    }

    private async Task WriteAloneAsync(Pending pending)
    {
        try
        {
            pending.Done.TrySetResult((await WriteRoundAsync([pending.Intake]))[0]);
        }
        catch (Exception e) when (UniqueViolation.Caused(e))
        {
            // Another writer (a second engine, an import) stored the same address between our read and our insert.
            pending.Done.TrySetResult(new Failure.Conflict("The same contact was submitted concurrently; send it again to update it."));
        }
        catch (Exception e)
        {
            pending.Done.TrySetException(e);
        }
    }

    private async Task<List<ContactWritten>> WriteRoundAsync(IReadOnlyList<ContactIntake> intakes)
    {
        var ct = CancellationToken.None;
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var db = services.GetRequiredService<AppDbContext>();
        var welcome = services.GetRequiredService<WelcomeWorkflow>();
        var outbox = services.GetRequiredService<OutboxWriter>();

        var tenantIds = intakes.Select(i => i.TenantId).Distinct().ToList();
        var tenants = await db.Set<Tenant>().AsNoTracking().Where(t => tenantIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, ct);
        var languages = intakes.Select(i => i.Language ?? tenants[i.TenantId].DefaultLanguage).ToList();
        var suppressions = await services.GetRequiredService<SuppressionService>()
            .MatchesManyAsync(intakes.Select(i => (i.TenantId, i.Address)).ToList(), ct);
        // Welcome choices first: creating a tenant's built-in welcome saves, and must not save half of this group with it.
        var choices = new Dictionary<(long, string), WelcomeWorkflow.Choice>();
        for (var i = 0; i < intakes.Count; i++)
        {
            var key = (intakes[i].TenantId, languages[i]);
            if (suppressions[(intakes[i].TenantId, intakes[i].Address)].Count == 0 && !choices.ContainsKey(key))
                choices[key] = await welcome.ChooseAsync(tenants[intakes[i].TenantId], languages[i], ct);
        }
        var hashes = intakes.Select(i => i.KeyHash).ToList();
        // Read untracked, and a known contact attached below for its update: a group of new contacts finds nothing here,
        // and its rows are then written without EF.
        // By key hash alone, the tenants matched here: with `tenant_id = ANY(…)` in the statement, PostgreSQL's cached
        // generic plan could settle on the primary key (tenant_id, id) and read every contact of the tenant for each
        // group (90 million rows read in one intake benchmark, half the throughput). Key hashes only match through
        // their own index.
        var known = (await db.Set<Contact>().AsNoTracking().Where(c => hashes.Contains(c.KeyHash)).ToListAsync(ct))
            .Where(c => tenantIds.Contains(c.TenantId)).ToDictionary(c => (c.TenantId, c.KeyHash));
        // New contacts only, on PostgreSQL: one statement writes them without EF (NewContactRows).
        var insertDirectly = database.Provider == DatabaseProvider.Postgres && known.Count == 0;

        var written = new List<(Contact Contact, bool IsNew, List<(string Type, string? Detail)> Events, DateTimeOffset At)>();
        foreach (var (intake, language) in intakes.Zip(languages))
        {
            var contact = known.GetValueOrDefault((intake.TenantId, intake.KeyHash));
            var isNew = contact is null;
            if (!isNew)
                db.Attach(contact!);
            contact ??= new Contact
            {
                TenantId = intake.TenantId, Email = intake.Address, EmailKey = intake.Key, KeyHash = intake.KeyHash, Language = language,
                CreatedAt = intake.At,
            };
            RegisterContact.Apply(contact, intake.Request, language, intake.Flags, intake.At);
            var suppressed = suppressions[(intake.TenantId, intake.Address)];
            contact.Status = suppressed.Count > 0 ? ContactStatus.Suppressed : ContactStatus.Active;
            if (isNew && !insertDirectly)
                db.Add(contact);
            var events = new List<(string Type, string? Detail)>(intake.Events) { (isNew ? "stored" : "updated", null) };
            if (suppressed.Count > 0)
                events.Add(("suppressed", string.Join(", ", suppressed.Select(s => $"{(s.TenantId is null ? "global" : "tenant")}:{SuppressionReasons.ToWire(s.Reason)}"))));
            else
            {
                var choice = choices[(intake.TenantId, language)];
                contact.WelcomeCampaignId = choice.Campaign.Id;
                contact.Sync.MarkPending();
                events.Add(("template_chosen", $"{choice.Template.Name} ({choice.Template.Language}) via {choice.Path}"));
                events.Add(("autoresponder_chosen", choice.Campaign.Name));
                events.Add(("queued", "subscribe in MailWizz"));
            }
            written.Add((contact, isNew, events, intake.At));
        }

        var recorded = written.Select(w => w.Events.Select(e => new ContactEvent { At = w.At, Type = e.Type, Detail = e.Detail }).ToList()).ToList();
        if (insertDirectly)
            await NewContactRows.InsertAsync(db, written.Select((w, i) => (w.Contact, (IReadOnlyList<ContactEvent>)recorded[i])).ToList(),
                services.GetRequiredService<TimeProvider>().GetUtcNow(), ct);
        else
            await outbox.SaveWithPushAsync(async token =>
            {
                // The contacts have their ids now: the events and the pushes name them.
                for (var i = 0; i < written.Count; i++)
                {
                    foreach (var e in recorded[i])
                        e.ContactId = written[i].Contact.Id;
                    db.AddRange(recorded[i]);
                }
                var active = written.Where(w => w.Contact.Status == ContactStatus.Active).ToList();
                // A new contact has no older push to supersede: no need to look for one inside the write transaction.
                ContactSync.EnqueueNew(outbox, active.Where(w => w.IsNew).Select(w => w.Contact).ToList());
                await ContactSync.EnqueueAsync(outbox, active.Where(w => !w.IsNew).Select(w => w.Contact).ToList(), token);
            }, ct);
        return written.Select((w, i) => new ContactWritten(w.Contact, w.IsNew, recorded[i])).ToList();
    }
}
