using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EmailEngine.MailWizz;

/// <summary>Typed MailWizz 2.x customer API: lists, list fields, subscribers, templates, campaigns.</summary>
public sealed class MailWizzClient(MailWizzTransport transport)
{
    private static KeyValuePair<string, string> F(string key, string value) => new(key, value);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.ToString() : null;

    private static MailWizzResult<string> Uid(MailWizzResult<JsonElement> response, string property) =>
        !response.IsSuccess ? response.Error!
        : Str(response.Value, property) is { } uid ? uid
        : new MailWizzError(MailWizzErrorKind.Unavailable, $"MailWizz answered without {property}");

    private static MailWizzResult<bool> Exists(MailWizzResult<JsonElement> response) =>
        response.IsSuccess ? true : response.Error!.Kind == MailWizzErrorKind.NotFound ? false : (MailWizzResult<bool>)response.Error!;

    private static MailWizzResult<None> Done(MailWizzResult<JsonElement> response) => response.IsSuccess ? default(None) : response.Error!;

    /// <summary>Walks every page of a list endpoint (MailWizz returns records newest first).</summary>
    private async Task<MailWizzResult<List<JsonElement>>> AllRecordsAsync(string path, CancellationToken ct)
    {
        var records = new List<JsonElement>();
        for (var page = 1; page <= 1000; page++)
        {
            var separator = path.Contains('?') ? '&' : '?';
            var response = await transport.SendAsync(HttpMethod.Get, $"{path}{separator}page={page}&per_page=50", ct: ct);
            if (!response.IsSuccess)
                return response.Error!;
            var data = response.Value.GetProperty("data");
            if (data.TryGetProperty("records", out var items) && items.ValueKind == JsonValueKind.Array)
                records.AddRange(items.EnumerateArray());
            if (!data.TryGetProperty("next_page", out var next) || next.ValueKind == JsonValueKind.Null)
                break;
        }
        return records;
    }

    // ---- lists ----

    private static IEnumerable<KeyValuePair<string, string>> ListForm(ListDefinition list)
    {
        yield return F("general[name]", list.Name);
        yield return F("general[description]", list.Description);
        yield return F("general[opt_in]", "single");
        yield return F("general[opt_out]", "single");
        yield return F("defaults[from_name]", list.FromName);
        yield return F("defaults[from_email]", list.FromEmail);
        yield return F("defaults[reply_to]", list.ReplyTo);
        if (list.Subject is not null) yield return F("defaults[subject]", list.Subject);
        yield return F("notifications[subscribe]", "no");
        yield return F("notifications[unsubscribe]", "no");
        yield return F("company[name]", list.CompanyName);
        yield return F("company[address_1]", list.CompanyAddress);
        yield return F("company[city]", list.CompanyCity);
        if (list.CompanyZip is not null) yield return F("company[zip_code]", list.CompanyZip);
        yield return F("company[country]", list.CompanyCountry);
    }

    public async Task<MailWizzResult<string>> CreateListAsync(ListDefinition list, CancellationToken ct) =>
        Uid(await transport.SendAsync(HttpMethod.Post, "lists", ListForm(list), ct: ct), "list_uid");

