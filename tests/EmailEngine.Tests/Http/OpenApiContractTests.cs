using System.Net.Http.Headers;
using System.Text.Json;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Http;

/// <summary>The check every test client applies (<see cref="OpenApiContract"/>), on a small document of its own.</summary>
public sealed class OpenApiContractTests
{
    private static readonly OpenApiContract Contract = new(JsonDocument.Parse("""
        {
          "paths": {
            "/api/v1/things/{id}": { "get": { "responses": { "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
              "404": { "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } } } } },
            "/api/v1/things/export": { "get": { "responses": { "200": { "content": { "text/csv": {} } } } } }
          },
          "components": { "schemas": {
            "Thing": { "type": "object", "required": ["id", "name", "note"], "properties": {
              "id": { "type": ["integer", "string"] }, "name": { "type": "string" }, "note": { "type": ["null", "string"] },
              "tags": { "type": "array", "items": { "type": "string" } },
              "owner": { "oneOf": [ { "type": "null" }, { "$ref": "#/components/schemas/Owner" } ] } } },
            "Owner": { "type": "object", "required": ["slug"], "properties": { "slug": { "type": "string" } } },
            "Problem": { "type": "object", "properties": { "title": { "type": ["null", "string"] }, "status": { "type": ["null", "integer"] } } }
          } }
        }
        """).RootElement);

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private static readonly MediaTypeHeaderValue Problem = new("application/problem+json");

    private static string? Check(string body, int status = 200, string path = "/api/v1/things/7") =>
        Contract.Violation("GET", path, status, Json, body);

    [Fact]
    public void A_body_that_fits_its_schema_passes()
    {
        Assert.Null(Check("""{"id":7,"name":"a","note":null,"tags":["x"],"owner":{"slug":"acme"}}"""));
        Assert.Null(Check("""{"id":7,"name":"a","note":"n","owner":null}"""));
        Assert.Null(Contract.Violation("GET", "/api/v1/things/export", 200, new MediaTypeHeaderValue("text/csv"), "id\n7\n"));
        // A problem document may carry extension members (RFC 9457); 401 is declared once for every route.
        Assert.Null(Contract.Violation("GET", "/api/v1/things/7", 404, Problem, """{"title":"Not found","status":404,"trace_id":"00-ab"}"""));
        Assert.Null(Contract.Violation("GET", "/api/v1/things/7", 401, Problem, """{"title":"Unauthorized"}"""));
        Assert.Null(Contract.Violation("GET", "/health", 503, Json, "{}")); // only /api answers are held to the document
    }

    [Theory]
    [InlineData("""{"id":7,"name":"a","note":null,"colour":"red"}""", "$.colour is not in the schema")]
    [InlineData("""{"id":7,"note":null}""", "$.name is required but missing")]
    [InlineData("""{"id":7,"name":3,"note":null}""", "$.name is Number, declared \"string\"")]
    [InlineData("""{"id":7,"name":"a","note":null,"tags":[1]}""", "$.tags[0] is Number")]
    [InlineData("""{"id":7,"name":"a","note":null,"owner":{"name":"acme"}}""", "$.owner fits none of its 2 forms")]
    public void A_body_that_drifted_from_its_schema_is_named_with_the_field(string body, string expected)
    {
        var violation = Check(body);

        Assert.NotNull(violation);
        Assert.StartsWith("GET /api/v1/things/{id} 200: ", violation);
        Assert.Contains(expected, violation);
    }

    [Fact]
    public void An_undeclared_status_or_media_type_or_an_unknown_operation_is_a_violation()
    {
        Assert.Equal("GET /api/v1/things/{id} 201: status not declared", Check("{}", status: 201));
        Assert.Equal("GET /api/v1/things/{id} 409: status not declared", Contract.Violation("GET", "/api/v1/things/7", 409, Problem, "{}"));
        Assert.Equal("GET /api/v1/things/{id} 404: a body of type application/json where the document declares none", Check("{}", status: 404));
        Assert.Contains("$.status is String", Contract.Violation("GET", "/api/v1/things/7", 404, Problem, """{"status":"404"}"""));
        Assert.Equal("GET /api/v1/nothing: no such operation in the document", Check("{}", path: "/api/v1/nothing"));
    }
}
