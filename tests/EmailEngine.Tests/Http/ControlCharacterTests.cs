using System.Net;
using System.Text;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>
/// PostgreSQL cannot store U+0000: a NUL in any JSON text answered 500 on a dozen write routes. One rule now refuses a C0
/// control character (tab, LF and CR excepted) in any JSON string with a 400 naming the field, and writes nothing.
/// </summary>
public sealed class ControlCharacterTests : ApiTest
{
    [Theory]
    [InlineData("/api/v1/tenants", """{"slug": "acme", "name": "Ac\u0000me"}""", "name")]
    [InlineData("/api/v2/templates", """{"name": "t", "subject": "a\u0000b", "html": "<p>x</p>", "language": "fr", "tenant": "client-1"}""", "subject")]
    [InlineData("/api/v2/contacts", """{"email": "a@example.com", "first_name": "A\u0000", "tenant": "client-1", "language": "fr"}""", "first_name")]
    [InlineData("/api/v2/contacts", """{"email": "a@example.com", "tenant": "client-1", "language": "fr", "fields": {"CITY": "Pa\u0001ris"}}""", "fields.CITY")]
    [InlineData("/api/v1/ips", """{"ip": "203.0.113.9", "domain": "mail\u0000.example.com"}""", "domain")]
    public async Task A_control_character_in_any_json_text_is_a_400_naming_the_field_and_nothing_is_written(string path, string body, string field)
    {
        var response = await Client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("control character U+", problem.GetProperty("errors").GetProperty(field)[0].GetString());
        foreach (var table in new[] { "tenants", "templates", "contacts", "sending_ips", "outbox_messages" })
            Assert.Equal(0, await Server.Postgres.ScalarAsync<long>($"SELECT count(*) FROM {table}"));
    }

    [Fact]
    public async Task Tabs_and_line_breaks_stay_allowed()
    {
        var response = await Client.PostAsync("/api/v2/templates", new StringContent(
            """{"name": "t", "subject": "a\tb", "html": "<p>\r\nx\n</p>", "language": "fr", "tenant": "client-1"}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