    public async Task<MailWizzResult<None>> UpdateListAsync(string listUid, ListDefinition list, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Put, $"lists/{listUid}", ListForm(list), ct: ct));

    public async Task<MailWizzResult<ListSummary?>> FindListByNameAsync(string name, CancellationToken ct)
    {
        var all = await AllRecordsAsync("lists", ct);
        if (!all.IsSuccess)
            return all.Error!;
        return all.Value!.Select(r => r.GetProperty("general")).Where(g => Str(g, "name") == name)
            .Select(g => new ListSummary(Str(g, "list_uid")!, name)).FirstOrDefault();
    }

    /// <summary>False only when MailWizz answers that the list does not exist.</summary>
    public async Task<MailWizzResult<bool>> ListExistsAsync(string listUid, CancellationToken ct)
    {
        var response = await transport.SendAsync(HttpMethod.Get, $"lists/{listUid}", ct: ct);
        return Exists(response);
    }

    public async Task<MailWizzResult<IReadOnlyList<ListField>>> GetListFieldsAsync(string listUid, CancellationToken ct)
    {
        var response = await transport.SendAsync(HttpMethod.Get, $"lists/{listUid}/fields", ct: ct);
        if (!response.IsSuccess)
            return response.Error!;
        return response.Value.GetProperty("data").GetProperty("records").EnumerateArray()
            .Select(r => new ListField(Str(r, "tag")!, Str(r, "label") ?? "", Str(r, "required") == "yes")).ToList();
    }

    public async Task<MailWizzResult<None>> CreateListFieldAsync(string listUid, string tag, string label, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Post, $"lists/{listUid}/fields",
            [F("type", "text"), F("label", label), F("tag", tag), F("required", "no"), F("visibility", "visible"), F("sort_order", "0")], ct: ct));

    // ---- subscribers ----

    public async Task<MailWizzResult<string>> CreateSubscriberAsync(string listUid, IReadOnlyDictionary<string, string> fields,
        CancellationToken ct, string status = "confirmed")
    {
        var form = fields.Select(f => F(f.Key, f.Value)).Append(F("details[status]", status)).Append(F("details[source]", "api"));
        var response = await transport.SendAsync(HttpMethod.Post, $"lists/{listUid}/subscribers", form, ct: ct);
        if (!response.IsSuccess)
            return response.Error!;
        return Str(response.Value.GetProperty("data").GetProperty("record"), "subscriber_uid") is { } uid
            ? uid : new MailWizzError(MailWizzErrorKind.Unavailable, "MailWizz answered without subscriber_uid");
    }

    /// <summary>Null when the address is not on the list.</summary>
    public async Task<MailWizzResult<SubscriberRef?>> FindSubscriberAsync(string listUid, string email, CancellationToken ct)
    {
        var response = await transport.SendAsync(HttpMethod.Get,
            $"lists/{listUid}/subscribers/search-by-email?EMAIL={Uri.EscapeDataString(email)}", ct: ct);
        if (response.Error is { Kind: MailWizzErrorKind.NotFound })
            return (SubscriberRef?)null;
        if (!response.IsSuccess)
            return response.Error!;
        var data = response.Value.GetProperty("data");
        return new SubscriberRef(Str(data, "subscriber_uid")!, Str(data, "status") ?? "");
    }

    public async Task<MailWizzResult<None>> UpdateSubscriberAsync(string listUid, string subscriberUid,
        IReadOnlyDictionary<string, string> fields, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Put, $"lists/{listUid}/subscribers/{subscriberUid}",
            fields.Select(f => F(f.Key, f.Value)), ct: ct));

    public async Task<MailWizzResult<None>> UnsubscribeAsync(string listUid, string subscriberUid, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Put, $"lists/{listUid}/subscribers/{subscriberUid}/unsubscribe", ct: ct));

    public async Task<MailWizzResult<None>> DeleteSubscriberAsync(string listUid, string subscriberUid, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Delete, $"lists/{listUid}/subscribers/{subscriberUid}", ct: ct));

    public async Task<MailWizzResult<None>> UnsubscribeFromAllListsAsync(string email, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Put, "lists/subscribers/unsubscribe-by-email-from-all-lists", [F("EMAIL", email)], ct: ct));

    /// <summary>MailWizz's limit on the rows of one bulk call (since 1.8.1).</summary>
    public const int BulkLimit = 10_000;

    /// <summary>Up to <see cref="BulkLimit"/> rows per call; each row comes back with its uid or its own field errors.</summary>
    public async Task<MailWizzResult<IReadOnlyList<BulkSubscriberResult>>> CreateSubscribersBulkAsync(string listUid,
        IReadOnlyList<IReadOnlyDictionary<string, string>> rows, CancellationToken ct)
    {
        if (rows.Count > BulkLimit)
            throw new ArgumentOutOfRangeException(nameof(rows), $"MailWizz accepts at most {BulkLimit:N0} subscribers per bulk call");
        var form = rows.SelectMany((row, i) => row.Select(f => F($"subscribers[{i}][{f.Key}]", f.Value))
            .Append(F($"subscribers[{i}][details][status]", "confirmed")));
        var response = await transport.SendAsync(HttpMethod.Post, $"lists/{listUid}/subscribers/bulk", form, ct: ct);
        if (!response.IsSuccess)
            return response.Error!;
        return response.Value.GetProperty("data").GetProperty("records").EnumerateArray().Select(r =>
        {
            var data = r.TryGetProperty("data", out var d) ? d : default;
            IReadOnlyDictionary<string, string>? errors = r.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object
                ? e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString()) : null;
            return new BulkSubscriberResult(Str(data, "EMAIL"), Str(data, "subscriber_uid"), errors);
        }).ToList();
    }

    // ---- templates ----

    public async Task<MailWizzResult<string>> CreateTemplateAsync(string name, string html, CancellationToken ct) =>
        Uid(await transport.SendAsync(HttpMethod.Post, "templates",
            [F("template[name]", name), F("template[content]", Base64(html)), F("template[inline_css]", "no")], ct: ct), "template_uid");

    public async Task<MailWizzResult<None>> UpdateTemplateAsync(string uid, string name, string html, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Put, $"templates/{uid}",
            [F("template[name]", name), F("template[content]", Base64(html)), F("template[inline_css]", "no")], ct: ct));

    public async Task<MailWizzResult<None>> DeleteTemplateAsync(string uid, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Delete, $"templates/{uid}", ct: ct));

    /// <summary>False only when MailWizz answers that the template does not exist.</summary>
    public async Task<MailWizzResult<bool>> TemplateExistsAsync(string uid, CancellationToken ct)
    {
        var response = await transport.SendAsync(HttpMethod.Get, $"templates/{uid}", ct: ct);
        return Exists(response);
    }

    /// <summary>MailWizz's name filter is a LIKE match: keep only the exact name.</summary>
    public async Task<MailWizzResult<TemplateSummary?>> FindTemplateByNameAsync(string name, CancellationToken ct)
    {
        var all = await AllRecordsAsync($"templates?filter[name]={Uri.EscapeDataString(name)}", ct);
        if (!all.IsSuccess)
            return all.Error!;
        return all.Value!.Where(r => Str(r, "name") == name).Select(r => new TemplateSummary(Str(r, "template_uid")!, name)).FirstOrDefault();
    }

    // ---- campaigns ----

    private static IEnumerable<KeyValuePair<string, string>> CampaignForm(CampaignDefinition c)
    {
        yield return F("campaign[name]", c.Name);
        yield return F("campaign[type]", c.Type);
        yield return F("campaign[from_name]", c.FromName);
        yield return F("campaign[from_email]", c.FromEmail);
        yield return F("campaign[subject]", c.Subject);
        yield return F("campaign[reply_to]", c.ReplyTo);
        yield return F("campaign[to_name]", c.ToName);
        yield return F("campaign[send_at]", c.SendAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        yield return F("campaign[list_uid]", c.ListUid);
        yield return F("campaign[template][template_uid]", c.TemplateUid);
        if (c.Status is not null) yield return F("campaign[status]", c.Status);
        // Honoured only where the customer group allows choosing servers per campaign; silently ignored elsewhere.
        if (c.DeliveryServers is not null) yield return F("campaign[delivery_servers]", c.DeliveryServers);
        if (c.AutoresponderEvent is not null)
        {
            yield return F("campaign[options][autoresponder_event]", c.AutoresponderEvent);
            yield return F("campaign[options][autoresponder_time_unit]", c.DelayUnit ?? "minute");
            yield return F("campaign[options][autoresponder_time_value]", (c.DelayValue ?? 0).ToString(CultureInfo.InvariantCulture));
        }
    }

    public async Task<MailWizzResult<string>> CreateCampaignAsync(CampaignDefinition campaign, CancellationToken ct) =>
        Uid(await transport.SendAsync(HttpMethod.Post, "campaigns", CampaignForm(campaign), ct: ct), "campaign_uid");

    public async Task<MailWizzResult<None>> UpdateCampaignAsync(string uid, CampaignDefinition campaign, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Put, $"campaigns/{uid}", CampaignForm(campaign), ct: ct));

    public async Task<MailWizzResult<CampaignSummary?>> GetCampaignAsync(string uid, CancellationToken ct)
    {
        var response = await transport.SendAsync(HttpMethod.Get, $"campaigns/{uid}", ct: ct);
        if (response.Error is { Kind: MailWizzErrorKind.NotFound })
            return (CampaignSummary?)null;
        if (!response.IsSuccess)
            return response.Error!;
        var record = response.Value.GetProperty("data").GetProperty("record");
        return new CampaignSummary(Str(record, "campaign_uid") ?? uid, Str(record, "name")!, Str(record, "type")!, Str(record, "status")!);
    }

    public async Task<MailWizzResult<CampaignSummary?>> FindCampaignByNameAsync(string name, CancellationToken ct)
    {
        var all = await AllRecordsAsync("campaigns", ct);
        if (!all.IsSuccess)
            return all.Error!;
        return all.Value!.Where(r => Str(r, "name") == name)
            .Select(r => new CampaignSummary(Str(r, "campaign_uid")!, name, Str(r, "type")!, Str(r, "status")!)).FirstOrDefault();
    }

    /// <summary>Toggles; returns the new status (<c>paused</c> or the running one).</summary>
    public async Task<MailWizzResult<string>> PauseUnpauseCampaignAsync(string uid, CancellationToken ct)
    {
        var response = await transport.SendAsync(HttpMethod.Put, $"campaigns/{uid}/pause-unpause", badRequestIsRefusal: true, ct: ct);
        return response.IsSuccess ? Str(response.Value.GetProperty("campaign"), "status") ?? "" : response.Error!;
    }

    public async Task<MailWizzResult<None>> DeleteCampaignAsync(string uid, CancellationToken ct) =>
        Done(await transport.SendAsync(HttpMethod.Delete, $"campaigns/{uid}", badRequestIsRefusal: true, ct: ct));
}
