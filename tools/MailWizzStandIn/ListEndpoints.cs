using System.Net.Mail;
using System.Text.RegularExpressions;

namespace MailWizzStandIn;

public static partial class ListEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/lists", (HttpRequest r, StandInState s) => { lock (s.Gate) return MwJson.Page(s.Lists.Select(Shape).ToList(), r, 1000); });
        api.MapPost("/lists", Create);
        api.MapGet("/lists/{uid}", (string uid, StandInState s) =>
        {
            lock (s.Gate)
                return Find(s, uid) is { } list ? MwJson.Record(Shape(list)) : MwJson.Error(404, "The list does not exist.");
        });
        api.MapPut("/lists/{uid}", Update);
        api.MapDelete("/lists/{uid}", (string uid, StandInState s) =>
        {
            lock (s.Gate)
                return s.Lists.RemoveAll(l => l.Uid == uid) > 0 ? MwJson.Success() : MwJson.Error(404, "The list does not exist.");
        });
        api.MapGet("/lists/{uid}/fields", (string uid, StandInState s) =>
        {
            lock (s.Gate)
                return Find(s, uid) is { } list
                    ? MwJson.Success(new { records = list.Fields.Select(f => new { tag = f.Tag, label = f.Label, required = f.Required ? "yes" : "no", help_text = (string?)null, type = new { name = "Text", identifier = "text", description = "Text" } }).ToList() })
                    : MwJson.Error(404, "The subscribers list does not exist.");
        });
        api.MapPost("/lists/{uid}/fields", CreateField);
    }

    internal static MwList? Find(StandInState s, string uid) => s.Lists.FirstOrDefault(l => l.Uid == uid);

    private static object Shape(MwList l)
    {
        string V(string key) => l.Values.GetValueOrDefault(key, "");
        return new
        {
            general = new { list_uid = l.Uid, name = l.Name, display_name = V("general[display_name]") is { Length: > 0 } d ? d : l.Name, description = V("general[description]") },
            defaults = new { from_email = V("defaults[from_email]"), from_name = V("defaults[from_name]"), reply_to = V("defaults[reply_to]"), subject = V("defaults[subject]") },
            notifications = new { subscribe = V("notifications[subscribe]"), unsubscribe = V("notifications[unsubscribe]"), subscribe_to = V("notifications[subscribe_to]"), unsubscribe_to = V("notifications[unsubscribe_to]") },
            company = new { name = V("company[name]"), address_1 = V("company[address_1]"), address_2 = V("company[address_2]"), city = V("company[city]"), zip_code = V("company[zip_code]"), country = new { name = V("company[country]") } },
        };
    }

    /// <summary>MailWizz validates group by group and reports only the first failing group, nested.</summary>
    private static IResult? Validate(IFormCollection form, bool partial)
    {
        (string Group, string Field, string Message, Func<string, bool> Ok)[] rules =
        [
            ("general", "name", "Name cannot be blank.", v => v.Length > 0),
            ("general", "description", "Description cannot be blank.", v => v.Length > 0),
            ("defaults", "from_name", "From name cannot be blank.", v => v.Length > 0),
            ("defaults", "from_email", "From email is not a valid email address.", v => MailAddress.TryCreate(v, out _)),
            ("defaults", "reply_to", "Reply to is not a valid email address.", v => MailAddress.TryCreate(v, out _)),
        ];
        foreach (var group in rules.GroupBy(r => r.Group))
        {
            var errors = group.Where(r => !(partial && !form.ContainsKey($"{r.Group}[{r.Field}]")) && !r.Ok(form[$"{r.Group}[{r.Field}]"].ToString()))
                .ToDictionary(r => r.Field, r => r.Message);
            if (errors.Count > 0)
                return MwJson.Error(422, new Dictionary<string, object> { [group.Key] = errors });
        }
        return null;
    }

    private static async Task<IResult> Create(HttpRequest request, StandInState s)
    {
        var form = await request.ReadFormAsync();
        if (Validate(form, partial: false) is { } invalid)
            return invalid;
        var list = new MwList { Uid = StandInState.NewUid() };
        foreach (var (key, value) in form)
            list.Values[key] = value.ToString();
        lock (s.Gate)
            s.Lists.Add(list);
        return MwJson.Created("list_uid", list.Uid);
    }

    private static async Task<IResult> Update(string uid, HttpRequest request, StandInState s)
    {
        var form = await request.ReadFormAsync();
        if (Validate(form, partial: true) is { } invalid)
            return invalid;
        lock (s.Gate)
        {
            if (Find(s, uid) is not { } list)
                return MwJson.Error(404, "The list does not exist.");
            foreach (var (key, value) in form)
                list.Values[key] = value.ToString();
            return MwJson.Success();
        }
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,49}$")]
    private static partial Regex TagRule();

    private static async Task<IResult> CreateField(string uid, HttpRequest request, StandInState s)
    {
        var form = await request.ReadFormAsync();
        var tag = form["tag"].ToString();
        var label = form["label"].ToString();
        if (label.Length == 0)
            return MwJson.Validation("label", "Label cannot be blank.");
        if (!TagRule().IsMatch(tag))
            return MwJson.Validation("tag", "Tag must be uppercase letters, digits and underscores.");
        lock (s.Gate)
        {
            if (Find(s, uid) is not { } list)
                return MwJson.Error(404, "The subscribers list does not exist.");
            if (list.Fields.Any(f => f.Tag == tag))
                return MwJson.Validation("tag", $"Tag \"{tag}\" has already been taken.");
            list.Fields.Add(new MwField(tag, label, form["required"] == "yes"));
            return Results.Json(new { status = "success", data = new { record = new { tag, label, required = form["required"].ToString() } } }, statusCode: 201);
        }
    }
}
