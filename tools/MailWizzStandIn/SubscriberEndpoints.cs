using System.Net.Mail;
using Microsoft.Extensions.Primitives;

namespace MailWizzStandIn;

public static class SubscriberEndpoints
{
    private const string NotInList = "The subscriber does not exist in this list.";

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/lists/{uid}/subscribers", (string uid, HttpRequest r, StandInState s) =>
        {
            lock (s.Gate)
            {
                if (ListEndpoints.Find(s, uid) is not { } list)
                    return MwJson.Error(404, "The subscribers list does not exist.");
                var status = r.Query["status"].ToString();
                return MwJson.Page(list.Subscribers.Where(x => status.Length == 0 || x.Status == status).OrderByDescending(x => x.DateAdded)
                    .Select(x => new Dictionary<string, object?>(x.Fields.Select(f => KeyValuePair.Create(f.Key, (object?)f.Value)))
                    { ["subscriber_uid"] = x.Uid, ["status"] = x.Status, ["source"] = x.Source, ["date_added"] = x.DateAdded.ToString("yyyy-MM-dd HH:mm:ss") }).ToList(), r, 1000);
            }
        });
        api.MapGet("/lists/{uid}/subscribers/search-by-email", (string uid, HttpRequest r, StandInState s) =>
        {
            lock (s.Gate)
            {
                if (ListEndpoints.Find(s, uid) is not { } list)
                    return MwJson.Error(404, "The subscribers list does not exist.");
                var email = r.Query["EMAIL"].ToString();
                return list.FindByEmail(email) is { } found
                    ? MwJson.Success(new { subscriber_uid = found.Uid, status = found.Status, date_added = found.DateAdded.ToString("yyyy-MM-dd HH:mm:ss") })
                    : MwJson.Error(404, NotInList);
            }
        });
        api.MapGet("/lists/{uid}/subscribers/{sub}", (string uid, string sub, StandInState s) =>
        {
            lock (s.Gate)
                return Find(s, uid, sub) is { } x
                    ? MwJson.Record(new Dictionary<string, object?>(x.Fields.Select(f => KeyValuePair.Create(f.Key, (object?)f.Value)))
                    { ["subscriber_uid"] = x.Uid, ["status"] = x.Status, ["source"] = x.Source, ["ip_address"] = "" })
                    : MwJson.Error(404, NotInList);
        });
        api.MapPost("/lists/{uid}/subscribers", async (string uid, HttpRequest request, StandInState s, Autoresponder autoresponder) =>
        {
            var form = await request.ReadFormAsync();
            lock (s.Gate)
            {
                if (ListEndpoints.Find(s, uid) is not { } list)
                    return MwJson.Error(404, "The subscribers list does not exist.");
                var (subscriber, error) = Add(s, list, name => form[name], autoresponder);
                return error ?? Results.Json(new { status = "success", data = new { record = Record(subscriber!) } }, statusCode: 201);
            }
        });
        api.MapPost("/lists/{uid}/subscribers/bulk", async (string uid, HttpRequest request, StandInState s, Autoresponder autoresponder) =>
        {
            var form = await request.ReadFormAsync();
            lock (s.Gate)
            {
                if (ListEndpoints.Find(s, uid) is not { } list)
                    return MwJson.Error(404, "The subscribers list does not exist.");
                var indexes = form.Keys.Where(k => k.StartsWith("subscribers[")).Select(k => int.Parse(k[12..k.IndexOf(']')])).Distinct().Order().ToList();
                if (indexes.Count > 10_000)
                    return MwJson.Error(422, "You can add at most 10000 subscribers at once.");
                var records = indexes.Select(i =>
                {
                    var (subscriber, error) = Add(s, list, name => form[$"subscribers[{i}][{name.Replace("[", "][").TrimEnd(']').Replace("]]", "]")}]"], autoresponder);
                    var data = new Dictionary<string, object?> { ["EMAIL"] = form[$"subscribers[{i}][EMAIL]"].ToString() };
                    if (subscriber is not null)
                        data["subscriber_uid"] = subscriber.Uid;
                    return error is null
                        ? (object)new { data }
                        : new { data, errors = new Dictionary<string, string> { ["_common"] = ErrorText(error) } };
                }).ToList();
                return Results.Json(new { status = "success", data = new { records } }, statusCode: 201);
            }
        });
        api.MapPut("/lists/{uid}/subscribers/{sub}", async (string uid, string sub, HttpRequest request, StandInState s) =>
        {
            var form = await request.ReadFormAsync();
            lock (s.Gate)
            {
                if (ListEndpoints.Find(s, uid) is not { } list || Find(s, uid, sub) is not { } x)
                    return MwJson.Error(409, NotInList);
                var email = form["EMAIL"].ToString();
                if (email.Length > 0 && list.FindByEmail(email) is { } other && other != x)
                    return MwJson.Error(409, "Another subscriber with this email address already exists in this list.");
                foreach (var field in list.Fields.Where(f => form.ContainsKey(f.Tag)))
                    list.SetField(x, field.Tag, Truncate(form[field.Tag].ToString()));
                return MwJson.Success(new { record = Record(x) });
            }
        });
        api.MapPut("/lists/{uid}/subscribers/{sub}/unsubscribe", (string uid, string sub, StandInState s) =>
        {
            lock (s.Gate)
            {
                if (Find(s, uid, sub) is not { } x)
                    return MwJson.Error(404, NotInList);
                if (x.Status == "confirmed")
                    x.Status = "unsubscribed";
                return MwJson.Success();
            }
        });
        api.MapDelete("/lists/{uid}/subscribers/{sub}", (string uid, string sub, StandInState s) =>
        {
            lock (s.Gate)
                return ListEndpoints.Find(s, uid) is { } list && list.Remove(sub)
                    ? MwJson.Success() : MwJson.Error(404, NotInList);
        });
        api.MapPut("/lists/subscribers/unsubscribe-by-email-from-all-lists", async (HttpRequest request, StandInState s) =>
        {
            var email = (await request.ReadFormAsync())["EMAIL"].ToString();
            lock (s.Gate)
                foreach (var x in s.Lists.Select(l => l.FindByEmail(email)).OfType<MwSubscriber>())
                    x.Status = "unsubscribed";
            return MwJson.Success();
        });
    }

    private static MwSubscriber? Find(StandInState s, string uid, string sub) =>
        ListEndpoints.Find(s, uid)?.FindByUid(sub);

    private static object Record(MwSubscriber x) =>
        new { subscriber_uid = x.Uid, email = x.Email, ip_address = "", source = x.Source, date_added = x.DateAdded.ToString("yyyy-MM-dd HH:mm:ss") };

    private static string Truncate(string value) => value.Length <= 255 ? value : value[..255];

    private static string ErrorText(IResult error) => error is IValueHttpResult { Value: Dictionary<string, object> d } ? d["error"].ToString()! : "error";

    /// <summary>Create-subscriber rules of the reference (caller holds the state lock).</summary>
    private static (MwSubscriber? Subscriber, IResult? Error) Add(StandInState s, MwList list, Func<string, StringValues> value, Autoresponder autoresponder)
    {
        var email = value("EMAIL").ToString().Trim();
        if (email.Length == 0)
            return (null, MwJson.Validation("EMAIL", "Please provide the subscriber email address."));
        if (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
            return (null, MwJson.Validation("EMAIL", "Please provide a valid email address."));
        if (s.Blacklist.Contains(email))
            return (null, MwJson.Error(409, "This email address is blacklisted."));
        foreach (var required in list.Fields.Where(f => f.Required && f.Tag != "EMAIL" && value(f.Tag).ToString().Length == 0))
            return (null, MwJson.Validation(required.Tag, $"The field {required.Tag} is required by the list but it has not been provided!"));
        var existing = list.FindByEmail(email);
        if (existing is not null && existing.Status != "unsubscribed")
            return (null, MwJson.Error(409, "The subscriber already exists in this list."));
        var subscriber = existing ?? new MwSubscriber { Uid = StandInState.NewUid(), ListUid = list.Uid };
        foreach (var field in list.Fields)
            if (value(field.Tag).ToString() is { Length: > 0 } v)
                list.SetField(subscriber, field.Tag, Truncate(v));
        subscriber.Status = value("details[status]").ToString() is { Length: > 0 } status ? status : "confirmed";
        if (subscriber.Status == "blacklisted")
            s.Blacklist.Add(email);
        if (existing is null)
            list.Add(subscriber);
        if (subscriber.Status == "confirmed")
            autoresponder.OnSubscribed(s, list, subscriber);
        return (subscriber, null);
    }
}
