namespace EmailEngine.Contacts.Import;

/// <summary>
/// Which CSV column feeds which contact field. By default, common header names in English and French
/// (Email, E-mail, Courriel, Prénom, Nom, Société…); a mapping (<c>{"E-Mail Address": "email", "Ville": "fields.CITY"}</c>)
/// overrides them. Columns mapped to nothing are ignored.
/// </summary>
public sealed class ImportColumns
{
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.OrdinalIgnoreCase)
    {
        ["email"] = "email", ["e-mail"] = "email", ["mail"] = "email", ["email address"] = "email", ["courriel"] = "email", ["adresse email"] = "email",
        ["first_name"] = "first_name", ["firstname"] = "first_name", ["first name"] = "first_name", ["fname"] = "first_name", ["prénom"] = "first_name", ["prenom"] = "first_name",
        ["last_name"] = "last_name", ["lastname"] = "last_name", ["last name"] = "last_name", ["lname"] = "last_name", ["nom"] = "last_name",
        ["company"] = "company", ["société"] = "company", ["societe"] = "company", ["entreprise"] = "company", ["organization"] = "company",
        ["language"] = "language", ["lang"] = "language", ["langue"] = "language", ["source"] = "source", ["tags"] = "tags",
    };

    public int Email { get; private init; } = -1;
    public int FirstName { get; private init; } = -1;
    public int LastName { get; private init; } = -1;
    public int Company { get; private init; } = -1;
    public int Language { get; private init; } = -1;
    public int Source { get; private init; } = -1;
    public int Tags { get; private init; } = -1;
    public IReadOnlyList<(int Index, string Tag)> Fields { get; private init; } = [];

    public static ImportColumns From(IReadOnlyList<string> headers, IReadOnlyDictionary<string, string>? mapping)
    {
        int Find(string target) => headers.Select((h, i) => (Target: Target(h), i)).FirstOrDefault(x => x.Target == target, (null, -1)).i;
        string? Target(string header)
        {
            var name = header.Trim().TrimStart('\uFEFF');
            if (mapping is not null && mapping.TryGetValue(name, out var mapped))
                return mapped.Trim().ToLowerInvariant();
            if (name.StartsWith("fields.", StringComparison.OrdinalIgnoreCase))
                return name.ToLowerInvariant();
            return Defaults.GetValueOrDefault(name);
        }
        return new ImportColumns
        {
            Email = Find("email"), FirstName = Find("first_name"), LastName = Find("last_name"), Company = Find("company"),
            Language = Find("language"), Source = Find("source"), Tags = Find("tags"),
            Fields = headers.Select((h, i) => (i, Target: Target(h))).Where(x => x.Target?.StartsWith("fields.") == true)
                .Select(x => (x.i, Tag: x.Target![7..].ToUpperInvariant()))
                .Reverse().DistinctBy(x => x.Tag).Reverse().ToList(), // two columns for one tag: the later one
        };
    }
}
