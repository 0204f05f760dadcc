using System.Globalization;
using EmailEngine.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.FileProviders;

namespace EmailEngine.WebConsole;

/// <summary>
/// The operator's console at <c>/ui</c>: server-rendered Razor Pages over the same handlers as the API, with a cookie
/// session opened by an API key (the operator's or a tenant's), anti-forgery tokens on every form, French and English.
/// Its scripts and styles are embedded in the engine (no CDN: the console works on an air-gapped host).
/// </summary>
public static class ConsoleSetup
{
    public const string Scheme = "Console";
    public const string Policy = "console";
    public const string OperatorPolicy = "console-operator";
    public const string LanguageCookie = "ee_lang";
    public static readonly CultureInfo[] Languages = [new("en"), new("fr")];

    public static IServiceCollection AddOperatorConsole(this IServiceCollection services, EngineSettings settings)
    {
        services.AddRazorPages(pages =>
        {
            pages.RootDirectory = "/WebConsole/Pages";
            pages.Conventions.Add(new UnderUi());
            pages.Conventions.AuthorizeFolder("/", Policy);
            pages.Conventions.AllowAnonymousToPage("/SignIn");
            foreach (var operatorOnly in new[] { "/Index", "/Ips/Index", "/PowerMta/Index", "/Queue/Index" })
                pages.Conventions.AuthorizePage(operatorOnly, OperatorPolicy);
            // The tenant page takes contact and suppression files as large as the API's upload does (IMPORT_MAX_BYTES).
            pages.Conventions.AddPageApplicationModelConvention("/Tenants/Index", page =>
            {
                page.EndpointMetadata.Add(new RequestSizeLimitAttribute(settings.ImportMaxBytes));
                page.Filters.Add(new RequestFormLimitsAttribute { MultipartBodyLengthLimit = settings.ImportMaxBytes });
            });
        });
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "ee_session";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.Path = "/ui";
            cookie.LoginPath = "/ui/signin";
            cookie.LogoutPath = "/ui/signout";
            // A tenant on an operator page goes back to its own tenant page.
            cookie.AccessDeniedPath = "/ui/tenants";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(12);
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = ConsoleSession.ValidateAsync;
        });
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(Scheme).RequireRole(Http.Caller.OperatorRole));
        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "ee_csrf";
            antiforgery.Cookie.Path = "/ui";
            antiforgery.Cookie.SameSite = SameSiteMode.Strict;
            antiforgery.FormFieldName = "__csrf";
        });
        // Session cookies are signed and encrypted with keys kept in the engine's database (every instance shares them),
        // themselves encrypted with the master key that protects the DKIM keys.
        services.AddDataProtection().SetApplicationName("email-engine").PersistKeysToDbContext<Data.AppDbContext>();
        services.AddSingleton<Microsoft.Extensions.Options.IConfigureOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>,
            SessionKeyEncryption.Setup>();
        services.Configure<Microsoft.AspNetCore.Mvc.CookieTempDataProviderOptions>(flash =>
        {
            flash.Cookie.Name = "ee_flash";
            flash.Cookie.Path = "/ui";
            flash.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddSingleton<ConsoleText>();
        services.AddScoped<ConsoleSession>();
        return services;
    }

    public static WebApplication UseOperatorConsoleAssets(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/ui"), ui =>
        {
            ui.Use(async (context, next) =>
            {
                // Only the engine's own scripts and styles; no framing; no referrer leaking the page's address.
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'";
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                await next();
            });
            ui.UseRequestLocalization(Localization());
            ui.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = new EmbeddedFileProvider(typeof(ConsoleSetup).Assembly, "EmailEngine.WebConsole.wwwroot"),
                RequestPath = "/ui/assets",
                OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = "public, max-age=3600",
            });
        });
        return app;
    }

    public static WebApplication MapOperatorConsole(this WebApplication app)
    {
        app.MapRazorPages();
        return app;
    }

    /// <summary>Where a form may send the browser back to: a console page of this engine, never elsewhere (open redirect).</summary>
    public static bool IsConsoleUrl(Microsoft.AspNetCore.Mvc.IUrlHelper url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? returnUrl) =>
        returnUrl is not null && url.IsLocalUrl(returnUrl) && returnUrl.StartsWith("/ui", StringComparison.Ordinal);

    private static RequestLocalizationOptions Localization()
    {
        var options = new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture("en"),
            SupportedCultures = Languages,
            SupportedUICultures = Languages,
            FallBackToParentCultures = true,
            FallBackToParentUICultures = true,
        };
        // The switch (a cookie) wins over the browser's Accept-Language; no language in URLs.
        options.RequestCultureProviders =
        [
            new CookieRequestCultureProvider { CookieName = LanguageCookie },
            new AcceptLanguageHeaderRequestCultureProvider(),
        ];
        return options;
    }

    /// <summary>Every console page lives under <c>/ui</c>.</summary>
    private sealed class UnderUi : IPageRouteModelConvention
    {
        public void Apply(PageRouteModel model)
        {
            foreach (var selector in model.Selectors)
                selector.AttributeRouteModel!.Template = AttributeRouteModel.CombineTemplates("ui", selector.AttributeRouteModel.Template);
        }
    }
}
