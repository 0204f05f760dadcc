using System.CommandLine;
using EmailEngine.Data;
using EmailEngine.Tenants;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class TenantCommands
{
    public static Command Build()
    {
        var tenants = new Command("tenants", "Manage tenants (the businesses the operator sends for).");

        var slug = new Argument<string>("slug") { Description = "Tenant id used in API calls, e.g. client-1" };
        var name = new Option<string?>("--name") { Description = "Display name" };
        var language = new Option<string?>("--language") { Description = "Default language (BCP 47), e.g. fr" };
        var create = new Command("create", "Create a tenant.") { slug, name, language };
        create.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var id = result.GetValue(slug)!;
            var lang = result.GetValue(language);
            if (!TenantRules.IsValidSlug(id))
                return Fail($"slug: {TenantRules.SlugRule}");
            if (lang is not null && TenantRules.NormalizeLanguage(lang) is null)
                return Fail($"--language: {TenantRules.LanguageRule}");
            var db = services.GetRequiredService<AppDbContext>();
            if (await db.Set<Tenant>().AnyAsync(t => t.Slug == id, token))
                return Fail($"tenant '{id}' already exists");
            await services.GetRequiredService<TenantScope>().CreateAsync(id, result.GetValue(name) ?? id, TenantRules.NormalizeLanguage(lang), token);
            AnsiConsole.MarkupLineInterpolated($"[green]created[/] tenant {id}");
            return 0;
        }, ct));

        var list = new Command("list", "List tenants.");
        list.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var rows = await services.GetRequiredService<AppDbContext>().Set<Tenant>().AsNoTracking().OrderBy(t => t.Slug).ToListAsync(token);
            var table = new Table().AddColumns("slug", "name", "language", "created");
            foreach (var t in rows)
                table.AddRow(Markup.Escape(t.Slug), Markup.Escape(t.Name), t.DefaultLanguage, t.CreatedAt.ToString("u"));
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        tenants.Add(create);
        tenants.Add(list);
        return tenants;
    }

    internal static int Fail(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 1;
    }
}
