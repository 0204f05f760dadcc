using System.Security.Claims;
using System.Text.Json;
using EmailEngine.Http;

namespace EmailEngine.PowerMta.Config;

public sealed record ValidationResponse(bool Valid, string Source, int Errors, int Warnings, IReadOnlyList<ConfigFinding> Findings,
    IReadOnlyList<string> Notes);

public sealed record BaseVersionResponse(int Version, string Sha256, string SourceName, string Actor, DateTimeOffset ImportedAt)
{
    public static BaseVersionResponse From(PmtaBase b) => new(b.Version, b.Sha256, b.SourceName, b.Actor, b.ImportedAt);
}

public sealed record ImportResponse(int Version, string Sha256, bool Created, string SourceName, DateTimeOffset ImportedAt, ImportReport Report);

public sealed record LatestBaseResponse(int Version, string Sha256, string SourceName, string Actor, DateTimeOffset ImportedAt, string Config,
    ImportReport Report);

public sealed record BaseResponse(LatestBaseResponse? Latest, IReadOnlyList<BaseVersionResponse> Versions);

/// <summary>
/// Config validation, V1 import and the stored bases. Config bodies are raw text (any content type: the API relabels
/// bodies as JSON, so the text is sniffed) or JSON <c>{"config": "…"}</c>.
/// </summary>
public static class ConfigApi
{
    /// <summary>
    /// Parse + semantic checks. Always 200 with <c>valid</c>: a syntax error is one more finding (with its line and
    /// column), since the caller asked for a report. No body: checks the config rendered now.
    /// </summary>
    /// <param name="host">The PowerMTA host the config is for (its IPs and key files); the default host when left out.</param>
    public static async Task<IResult> Validate(HttpRequest request, string? host, PmtaRendering rendering, Hosts.PmtaHostDirectory hosts, CancellationToken ct)
    {
        var target = await hosts.ResolveAsync(host, ct);
        if (!target.IsSuccess)
            return target.Error!.ToProblem();
        var body = await ReadConfigAsync(request, ct);
        if (!body.IsSuccess)
            return body.Error!.ToProblem();
        var source = body.Value is null ? "rendered" : "body";
        var text = body.Value ?? (await rendering.RenderAsync(target.Value!, ct)).Config;
        var context = await rendering.ValidationContextAsync(target.Value!, ct);
        try
        {
            var parsed = ConfigParser.Parse(text, new ParseOptions(source));
            var findings = ValidateConfig.Check(parsed.Document, context);
            var errors = findings.Count(f => f.Severity == ConfigFinding.Error);
            return TypedResults.Ok(new ValidationResponse(errors == 0, source, errors, findings.Count - errors, findings, parsed.Notes));
        }
        catch (ConfigParseException error)
        {
            return TypedResults.Ok(new ValidationResponse(false, source, 1, 0,
                [new ConfigFinding(ConfigFinding.Error, error.Line, error.Column, $"syntax: {error.Reason}")], []));
        }
    }

    /// <summary>Imports a V1 config as the base: 201 with the new version, 200 when identical to the latest one.</summary>
    public static async Task<IResult> ImportV1(HttpRequest request, string? name, ClaimsPrincipal user, ImportBase bases, CancellationToken ct)
    {
        var body = await ReadConfigAsync(request, ct);
        if (!body.IsSuccess)
            return body.Error!.ToProblem();
        if (body.Value is null)
            return Failure.Field("config", "send the V1 config as the body (raw text or {\"config\": \"…\"})").ToProblem();
        var outcome = await bases.ImportAsync(body.Value, name ?? "v1-config", user.Identity?.Name ?? "operator", ct);
        return outcome.ToHttp(o =>
        {
            var response = new ImportResponse(o.Base.Version, o.Base.Sha256, o.Created, o.Base.SourceName, o.Base.ImportedAt, o.Report);
            return o.Created ? TypedResults.Created("/api/v1/pmta/base", response) : TypedResults.Ok(response);
        });
    }

    public static async Task<IResult> GetBase(ImportBase bases, CancellationToken ct)
    {
        var versions = await bases.VersionsAsync(ct);
        var latest = versions.FirstOrDefault() is { } b
            ? new LatestBaseResponse(b.Version, b.Sha256, b.SourceName, b.Actor, b.ImportedAt, b.ConfigText, ImportReport.FromJson(b.ReportJson))
            : null;
        return TypedResults.Ok(new BaseResponse(latest, versions.Select(BaseVersionResponse.From).ToList()));
    }

    /// <summary>The config text of a body, null when there is none.</summary>
    private static async Task<Result<string?>> ReadConfigAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(ct);
        if (text.Trim().Length == 0)
            return (string?)null;
        if (!text.TrimStart().StartsWith('{'))
            return text; // a PowerMTA config never starts with '{'
        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.String)
                return config.GetString();
        }
        catch (JsonException)
        {
        }
        return Failure.Field("config", "expected raw config text or JSON {\"config\": \"…\"}");
    }
}
