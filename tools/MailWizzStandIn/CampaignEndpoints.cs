using System.Globalization;
using System.Net.Mail;

namespace MailWizzStandIn;

public static class CampaignEndpoints
{
    private static readonly string[] Required = ["name", "from_name", "from_email", "subject", "reply_to", "to_name", "send_at"];

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/campaigns", (HttpRequest r, StandInState s) =>
        {
            lock (s.Gate)
                return MwJson.Page(s.Campaigns.OrderByDescending(c => c.DateAdded)
                    .Select(c => new { campaign_uid = c.Uid, type = c.V("type"), name = c.V("name"), status = c.Status, group = Array.Empty<object>() }).ToList(), r, 50);
        });
        api.MapGet("/campaigns/{uid}", (string uid, StandInState s) =>
        {
            lock (s.Gate)
            {
                if (s.Campaigns.FirstOrDefault(c => c.Uid == uid) is not { } c)
                    return MwJson.Error(404, "The campaign does not exist.");
                var list = ListEndpoints.Find(s, c.ListUid);
                return MwJson.Record(new
                {
                    campaign_uid = c.Uid, name = c.V("name"), type = c.V("type"), from_name = c.V("from_name"), from_email = c.V("from_email"),
                    to_name = c.V("to_name"), reply_to = c.V("reply_to"), subject = c.V("subject"), status = c.Status,
                    date_added = c.DateAdded.ToString("yyyy-MM-dd HH:mm:ss"), send_at = c.V("send_at"),
                    list = new { list_uid = c.ListUid, name = list?.Name, subscribers_count = list?.Subscribers.Count ?? 0 },
                    segment = Array.Empty<object>(), group = Array.Empty<object>(),
                    options = new { autoresponder_event = c.V("options[autoresponder_event]"), autoresponder_time_unit = c.V("options[autoresponder_time_unit]"), autoresponder_time_value = c.V("options[autoresponder_time_value]") },
                });
            }
        });
        api.MapPost("/campaigns", async (HttpRequest request, StandInState s) => await SaveAsync(null, request, s));
        api.MapPut("/campaigns/{uid}", async (string uid, HttpRequest request, StandInState s) => await SaveAsync(uid, request, s));
        api.MapPut("/campaigns/{uid}/pause-unpause", (string uid, StandInState s) =>
        {
            lock (s.Gate)
            {
                if (s.Campaigns.FirstOrDefault(c => c.Uid == uid) is not { } c)
                    return MwJson.Error(404, "The campaign does not exist.");
                // Unpaused, a regular campaign goes back to pending-sending: the mailer sends it to whoever has not had it.
                c.Status = c.Status != "paused" ? "paused" : c.V("type") == "autoresponder" ? "sending" : "pending-sending";
                return Results.Json(new { status = "success", campaign = new { status = c.Status } });
            }
        });
        api.MapDelete("/campaigns/{uid}", (string uid, StandInState s) =>
        {
            lock (s.Gate)
                return s.Campaigns.RemoveAll(c => c.Uid == uid) > 0 ? MwJson.Success() : MwJson.Error(404, "The campaign does not exist.");
        });
    }

    /// <summary>Create (uid null) or update with the API's validation rules and messages from the reference.</summary>
    private static async Task<IResult> SaveAsync(string? uid, HttpRequest request, StandInState s)
    {
        var form = await request.ReadFormAsync();
        var values = form.Where(f => f.Key.StartsWith("campaign[")).ToDictionary(
            f => f.Key["campaign[".Length..].Replace("][", "[").TrimEnd(']') is var k && k.Contains('[') ? k + "]" : k, f => f.Value.ToString());
        lock (s.Gate)
        {
            var campaign = uid is null ? null : s.Campaigns.FirstOrDefault(c => c.Uid == uid);
            if (uid is not null && campaign is null)
                return MwJson.Error(404, "Requested campaign does not exist.");
            string Value(string key) => values.TryGetValue(key, out var v) ? v : campaign?.V(key) ?? "";
            foreach (var field in Required.Where(f => Value(f).Length == 0))
                return MwJson.Validation(field, $"{CultureInfo.InvariantCulture.TextInfo.ToTitleCase(field.Replace('_', ' '))} cannot be blank.");
            foreach (var field in new[] { "from_email", "reply_to" }.Where(f => !Value(f).Contains('[') && !MailAddress.TryCreate(Value(f), out _)))
                return MwJson.Validation(field, $"{field} is not a valid email address.");
            if (!DateTime.TryParseExact(Value("send_at"), "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
                return MwJson.Validation("send_at", "Send at is not in the yyyy-MM-dd HH:mm:ss format.");
            if (Value("type") is var type && type is not ("regular" or "autoresponder"))
                return MwJson.Validation("type", "Type is not valid.");
            var listUid = Value("list_uid") is { Length: > 0 } l ? l : campaign?.ListUid ?? "";
            if (listUid.Length == 0)
                return MwJson.Error(422, "Please provide a list for this campaign.");
            if (ListEndpoints.Find(s, listUid) is null)
                return MwJson.Error(422, "Provided list does not exist.");
            var templateUid = Value("template[template_uid]");
            var template = templateUid.Length > 0 ? s.Templates.FirstOrDefault(t => t.Uid == templateUid) : null;
            if (templateUid.Length > 0 && template is null)
                return MwJson.Error(422, "Provided template does not exist.");
            if (campaign is null && template is null)
                return MwJson.Error(422, "Please provide a template for your campaign.");

            campaign ??= new MwCampaign { Uid = StandInState.NewUid(), ListUid = listUid, TemplateUid = templateUid, Content = template!.Content };
            foreach (var (key, value) in values)
                campaign.Values[key] = value;
            campaign.ListUid = listUid;
            if (template is not null)
                (campaign.TemplateUid, campaign.Content) = (template.Uid, template.Content);
            if (values.TryGetValue("status", out var status))
                campaign.Status = status;
            // An autoresponder is live ("sending") at once; a regular campaign waits in pending-sending for send_at.
            if (campaign.V("type") == "autoresponder" && campaign.Status == "pending-sending")
                campaign.Status = "sending";
            if (uid is null)
            {
                s.Campaigns.Add(campaign);
                return MwJson.Created("campaign_uid", campaign.Uid);
            }
            return MwJson.Success();
        }
    }
}
