namespace MailWizzStandIn;

/// <summary>MailWizz's response envelopes, including its quirks (string counts, null paging when empty, [] for empty objects).</summary>
public static class MwJson
{
    public static IResult Success(object? data = null) =>
        Results.Json(data is null ? new Dictionary<string, object?> { ["status"] = "success" } : new Dictionary<string, object?> { ["status"] = "success", ["data"] = data });

    public static IResult Record(object record) => Success(new { record });

    public static IResult Created(string uidKey, string uid) =>
        Results.Json(new Dictionary<string, object> { ["status"] = "success", [uidKey] = uid }, statusCode: 201);

    public static IResult Error(int status, object error) =>
        Results.Json(new Dictionary<string, object> { ["status"] = "error", ["error"] = error }, statusCode: status);

    public static IResult Validation(string field, string message) => Error(422, new Dictionary<string, string> { [field] = message });

    public static IResult Page<T>(IReadOnlyList<T> all, HttpRequest request, int maxPerPage)
    {
        var page = Math.Max(1, int.TryParse(request.Query["page"], out var p) ? p : 1);
        var perPage = Math.Clamp(int.TryParse(request.Query["per_page"], out var pp) ? pp : 10, 10, maxPerPage);
        if (all.Count == 0)
            return Success(new { count = (string?)null, total_pages = (int?)null, current_page = (int?)null, next_page = (int?)null, prev_page = (int?)null, records = Array.Empty<object>() });
        var totalPages = (all.Count + perPage - 1) / perPage;
        return Success(new
        {
            count = all.Count.ToString(), total_pages = totalPages, current_page = page,
            next_page = page < totalPages ? page + 1 : (int?)null, prev_page = page > 1 ? page - 1 : (int?)null,
            records = all.Skip((page - 1) * perPage).Take(perPage).ToList(),
        });
    }

    /// <summary>PHP serializes an empty associative array as [] — clients must cope, so the stand-in does it too.</summary>
    public static object ObjectOrEmpty(IDictionary<string, object?> value) => value.Count == 0 ? Array.Empty<object>() : value;
}
