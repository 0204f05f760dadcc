using EmailEngine.Data;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace EmailEngine.Contacts;

/// <summary>
/// Intake's fast path on PostgreSQL: a group of new contacts, their timelines and their pushes to MailWizz are inserted
/// by one statement, one round trip that commits on its own. Through EF the same rows took two saves in a transaction
/// (four round trips), and EF's change tracking of about seven rows per contact was most of the writer's time
/// (docs/contacts-and-import.md, "Intake under load"). The statement's text is the same for any group size (the rows go
/// as arrays), so PostgreSQL plans it once per connection.
/// Rows are written as EF would write them: <c>ContactWriterTests</c> compares the two paths column by column.
/// </summary>
internal static class NewContactRows
{
    private const string Insert = """
        WITH contact AS (
            INSERT INTO contacts (tenant_id, email, email_key, key_hash, first_name, last_name, company, language, source, tags, fields,
                consent_at, consent_ip, consent_text, status, flags, welcome_campaign_id, sync_status, sync_attempts, created_at, updated_at)
            SELECT * FROM unnest(@tenant_id, @email, @email_key, @key_hash, @first_name, @last_name, @company, @language, @source, @tags, @fields,
                @consent_at, @consent_ip, @consent_text, @status, @flags, @welcome_campaign_id, @sync_status, @sync_attempts, @created_at, @updated_at)
            RETURNING id, tenant_id, key_hash
        ), event AS (
            INSERT INTO contact_events (contact_id, at, type, detail)
            SELECT contact.id, e.at, e.type, e.detail
            FROM unnest(@event_tenant_id, @event_key_hash, @event_at, @event_type, @event_detail) WITH ORDINALITY AS e(tenant_id, key_hash, at, type, detail, n)
            JOIN contact USING (tenant_id, key_hash)
            ORDER BY e.n
        ), push AS (
            INSERT INTO outbox_messages (kind, resource_key, tenant_id, payload, status, attempts, next_attempt_at, created_at, held_for_capacity)
            SELECT @push_kind, @push_key_prefix || contact.id, contact.tenant_id, '{}', @push_status, 0, @now, @now, false
            FROM unnest(@push_tenant_id, @push_key_hash) WITH ORDINALITY AS p(tenant_id, key_hash, n)
            JOIN contact USING (tenant_id, key_hash)
            ORDER BY p.n
        )
        SELECT id, tenant_id, key_hash FROM contact
        """;

