using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;
using EmailEngine.Tests.Ips;
using EmailEngine.Tests.Templates;

namespace EmailEngine.Tests.Campaigns;

public sealed class CampaignApiTests : ApiTest
{
    private async Task<long> TemplateAsync(string tenant = "client-1")
    {
        var response = await Client.PostAsJsonAsync("/api/v2/templates", TemplateApiTests.SeedTemplate(tenant));
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    [Fact]
    public async Task Seed_campaign_is_an_autoresponder_on_subscription()
    {
        var templateId = await TemplateAsync();

        var response = await Client.PostAsJsonAsync("/api/v2/campaigns", new
        {
            name = "nurture_v2_fr", template_id = templateId, type = "autoresponder", trigger = "subscription", tenant = "client-1",
        });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("autoresponder", body.GetProperty("type").GetString());
        Assert.Equal("subscription", body.GetProperty("trigger").GetString());
        Assert.Equal("active", body.GetProperty("status").GetString());
        Assert.Equal("pending", body.GetProperty("sync").GetProperty("status").GetString());
        Assert.Equal(1, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM outbox_messages WHERE kind = 'mailwizz.campaign'"));
    }

    [Fact]
    public async Task Template_of_another_tenant_is_422_and_nothing_is_written()
    {
        var foreignTemplate = await TemplateAsync("client-2");

        var response = await Client.PostAsJsonAsync("/api/v2/campaigns", new
        {
            name = "nurture", template_id = foreignTemplate, type = "autoresponder", trigger = "subscription", tenant = "client-1",
        });

        await IpValidationTests.AssertFieldError(response, HttpStatusCode.UnprocessableEntity, "template_id");
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM campaigns"));
    }

    [Theory]
    [InlineData("""{"template_id": 1, "tenant": "client-1"}""", "name")]
    [InlineData("""{"name": "n", "tenant": "client-1"}""", "template_id")]
    [InlineData("""{"name": "n", "template_id": 99999, "tenant": "client-1"}""", "template_id")]
    [InlineData("""{"name": "n", "template_id": 1, "type": "drip", "tenant": "client-1"}""", "type")]
    [InlineData("""{"name": "n", "template_id": 1, "trigger": "open", "tenant": "client-1"}""", "trigger")]
    [InlineData("""{"name": "n", "template_id": 1, "type": "regular", "tenant": "client-1"}""", "send_at")]
    [InlineData("""{"name": "n", "template_id": 1, "delay": {"value": -1, "unit": "day"}, "tenant": "client-1"}""", "delay.value")]
    [InlineData("""{"name": "n", "template_id": 1, "delay": {"value": 1, "unit": "fortnight"}, "tenant": "client-1"}""", "delay.unit")]
    [InlineData("""{"name": "n", "template_id": 1, "from_email": "not-an-email", "tenant": "client-1"}""", "from_email")]
    [InlineData("""{"name": "n", "template_id": 1}""", "tenant")]
    public async Task Bad_input_gets_a_field_error(string json, string field)
    {
        await TemplateAsync();

        var response = await Client.PostAsync("/api/v2/campaigns", new StringContent(json));

        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity);
        await IpValidationTests.AssertFieldError(response, response.StatusCode, field);
        Assert.Equal(0, await Server.Postgres.ScalarAsync<long>("SELECT count(*) FROM campaigns"));
    }

    [Fact]
    public async Task Pause_resume_and_delete_queue_pushes()
    {
        var templateId = await TemplateAsync();
        var created = await (await Client.PostAsJsonAsync("/api/v2/campaigns", new
        {
            name = "nurture_v2_fr", template_id = templateId, tenant = "client-1", delay = new { value = 2, unit = "hour" },
        })).Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("id").GetInt64();

        var paused = await (await Client.PostAsync($"/api/v2/campaigns/{id}/pause", null)).Content.ReadFromJsonAsync<JsonElement>();
        var resumed = await (await Client.PostAsync($"/api/v2/campaigns/{id}/resume", null)).Content.ReadFromJsonAsync<JsonElement>();
        var templateDelete = await Client.DeleteAsync($"/api/v2/templates/{templateId}");
        var deleted = await Client.DeleteAsync($"/api/v2/campaigns/{id}");

        Assert.Equal("paused", paused.GetProperty("status").GetString());
        Assert.Equal("active", resumed.GetProperty("status").GetString());
        Assert.Equal(2, resumed.GetProperty("delay").GetProperty("value").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, templateDelete.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync($"/api/v2/campaigns/{id}")).StatusCode);
    }
}
