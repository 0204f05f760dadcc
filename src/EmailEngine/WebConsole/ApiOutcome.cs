using Microsoft.AspNetCore.Http.HttpResults;

namespace EmailEngine.WebConsole;

/// <summary>
/// The console calls the API's own handlers, so a page shows what the API answers and an action is validated as the
/// API validates it. This reads a handler's result: its value, or its problem as one line for the page.
/// </summary>
public static class ApiOutcome
{
    public static T? Value<T>(IResult result) where T : class => result is IValueHttpResult<T> ok ? ok.Value : null;

    public static T Expect<T>(IResult result) where T : class =>
        Value<T>(result) ?? throw new InvalidOperationException($"the handler answered {Problem(result) ?? result.GetType().Name}");

    /// <summary>A handler's text answer (a rendered config, a diff).</summary>
    public static string Text(IResult result) => (result as ContentHttpResult)?.ResponseContent
        ?? throw new InvalidOperationException($"the handler answered {Problem(result) ?? result.GetType().Name}");

    /// <summary>The problem's detail with its field messages, or null when the handler succeeded.</summary>
    public static string? Problem(IResult result)
    {
        var problem = (result as ProblemHttpResult)?.ProblemDetails;
        if (problem is null)
            return result is IStatusCodeHttpResult { StatusCode: >= 400 } status ? $"HTTP {status.StatusCode}" : null;
        var fields = problem is HttpValidationProblemDetails validation
            ? validation.Errors.Select(e => $"{e.Key}: {string.Join("; ", e.Value)}")
            : [];
        return string.Join(" — ", new[] { problem.Detail ?? problem.Title }.Concat(fields).Where(s => !string.IsNullOrEmpty(s)));
    }
}

/// <summary>Hands a handler's own answer (a CSV export, a rejects file) to the browser unchanged.</summary>
public sealed class ApiResultAction(IResult result) : Microsoft.AspNetCore.Mvc.IActionResult
{
    public Task ExecuteResultAsync(Microsoft.AspNetCore.Mvc.ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