    /// <summary>
    /// Inserts the contacts (none may exist yet), each with its events, and a subscribe push for each active one; sets
    /// their ids. Text is checked as for an EF save first (<see cref="TextGuard"/>), so a refused value is the same 400.
    /// </summary>
    public static async Task InsertAsync(AppDbContext db, IReadOnlyList<(Contact Contact, IReadOnlyList<ContactEvent> Events)> rows, DateTimeOffset now,
        CancellationToken ct)
    {
        foreach (var (contact, timeline) in rows)
        {
            TextGuard.CheckNew(db, contact);
            foreach (var e in timeline)
                TextGuard.CheckNew(db, e);
        }
        var contacts = rows.Select(r => r.Contact).ToList();
        var events = rows.SelectMany(r => r.Events.Select(e => (r.Contact, Event: e))).ToList();
        var pushed = contacts.Where(c => c.Status == ContactStatus.Active).ToList();

        await using var command = new NpgsqlCommand(Insert, (NpgsqlConnection)db.Database.GetDbConnection());
        var p = command.Parameters;
        p.Add(Array("tenant_id", NpgsqlDbType.Bigint, contacts.Select(c => c.TenantId)));
        p.Add(Array("email", NpgsqlDbType.Text, contacts.Select(c => c.Email)));
        p.Add(Array("email_key", NpgsqlDbType.Text, contacts.Select(c => c.EmailKey)));
        p.Add(Array("key_hash", NpgsqlDbType.Uuid, contacts.Select(c => c.KeyHash)));
        p.Add(Array("first_name", NpgsqlDbType.Text, contacts.Select(c => c.FirstName)));
        p.Add(Array("last_name", NpgsqlDbType.Text, contacts.Select(c => c.LastName)));
        p.Add(Array("company", NpgsqlDbType.Text, contacts.Select(c => c.Company)));
        p.Add(Array("language", NpgsqlDbType.Text, contacts.Select(c => c.Language)));
        p.Add(Array("source", NpgsqlDbType.Text, contacts.Select(c => c.Source)));
        p.Add(Array("tags", NpgsqlDbType.Text, contacts.Select(c => c.Tags)));
        p.Add(Array("fields", NpgsqlDbType.Text, contacts.Select(c => c.Fields)));
        p.Add(Array("consent_at", NpgsqlDbType.TimestampTz, contacts.Select(c => c.ConsentAt?.UtcDateTime)));
        p.Add(Array("consent_ip", NpgsqlDbType.Text, contacts.Select(c => c.ConsentIp)));
        p.Add(Array("consent_text", NpgsqlDbType.Text, contacts.Select(c => c.ConsentText)));
        p.Add(Array("status", NpgsqlDbType.Text, contacts.Select(c => EnumColumns.ToColumn(c.Status))));
        p.Add(Array("flags", NpgsqlDbType.Integer, contacts.Select(c => (int)c.Flags)));
        p.Add(Array("welcome_campaign_id", NpgsqlDbType.Bigint, contacts.Select(c => c.WelcomeCampaignId)));
        p.Add(Array("sync_status", NpgsqlDbType.Text, contacts.Select(c => EnumColumns.ToColumn(c.Sync.Status))));
        p.Add(Array("sync_attempts", NpgsqlDbType.Integer, contacts.Select(c => c.Sync.Attempts)));
        p.Add(Array("created_at", NpgsqlDbType.TimestampTz, contacts.Select(c => c.CreatedAt.UtcDateTime)));
        p.Add(Array("updated_at", NpgsqlDbType.TimestampTz, contacts.Select(c => c.UpdatedAt.UtcDateTime)));
        p.Add(Array("event_tenant_id", NpgsqlDbType.Bigint, events.Select(e => e.Contact.TenantId)));
        p.Add(Array("event_key_hash", NpgsqlDbType.Uuid, events.Select(e => e.Contact.KeyHash)));
        p.Add(Array("event_at", NpgsqlDbType.TimestampTz, events.Select(e => e.Event.At.UtcDateTime)));
        p.Add(Array("event_type", NpgsqlDbType.Text, events.Select(e => e.Event.Type)));
        p.Add(Array("event_detail", NpgsqlDbType.Text, events.Select(e => e.Event.Detail)));
        p.Add(new NpgsqlParameter<string>("push_kind", NpgsqlDbType.Text) { TypedValue = ContactSync.Kind });
        p.Add(new NpgsqlParameter<string>("push_key_prefix", NpgsqlDbType.Text) { TypedValue = ContactSync.ResourceKeyPrefix });
        p.Add(new NpgsqlParameter<string>("push_status", NpgsqlDbType.Text) { TypedValue = EnumColumns.ToColumn(OutboxStatus.Pending) });
        p.Add(new NpgsqlParameter<DateTime>("now", NpgsqlDbType.TimestampTz) { TypedValue = now.UtcDateTime });
        p.Add(Array("push_tenant_id", NpgsqlDbType.Bigint, pushed.Select(c => c.TenantId)));
        p.Add(Array("push_key_hash", NpgsqlDbType.Uuid, pushed.Select(c => c.KeyHash)));

        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var ids = new Dictionary<(long, Guid), long>(contacts.Count);
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    ids[(reader.GetInt64(1), reader.GetGuid(2))] = reader.GetInt64(0);
            foreach (var (contact, timeline) in rows)
            {
                contact.Id = ids[(contact.TenantId, contact.KeyHash)];
                foreach (var e in timeline)
                    e.ContactId = contact.Id;
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlParameter Array<T>(string name, NpgsqlDbType type, IEnumerable<T> values) =>
        new NpgsqlParameter<T[]>(name, NpgsqlDbType.Array | type) { TypedValue = values.ToArray() };
}
