namespace MailWizzStandIn;

public sealed class MwList
{
    public required string Uid { get; init; }
    public Dictionary<string, string> Values { get; init; } = new(); // "general[name]" → value, as posted
    public List<MwField> Fields { get; init; } = [new("EMAIL", "Email", true), new("FNAME", "First name", false), new("LNAME", "Last name", false)];
    public List<MwSubscriber> Subscribers { get; init; } = [];
    public string Name => Values.GetValueOrDefault("general[name]", "");

    // Found by address and by uid as MailWizz's indexed columns find them: a list of thousands is not scanned for each
    // subscriber added or message rendered. Built on first use (a list loaded from the state file has none yet), then
    // kept up to date by the methods below, the only ones that add, remove or readdress a subscriber.
    private Dictionary<string, MwSubscriber>? _byEmail;
    private Dictionary<string, MwSubscriber>? _byUid;

    public MwSubscriber? FindByEmail(string email) => Indexed().ByEmail.GetValueOrDefault(email);

    public MwSubscriber? FindByUid(string uid) => Indexed().ByUid.GetValueOrDefault(uid);

    public void Add(MwSubscriber subscriber)
    {
        var (byEmail, byUid) = Indexed();
        Subscribers.Add(subscriber);
        byEmail[subscriber.Email] = subscriber;
        byUid[subscriber.Uid] = subscriber;
    }

    public bool Remove(string uid)
    {
        var (byEmail, byUid) = Indexed();
        if (!byUid.Remove(uid, out var subscriber))
            return false;
        byEmail.Remove(subscriber.Email);
        Subscribers.Remove(subscriber);
        return true;
    }

    /// <summary>Sets a field; a new EMAIL moves the subscriber in the address index.</summary>
    public void SetField(MwSubscriber subscriber, string tag, string value)
    {
        var (byEmail, byUid) = Indexed();
        // A subscriber not added yet is indexed by Add, with the address it has by then.
        var readdressed = tag == "EMAIL" && byUid.ContainsKey(subscriber.Uid);
        if (readdressed)
            byEmail.Remove(subscriber.Email);
        subscriber.Fields[tag] = value;
        if (readdressed)
            byEmail[subscriber.Email] = subscriber;
    }

    private (Dictionary<string, MwSubscriber> ByEmail, Dictionary<string, MwSubscriber> ByUid) Indexed()
    {
        if (_byEmail is null || _byUid is null)
        {
            _byEmail = new Dictionary<string, MwSubscriber>(StringComparer.OrdinalIgnoreCase);
            _byUid = new Dictionary<string, MwSubscriber>(StringComparer.Ordinal);
            foreach (var subscriber in Subscribers)
                (_byEmail[subscriber.Email], _byUid[subscriber.Uid]) = (subscriber, subscriber);
        }
        return (_byEmail, _byUid);
    }
}

public sealed record MwField(string Tag, string Label, bool Required);

public sealed class MwSubscriber
{
    public required string Uid { get; init; }
    public required string ListUid { get; init; }
    public Dictionary<string, string> Fields { get; init; } = new(StringComparer.Ordinal);
    public string Status { get; set; } = "confirmed";
    public string Source { get; set; } = "api";
    public DateTime DateAdded { get; init; } = DateTime.UtcNow;
    public string Email => Fields.GetValueOrDefault("EMAIL", "");
}

public sealed class MwTemplate
{
    public required string Uid { get; init; }
    public required string Name { get; set; }
    public required string Content { get; set; }
    public DateTime DateAdded { get; init; } = DateTime.UtcNow;
}

public sealed class MwCampaign
{
    public required string Uid { get; init; }
    public Dictionary<string, string> Values { get; init; } = new(); // "name", "type", "options[autoresponder_event]", …
    public required string ListUid { get; set; }
    public required string TemplateUid { get; set; }
    /// <summary>MailWizz copies the template's content into the campaign.</summary>
    public required string Content { get; set; }
    public string Status { get; set; } = "pending-sending";
    public DateTime DateAdded { get; init; } = DateTime.UtcNow;
    public string V(string key) => Values.GetValueOrDefault(key, "");
}

public sealed record LoggedRequest(DateTime At, string Method, string Path, int Status);

/// <summary>All stand-in state, guarded by one lock: simple and correct under concurrent requests.</summary>
public sealed class StandInState
{
    public object Gate { get; } = new();
    public List<MwList> Lists { get; } = [];
    public List<MwTemplate> Templates { get; } = [];
    public List<MwCampaign> Campaigns { get; } = [];
    public HashSet<string> Blacklist { get; } = new(StringComparer.OrdinalIgnoreCase);
    public Outbox Outbox { get; } = new();
    public List<LoggedRequest> Requests { get; } = [];

    private static readonly string Alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewUid() => string.Create(13, 0, (span, _) =>
    {
        for (var i = 0; i < span.Length; i++)
            span[i] = Alphabet[Random.Shared.Next(Alphabet.Length)];
    });

    public void Reset()
    {
        lock (Gate)
        {
            Lists.Clear(); Templates.Clear(); Campaigns.Clear(); Blacklist.Clear(); Outbox.Clear(); Requests.Clear();
        }
    }
}
