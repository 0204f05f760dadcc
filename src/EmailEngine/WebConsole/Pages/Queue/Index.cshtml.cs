using EmailEngine.Data;
using EmailEngine.Outbox;
using Microsoft.AspNetCore.Mvc;

namespace EmailEngine.WebConsole.Pages.Queue;

/// <summary>The outbox towards MailWizz: counts by state, the latest messages with their last error, retry one or all failed.</summary>
public sealed class IndexModel(AppDbContext db, TimeProvider clock) : ConsolePage
{
    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    public OutboxListResponse List { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var outcome = await OutboxEndpoints.ListMessages(Status, db, ct);
        if (ApiOutcome.Problem(outcome) is { } problem)
        {
            TempData["error"] = problem;
            return Redirect("/ui/queue");
        }
        List = ApiOutcome.Expect<OutboxListResponse>(outcome);
        return Page();
    }

    public async Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct) =>
        AfterAction(await OutboxEndpoints.RetryMessage(id, db, clock, ct), Text["done.requeued"]);

    public async Task<IActionResult> OnPostRetryAllAsync(bool confirm, CancellationToken ct)
    {
        if (!confirm)
            return Unconfirmed();
        var outcome = await OutboxEndpoints.RetryFailed(db, clock, ct);
        return AfterAction(outcome, string.Format(Text["done.requeued_all"], ApiOutcome.Expect<RequeuedResponse>(outcome).Requeued));
    }
}
