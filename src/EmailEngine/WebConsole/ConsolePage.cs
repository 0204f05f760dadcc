using EmailEngine.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EmailEngine.WebConsole;

/// <summary>What every console page shares: who is signed in, and the post-redirect-get of an action's outcome.</summary>
public abstract class ConsolePage : PageModel
{
    public Caller Caller => Caller.From(User);

    protected ConsoleText Text => HttpContext.RequestServices.GetRequiredService<ConsoleText>();

    /// <summary>The server's half of a form's confirmation box: the browser's <c>required</c> is only a convenience.</summary>
    protected IActionResult Unconfirmed() => Failed(Text["error.confirm"]);

    /// <summary>Back to the page with <paramref name="problem"/> as its error line.</summary>
    protected IActionResult Failed(string problem)
    {
        TempData["error"] = problem;
        return RedirectToPage();
    }

    /// <summary>Shows the handler's problem, or <paramref name="done"/>, on the page the browser is sent back to.</summary>
    protected IActionResult AfterAction(IResult outcome, string done, string? redirectTo = null)
    {
        if (ApiOutcome.Problem(outcome) is { } problem)
            TempData["error"] = problem;
        else
            TempData["done"] = done;
        return redirectTo is null ? RedirectToPage() : Redirect(redirectTo);
    }
}
