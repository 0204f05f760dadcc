using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EmailEngine.Tests.Accounting;

/// <summary>Builds accounting files line by line and uploads them.</summary>
internal static class AcctFiles
{
    public const string Header = "type,timeLogged,orig,rcpt,dsnAction,dsnStatus,dsnDiag,bounceCat,dlvSourceIp,vmta,jobId,header_X-EE-Tenant,header_X-EE-Campaign\n";

    public static string Line(string type, string time, string rcpt, string vmta = "vmta-1", string tenant = "client-1", string status = "",
        string diag = "", string category = "", string sourceIp = "", string job = "", string campaign = "") =>
        $"{type},{time},bounce@mail1.domain1.com,{rcpt},,{status},{Quote(diag)},{category},{sourceIp},{vmta},{job},{tenant},{campaign}\n";

    private static string Quote(string text) => text.Length == 0 ? "" : "\"" + text.Replace("\"", "\"\"") + "\"";

    public static async Task<JsonElement> UploadAsync(HttpClient client, string content, string name = "acct.csv")
    {
        using var body = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        body.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var response = await client.PostAsync($"/api/v1/accounting/upload?name={name}", body);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("files")[0];
    }
}
