using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Contacts;
using EmailEngine.Data;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using EmailEngine.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EmailEngine.Tests.Contacts;

/// <summary>
/// Intake writes the contacts waiting at one moment together (<see cref="ContactWriter"/>). Grouping must change
/// nothing a request sees: every contact stored with its own timeline and push, repeats of one address applied one
/// after the other, and one contact the database refuses failing alone.
/// </summary>
public sealed class ContactWriterTests
{
    [Theory]
    [InlineData(Provider.Postgres)]
    [InlineData(Provider.Sqlite)]
    public async Task A_burst_with_repeats_of_one_address_stores_every_contact_and_every_repeat(Provider provider)
    {
        await using var engine = await EngineServer.StartAsync(provider, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        await PostAsync(client, "first@burst.example.com");

        var distinct = Enumerable.Range(0, 48).Select(i => PostAsync(client, $"c{i}@burst.example.com"));
        var repeats = Enumerable.Range(0, 8).Select(i => PostAsync(client, "Same@Burst.example.com", new Dictionary<string, string> { [$"F{i}"] = $"v{i}" }));
        var answers = await Task.WhenAll(distinct.Concat(repeats));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.Accepted, $"{(int)a.Status}: {a.Body}"));
        using var scope = engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var tenant = await db.Set<Tenant>().SingleAsync(t => t.Slug == "burst");
        var contacts = await db.Set<Contact>().Where(c => c.TenantId == tenant.Id).ToListAsync();
        Assert.Equal(50, contacts.Count);
        // Each repeat added its own field: none was lost to another's write.
        var same = contacts.Single(c => c.EmailKey == "same@burst.example.com");
        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"F{i}").Order(), JsonSerializer.Deserialize<Dictionary<string, string>>(same.Fields)!.Keys.Order());
        var sameEvents = await db.Set<ContactEvent>().Where(e => e.ContactId == same.Id).Select(e => e.Type).ToListAsync();
        Assert.Equal(1, sameEvents.Count(t => t == "stored"));
        Assert.Equal(7, sameEvents.Count(t => t == "updated"));
        // Every contact has its push queued, and each answer named its own contact.
        var pushed = await db.Set<OutboxMessage>().Where(m => m.Kind == ContactSync.Kind).Select(m => m.ResourceKey).Distinct().ToListAsync();
        Assert.Equal(contacts.Select(c => ContactSync.ResourceKey(c.Id)).Order(), pushed.Order());
        var answeredIds = answers.Select(a => a.Id).Distinct().Count();
        Assert.Equal(49, answeredIds);
    }

    [Fact]
    public async Task A_contact_the_database_refuses_fails_alone_and_its_group_is_stored()
    {
        var log = new LogCapture();
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" },
            extraServices: services => services.AddSingleton<ILoggerProvider>(log));
        using var client = engine.Client();
        await PostAsync(client, "first@poison.example.com"); // the tenant and its welcome autoresponder exist from here on
        using (var scope = engine.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.ExecuteSqlRawAsync("""
                CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
                BEGIN IF NEW.email = 'poison@poison.example.com' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER refuse_poison BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION refuse_poison();
                """);
        }

        // Inserts wait behind a table lock, so the requests sent meanwhile queue up and are written as one group. Each of
        // the two PostgreSQL writers is first kept busy by a contact of its own; the group all goes to the poison's writer.
        static int WriterOf(string email) => ContactWriter.QueueOf(Contact.KeyHashOf(email), 2);
        var blockers = Enumerable.Range(0, 64).Select(i => $"blocked{i}@poison.example.com")
            .GroupBy(WriterOf).Select(w => w.First()).ToList();
        Assert.Equal(2, blockers.Count);
        var companions = Enumerable.Range(0, 200).Select(i => $"c{i}@poison.example.com")
            .Where(e => WriterOf(e) == WriterOf("poison@poison.example.com")).Take(19).ToList();
        using var lockScope = engine.Services.CreateScope();
        var lockDb = lockScope.ServiceProvider.GetRequiredService<AppDbContext>();
        var held = await lockDb.Database.BeginTransactionAsync();
        await lockDb.Database.ExecuteSqlRawAsync("LOCK TABLE contacts IN SHARE ROW EXCLUSIVE MODE");
        var blocked = blockers.Select(b => PostAsync(client, b)).ToList();
        await Task.Delay(500);
        var group = companions.Select(c => PostAsync(client, c)).Append(PostAsync(client, "poison@poison.example.com")).ToList();
        await Task.Delay(500);
        await held.RollbackAsync();

        Assert.All(await Task.WhenAll(blocked), b => Assert.Equal(HttpStatusCode.Accepted, b.Status));
        var answers = await Task.WhenAll(group);
        Assert.Equal(HttpStatusCode.InternalServerError, answers[^1].Status);
        Assert.All(answers[..^1], a => Assert.True(a.Status == HttpStatusCode.Accepted, $"{(int)a.Status}: {a.Body}"));
        Assert.Contains(log.AtLeast(LogLevel.Warning), e => e.Message.Contains("could not be written together", StringComparison.Ordinal));
        using var check = engine.Services.CreateScope();
        var db = check.ServiceProvider.GetRequiredService<AppDbContext>();
        Assert.Equal(22, await db.Set<Contact>().CountAsync());
        Assert.Equal(22, await db.Set<OutboxMessage>().CountAsync(m => m.Kind == ContactSync.Kind));
    }

    [Fact]
    public async Task A_new_contact_another_writer_stored_first_is_a_409_not_a_500()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        await PostAsync(client, "first@race.example.com");
        // The database answers as it does when another engine or an import inserted the address between the writer's read
        // and its insert.
        await engine.Postgres.ScalarAsync<int>("""
            CREATE FUNCTION beaten() RETURNS trigger AS $$
            BEGIN IF NEW.email = 'late@race.example.com' THEN RAISE EXCEPTION 'duplicate key' USING ERRCODE = 'unique_violation'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
            CREATE TRIGGER beaten BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION beaten();
            SELECT 1;
            """);

        var answer = await PostAsync(client, "late@race.example.com");

        Assert.Equal(HttpStatusCode.Conflict, answer.Status);
        Assert.Contains("submitted concurrently", answer.Body);
        Assert.Equal(0, await engine.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE resource_key NOT IN (SELECT 'contact:' || id FROM contacts) AND kind = 'mailwizz.subscriber'"));
    }

    [Fact]
    public async Task New_contacts_inserted_by_one_statement_are_the_rows_ef_writes()
    {
        await using var engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: new Dictionary<string, string> { ["OUTBOX_WORKER"] = "off" });
        using var client = engine.Client();
        await PostAsync(client, "first@alpha.example.com");
        await PostAsync(client, "first@beta.example.com");
        using var scope = engine.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var alpha = await db.Set<Contact>().AsNoTracking().SingleAsync(c => c.EmailKey == "first@alpha.example.com");
        var beta = await db.Set<Tenant>().SingleAsync(t => t.Slug == "beta");
        var at = new DateTimeOffset(2026, 12, 6, 9, 30, 15, 123, TimeSpan.Zero).AddTicks(4560);
        Contact Full(string email, long tenantId, ContactStatus status) => new()
        {
            TenantId = tenantId, Email = email, EmailKey = email.ToLowerInvariant(), KeyHash = Contact.KeyHashOf(email.ToLowerInvariant()), Language = "fr",
            FirstName = "Zoé", LastName = "N'Diaye", Company = "Acme", Source = "form", Tags = """["vip"]""", Fields = """{"CITY":"Paris"}""",
            ConsentAt = at.AddDays(-1), ConsentIp = "192.0.2.7", ConsentText = "Oui", Status = status,
            Flags = EmailEngine.Contacts.Validation.EmailFlags.RoleAccount, WelcomeCampaignId = alpha.WelcomeCampaignId, CreatedAt = at, UpdatedAt = at,
        };
        List<ContactEvent> Timeline() => [new() { At = at, Type = "received", Detail = "form" }, new() { At = at, Type = "stored" }, new() { At = at, Type = "queued", Detail = "subscribe in MailWizz" }];

        // EF's rows: the reference.
        var byEf = Full("Ref@Alpha.example.com", alpha.TenantId, ContactStatus.Active);
        db.Add(byEf);
        await db.SaveChangesAsync();
        var efEvents = Timeline();
        efEvents.ForEach(e => e.ContactId = byEf.Id);
        db.AddRange(efEvents);
        ContactSync.EnqueueNew(scope.ServiceProvider.GetRequiredService<OutboxWriter>(), [byEf]);
        await db.SaveChangesAsync();
        var pushedAt = (await db.Set<OutboxMessage>().AsNoTracking().SingleAsync(m => m.ResourceKey == ContactSync.ResourceKey(byEf.Id))).CreatedAt;

        // One statement: the same address in two tenants, and a suppressed contact (stored, never pushed).
        var direct = new[] { Full("Same@Alpha.example.com", alpha.TenantId, ContactStatus.Active), Full("Same@Alpha.example.com", beta.Id, ContactStatus.Active),
            Full("Quiet@Alpha.example.com", alpha.TenantId, ContactStatus.Suppressed) };
        var timelines = direct.Select(_ => Timeline()).ToList();
        await NewContactRows.InsertAsync(db, direct.Select((c, i) => (c, (IReadOnlyList<ContactEvent>)timelines[i])).ToList(), pushedAt, CancellationToken.None);

        const string columns = "to_jsonb(c) - 'id' - 'email' - 'email_key' - 'key_hash' - 'tenant_id' - 'status'";
        var reference = await engine.Postgres.ScalarAsync<string>($"SELECT ({columns})::text FROM contacts c WHERE id = {byEf.Id}");
        foreach (var contact in direct)
        {
            Assert.True(contact.Id > 0);
            Assert.Equal(reference, await engine.Postgres.ScalarAsync<string>($"SELECT ({columns})::text FROM contacts c WHERE id = {contact.Id}"));
            Assert.Equal(contact.Status.ToString().ToLowerInvariant(), await engine.Postgres.ScalarAsync<string>($"SELECT status FROM contacts WHERE id = {contact.Id}"));
            Assert.Equal(contact.TenantId, await engine.Postgres.ScalarAsync<long>($"SELECT tenant_id FROM contacts WHERE id = {contact.Id}"));
            Assert.Equal(contact.EmailKey, await engine.Postgres.ScalarAsync<string>($"SELECT email_key FROM contacts WHERE id = {contact.Id} AND email = '{contact.Email}' AND key_hash = '{contact.KeyHash}'"));
            Assert.Equal(await EventsAsync(byEf.Id), await EventsAsync(contact.Id));
        }
        foreach (var pushed in direct[..2])
        {
            Assert.Equal(await PushAsync(byEf.Id), await PushAsync(pushed.Id));
            Assert.Equal(pushed.TenantId, await engine.Postgres.ScalarAsync<long>($"SELECT tenant_id FROM outbox_messages WHERE resource_key = '{ContactSync.ResourceKey(pushed.Id)}'"));
        }
        Assert.Null(await PushAsync(direct[2].Id));

        Task<string?> EventsAsync(long id) => engine.Postgres.ScalarAsync<string>(
            $"SELECT string_agg((to_jsonb(e) - 'id' - 'contact_id')::text, ',' ORDER BY id) FROM contact_events e WHERE contact_id = {id}");
        Task<string?> PushAsync(long id) => engine.Postgres.ScalarAsync<string?>(
            $"SELECT (to_jsonb(m) - 'id' - 'resource_key' - 'tenant_id')::text FROM outbox_messages m WHERE resource_key = '{ContactSync.ResourceKey(id)}'");
    }

    private static async Task<(HttpStatusCode Status, string Body, long? Id)> PostAsync(HttpClient client, string email,
        Dictionary<string, string>? fields = null)
    {
        var tenant = email[(email.IndexOf('@') + 1)..].Split('.')[0].ToLowerInvariant();
        using var response = await client.PostAsJsonAsync("/api/v2/contacts", new { email, tenant, language = "fr", fields });
        var body = await response.Content.ReadAsStringAsync();
        long? id = response.IsSuccessStatusCode ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64() : null;
        return (response.StatusCode, body, id);
    }
}
