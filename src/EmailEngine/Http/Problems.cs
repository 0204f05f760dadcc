using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace EmailEngine.Http;

/// <summary>The one place where failures become RFC 9457 problem details.</summary>
public static class Problems
{
    public static IResult ToProblem(this Failure failure) => failure switch
    {
        Failure.Validation v => WithErrors(v.Status, "Invalid request", v.Detail, v.Errors),
        Failure.NotFound f => Problem(404, "Not found", f.Detail),
        Failure.Conflict { Errors: { } errors } c => WithErrors(409, "Conflict", c.Detail, errors),
        Failure.Conflict c => Problem(409, "Conflict", c.Detail),
        Failure.Forbidden f => Problem(403, "Forbidden", f.Detail),
        Failure.Unavailable u => Problem(503, "Service unavailable", u.Detail),
        _ => Problem(500, "Unexpected failure", failure.Detail),
    };

    public static IResult ToHttp<T>(this Result<T> result, Func<T, IResult> onSuccess) =>
        result.IsSuccess ? onSuccess(result.Value!) : result.Error!.ToProblem();

    public static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title, type: TypeFor(title));

    private static IResult WithErrors(int status, string title, string detail, IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Status = status, Title = title, Detail = detail, Type = TypeFor(title),
        });

    private static string TypeFor(string title) => $"https://email-engine.dev/problems/{title.ToLowerInvariant().Replace(' ', '-')}";

    /// <summary>Writes a problem directly (middleware, auth handlers) with the registered problem-details writer.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail,
        IDictionary<string, string[]>? errors = null)
    {
        context.Response.StatusCode = status;
        ProblemDetails details = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        details.Status = status;
        details.Title = title;
        details.Detail = detail;
        details.Type = TypeFor(title);
        var writer = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await writer.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details });
    }
}
