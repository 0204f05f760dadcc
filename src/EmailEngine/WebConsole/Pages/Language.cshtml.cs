using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace EmailEngine.WebConsole.Pages;

/// <summary>The language switch: remembered in a cookie for a year, over the browser's Accept-Language.</summary>
[AllowAnonymous]
public sealed class LanguageModel : PageModel
{
    public IActionResult OnGet() => Redirect("/ui");

    public IActionResult OnPost(string? lang, string? returnUrl)
    {
        if (ConsoleSetup.Languages.Any(l => l.Name == lang))
            Response.Cookies.Append(ConsoleSetup.LanguageCookie, CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(lang!)),
                new CookieOptions { Path = "/ui", MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Strict, HttpOnly = true, Secure = Request.IsHttps });
        return ConsoleSetup.IsConsoleUrl(Url, returnUrl)
            ? LocalRedirect(returnUrl) : Redirect("/ui");
    }
}
