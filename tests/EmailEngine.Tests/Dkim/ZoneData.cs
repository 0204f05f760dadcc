using System.Net.Http.Json;
using System.Text.Json;

namespace EmailEngine.Tests.Dkim;

/// <summary>The records the engine says to publish (GET /api/v1/domains/{d}/dns), turned into dnsmasq options.</summary>
internal static class ZoneData
{
    public static async Task<List<JsonElement>> RecordsAsync(HttpClient client, string domain) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/v1/domains/{domain}/dns")).GetProperty("records").EnumerateArray().ToList();

    public static string Name(JsonElement record) => record.GetProperty("name").GetString()!;
    public static string Kind(JsonElement record) => record.GetProperty("kind").GetString()!;

    /// <summary>TXT as dnsmasq character-strings (our ≤255-byte split), A/AAAA without a synthesized PTR, PTR as given.</summary>
    public static IEnumerable<string> DnsmasqOptions(IEnumerable<JsonElement> records) => records.Select(record =>
    {
        var value = record.GetProperty("value").GetString()!;
        return record.GetProperty("type").GetString() switch
        {
            "TXT" => $"--txt-record={Name(record)}," + string.Join(',', record.GetProperty("strings").EnumerateArray().Select(s => s.GetString())),
            "PTR" => $"--ptr-record={Name(record)},{value}",
            _ => $"--address=/{Name(record)}/{value}",
        };
    });
}
