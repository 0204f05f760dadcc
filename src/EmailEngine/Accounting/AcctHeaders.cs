using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace EmailEngine.Accounting;

/// <summary>
/// A record's <c>header_*</c> values: a handful of pairs searched linearly (case-insensitive, like mail headers),
/// cheaper per record than a hash table.
/// </summary>
public sealed class AcctHeaders(KeyValuePair<string, string>[] pairs) : IReadOnlyDictionary<string, string>
{
    public static readonly AcctHeaders Empty = new([]);

    public int Count => pairs.Length;
    public IEnumerable<string> Keys => pairs.Select(p => p.Key);
    public IEnumerable<string> Values => pairs.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException(key);

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        foreach (var pair in pairs)
            if (pair.Key.Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                value = pair.Value;
                return true;
            }
        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, string>>)pairs).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
