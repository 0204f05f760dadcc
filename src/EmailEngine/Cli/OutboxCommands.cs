using System.CommandLine;
using EmailEngine.Data;
using EmailEngine.Outbox;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class OutboxCommands
{
    public static Command Build()
    {
        var outbox = new Command("outbox", "Inspect and retry pushes to MailWizz.");

        var status = new Option<string?>("--status") { Description = "pending, processing, done or failed" };
        var list = new Command("list", "Show queued pushes with their last error.") { status };
        list.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var wanted = result.GetValue(status) is { } s && Enum.TryParse<OutboxStatus>(s, true, out var parsed) ? parsed : (OutboxStatus?)null;
            var rows = await services.GetRequiredService<AppDbContext>().Set<OutboxMessage>().AsNoTracking()
                .Where(m => wanted == null || m.Status == wanted).OrderByDescending(m => m.Id).Take(100).ToListAsync(token);
            var table = new Table().AddColumns("id", "kind", "resource", "status", "attempts", "next attempt", "last error");
            foreach (var m in rows)
                table.AddRow(m.Id.ToString(), m.Kind, m.ResourceKey, m.Status.ToString().ToLowerInvariant(), m.Attempts.ToString(),
                    m.NextAttemptAt.ToString("u"), Markup.Escape(m.LastError ?? ""));
            AnsiConsole.Write(table);
            return 0;
        }, ct));

        var retry = new Command("retry", "Queue every failed push again.");
        retry.SetAction((_, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var count = await OutboxEndpoints.RequeueFailedAsync(services.GetRequiredService<AppDbContext>(), TimeProvider.System, token);
            Console.WriteLine($"requeued {count} failed push(es)");
            return 0;
        }, ct));

        outbox.Add(list);
        outbox.Add(retry);
        return outbox;
    }
}
