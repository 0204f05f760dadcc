using EmailEngine.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EmailEngine.WebConsole.Pages;

/// <summary>Opens a session with the operator key or a tenant key; the key travels once, in the form body.</summary>
public sealed class SignInModel(ConsoleSession sessions) : PageModel
{
    public bool Refused { get; private set; }

    public async Task<IActionResult> OnPostAsync(string? key, string? returnUrl, CancellationToken ct)
    {
        var principal = key is null ? null : await sessions.PrincipalForAsync(key, ct);
        if (principal is null)
        {
            Refused = true;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(ConsoleSetup.Scheme, principal);
        var caller = Caller.From(principal);
        if (ConsoleSetup.IsConsoleUrl(Url, returnUrl))
            return LocalRedirect(returnUrl);
        return Redirect(caller.IsOperator ? "/ui" : $"/ui/tenants/{Uri.EscapeDataString(caller.TenantSlug!)}");
    }
}
