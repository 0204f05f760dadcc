using EmailEngine.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace EmailEngine.Accounting;

/// <summary>
/// <c>POST /api/v1/accounting/upload</c> (operator): one accounting file as the raw body (<c>?name=</c> names it) or
/// several as multipart/form-data file parts; plain or gzip; <c>?host=</c> names the PowerMTA host that wrote them
/// (the default host when left out). Ingested while streaming; re-uploading a file, or a
/// longer copy of it, only adds the records not yet counted.
/// </summary>
public static class AccountingEndpoints
{
    public static IEndpointRouteBuilder MapAccountingEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/accounting").WithTags("Accounting").RequireOperator();
        group.MapPost("/upload", Upload).WithName("UploadAccounting")
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(app.ServiceProvider.GetRequiredService<Hosting.EngineSettings>().AcctUploadMaxBytes))
            .Produces<UploadResponse>().ProducesValidationProblem().ProducesProblem(409).ProducesProblem(413);
        return app;
    }

    public static async Task<IResult> Upload(HttpRequest request, string? name, string? host, AcctIngestor ingestor,
        PowerMta.Hosts.PmtaHostDirectory hosts, CancellationToken ct)
    {
        var writer = await hosts.ResolveAsync(host, ct);
        if (!writer.IsSuccess)
            return writer.Error!.ToProblem();
        var hostName = writer.Value!.Name;
        var results = new List<IngestResult>();
        try
        {
            if (MediaTypeHeaderValue.TryParse(request.ContentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
                if (string.IsNullOrEmpty(boundary))
                    return Failure.Field("body", "multipart/form-data without a boundary").ToProblem();
                var reader = new MultipartReader(boundary, request.Body);
                while (await reader.ReadNextSectionAsync(ct) is { } section)
                {
                    if (section.AsFileSection() is not { } file)
                        continue;
                    results.Add(await ingestor.IngestAsync(hostName, file.FileName is { Length: > 0 } f ? f : file.Name, file.FileStream!, final: false, ct));
                }
                if (results.Count == 0)
                    return Failure.Field("body", "no file part in the multipart body").ToProblem();
            }
            else
            {
                results.Add(await ingestor.IngestAsync(hostName, name ?? "upload", request.Body, final: false, ct));
            }
        }
        catch (ConcurrentIngestException e)
        {
            return new Failure.Conflict(e.Message).ToProblem();
        }
        catch (InvalidDataException e)
        {
            return Failure.Field("body", $"not a readable accounting file: {e.Message}").ToProblem();
        }
        catch (IOException e) when (!ct.IsCancellationRequested)
        {
            // The multipart reader's answer to a body cut short or not framed as it declares.
            return Failure.Field("body", $"malformed multipart body: {e.Message}").ToProblem();
        }
        return TypedResults.Ok(new UploadResponse(results.Select(IngestResponse.From)));
    }
}

public sealed record UploadResponse(IEnumerable<IngestResponse> Files);

public sealed record IngestResponse(string Name, string? Identity, string Status, long FromOffset, long ToOffset, long Records,
    long Suppressed, long UnknownTypes)
{
    public static IngestResponse From(IngestResult r) => new(r.Name, r.Identity, r.Status, r.FromOffset, r.ToOffset, r.Records, r.Suppressed, r.UnknownTypes);
}
