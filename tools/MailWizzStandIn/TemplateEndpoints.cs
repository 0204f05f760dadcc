using System.Text;

namespace MailWizzStandIn;

public static class TemplateEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/templates", (HttpRequest r, StandInState s) =>
        {
            var filter = r.Query["filter[name]"].ToString();
            lock (s.Gate)
                return MwJson.Page(s.Templates.Where(t => filter.Length == 0 || t.Name.Contains(filter, StringComparison.OrdinalIgnoreCase))
                    .OrderByDescending(t => t.DateAdded).Select(t => new { template_uid = t.Uid, name = t.Name, screenshot = (string?)null }).ToList(), r, 50);
        });
        api.MapGet("/templates/{uid}", (string uid, StandInState s) =>
        {
            lock (s.Gate)
                return s.Templates.FirstOrDefault(t => t.Uid == uid) is { } t
                    ? MwJson.Record(new { name = t.Name, content = t.Content, screenshot = (string?)null })
                    : MwJson.Error(404, "The template does not exist.");
        });
        api.MapPost("/templates", async (HttpRequest request, StandInState s) =>
        {
            var form = await request.ReadFormAsync();
            var name = form["template[name]"].ToString();
            if (name.Length == 0)
                return MwJson.Validation("name", "Name cannot be blank.");
            if (Decode(form["template[content]"].ToString()) is not { Length: > 0 } content)
                return MwJson.Validation("content", "Content cannot be blank.");
            var template = new MwTemplate { Uid = StandInState.NewUid(), Name = name, Content = content };
            lock (s.Gate)
                s.Templates.Add(template);
            return MwJson.Created("template_uid", template.Uid);
        });
        api.MapPut("/templates/{uid}", async (string uid, HttpRequest request, StandInState s) =>
        {
            var form = await request.ReadFormAsync();
            lock (s.Gate)
            {
                if (s.Templates.FirstOrDefault(t => t.Uid == uid) is not { } template)
                    return MwJson.Error(404, "The template does not exist.");
                if (form["template[name]"].ToString() is { Length: > 0 } name)
                    template.Name = name;
                if (Decode(form["template[content]"].ToString()) is { Length: > 0 } content)
                    template.Content = content;
                return MwJson.Success();
            }
        });
        api.MapDelete("/templates/{uid}", (string uid, StandInState s) =>
        {
            lock (s.Gate)
                return s.Templates.RemoveAll(t => t.Uid == uid) > 0 ? MwJson.Success() : MwJson.Error(404, "The template does not exist.");
        });
    }

    /// <summary>Template content travels base64-encoded (the SDK encodes it); invalid base64 is treated as missing.</summary>
    private static string? Decode(string base64)
    {
        try
        {
            return base64.Length == 0 ? null : Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
