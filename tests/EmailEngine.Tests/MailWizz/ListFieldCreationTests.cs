using EmailEngine.MailWizz;
using EmailEngine.MailWizz.Sync;
using EmailEngine.Outbox;
using EmailEngine.Tenants;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace EmailEngine.Tests.MailWizz;

/// <summary>
/// A list field whose create failed is judged by reading the list's fields back. A full run caught the case this guards:
/// a concurrent push had created COMPANY ("tag already taken"), the read back met an injected error, and the template's
/// push was failed for good instead of retried.
/// </summary>
public sealed class ListFieldCreationTests
{
    [Fact]
    public async Task A_failed_create_is_judged_by_the_fields_read_back_and_a_failed_read_back_is_retried_not_failed()
    {
        var ct = CancellationToken.None;
        await using var mailwizz = await MailWizzStandInServer.StartAsync();
        await using var engine = await EngineServer.StartAsync(Provider.Sqlite, extraSettings: mailwizz.EngineSettings());
        using var scope = engine.Services.CreateScope();
        var client = scope.ServiceProvider.GetRequiredService<MailWizzClient>();
        var sync = scope.ServiceProvider.GetRequiredService<TenantListSync>();
        var tenant = new Tenant { Slug = "client-1", Name = "Client 1" };
        var listUid = (await client.CreateListAsync(new ListDefinition("ee:client-1:fr", "d", "Sender", "sender@example.com", "reply@example.com", null,
            "Co", "1 street", "Paris", "75001", "France"), ct)).Value!;
        Assert.True((await client.CreateListFieldAsync(listUid, "COMPANY", "Company", ct)).IsSuccess);

        // Taken already, as after a concurrent push: it is there when read back, so the push goes on.
        Assert.Null(await sync.CreateFieldAsync(tenant, "fr", listUid, "COMPANY", "Company", ct));

        // Refused, and not there when read back: failed, with what was being done.
        var refused = Assert.IsType<OutboxResult.Fail>(await sync.CreateFieldAsync(tenant, "fr", listUid, "company", "Company", ct));
        Assert.Contains("creating list field company", refused.Error);

        // Taken, and every read back fails (more 503s than the client's retries): nothing is known about the field.
        await mailwizz.SetFaultsAsync(new { fail_next_reads = 10 });
        var unknown = await sync.CreateFieldAsync(tenant, "fr", listUid, "COMPANY", "Company", ct);
        var retried = Assert.IsType<OutboxResult.Retry>(unknown);
        Assert.Contains("reading list fields back after creating COMPANY failed", retried.Error);
    }
}
