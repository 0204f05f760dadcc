using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

public sealed class HttpBehaviourTests : IAsyncLifetime
{
    private EngineServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await EngineServer.StartAsync(Provider.Sqlite);
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private Task<HttpResponseMessage> PostRawAsync(string body, string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return _client.PostAsync("/api/v1/ips", content);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("text/plain")]
    [InlineData("application/json; charset=utf-8")]
    public async Task Json_body_is_accepted_whatever_the_content_type_says(string? contentType)
    {
        var response = await PostRawAsync("""{"ip":"203.0.113.1","domain":"mail1.domain1.com","status":"warming"}""", contentType);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Malformed_json_returns_400_naming_the_position()
    {
        var response = await PostRawAsync("{\n  \"ip\": \"203.0.113.1\",\n  \"domain\": }", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches(@"line 3, position \d+", problem.GetProperty("detail").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("body", out _));
    }

    [Fact]
    public async Task Wrong_json_type_names_the_field()
    {
        var response = await PostRawAsync("""{"ip": 12, "domain": "mail1.domain1.com"}""", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("ip", out _));
    }

    [Fact]
    public async Task Unknown_fields_are_ignored()
    {
        var response = await PostRawAsync("""{"ip":"203.0.113.1","domain":"mail1.domain1.com","colour":"blue","nested":{"a":[1,2]}}""", null);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Empty_body_returns_400_not_500()
    {
        var response = await _client.PostAsync("/api/v1/ips", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Oversized_body_returns_413()
    {
        var huge = $$"""{"ip":"203.0.113.1","domain":"{{new string('a', 1_200_000)}}"}""";

        var response = await PostRawAsync(huge, "application/json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Oversized_chunked_body_returns_413_problem()
    {
        var huge = $$"""{"ip":"203.0.113.1","domain":"{{new string('a', 1_200_000)}}"}""";
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(huge)));
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ips") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Openapi_document_and_docs_page_are_served()
    {
        using var anonymous = _server.Client(apiKey: null);

        var openapi = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var docs = await anonymous.GetAsync("/docs/");

        Assert.True(openapi.GetProperty("paths").TryGetProperty("/api/v1/ips", out _));
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health")).StatusCode);
    }
}
