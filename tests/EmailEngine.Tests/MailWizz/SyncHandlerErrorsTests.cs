using EmailEngine.MailWizz;
using EmailEngine.MailWizz.Sync;
using EmailEngine.Outbox;

namespace EmailEngine.Tests.MailWizz;

/// <summary>Which MailWizz errors use up an outbox attempt: only those of requests that went out.</summary>
public sealed class SyncHandlerErrorsTests
{
    [Fact]
    public void A_request_held_back_by_the_open_circuit_or_the_rate_limit_waits_without_using_an_attempt()
    {
        var held = SyncHandlerErrors.From(new MailWizzError(MailWizzErrorKind.Unavailable, "MailWizz circuit open after repeated failures", HeldBack: true), "pushing");
        Assert.Equal(TimeSpan.FromSeconds(5), Assert.IsType<OutboxResult.Defer>(held).After);
        var limited = SyncHandlerErrors.From(new MailWizzError(MailWizzErrorKind.Unavailable, "rate limit", RetryAfter: TimeSpan.FromSeconds(1), HeldBack: true), "pushing");
        Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<OutboxResult.Defer>(limited).After);
    }

    [Fact]
    public void Failures_of_requests_that_went_out_are_retried_or_final()
    {
        Assert.IsType<OutboxResult.Retry>(SyncHandlerErrors.From(new MailWizzError(MailWizzErrorKind.Unavailable, "MailWizz HTTP 503"), "pushing"));
        Assert.IsType<OutboxResult.Retry>(SyncHandlerErrors.From(new MailWizzError(MailWizzErrorKind.Auth, "bad key"), "pushing"));
        Assert.IsType<OutboxResult.Fail>(SyncHandlerErrors.From(new MailWizzError(MailWizzErrorKind.Validation, "name required"), "pushing"));
    }
}
