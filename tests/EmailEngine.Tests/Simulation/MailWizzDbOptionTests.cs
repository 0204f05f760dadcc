using EmailEngine.Simulation;
using EmailEngine.Tests.Infrastructure;

namespace EmailEngine.Tests.Simulation;

/// <summary>
/// <c>simulate --mailwizz-db</c> refuses what cannot work before anything starts: a value that is not a
/// <c>mysql://</c> URL, and (on the real test MariaDB) a database without MailWizz's delivery-server tables or with rows
/// already in them, each with a message that says what to do.
/// </summary>
public sealed class MailWizzDbOptionTests
{
    [Fact]
    public void A_value_that_is_not_a_mysql_url_is_a_problem_of_the_option()
    {
        Assert.Contains("--mailwizz-db: expected mysql://user:pass@host:port/database", new SimulationOptions { MailWizzDb = "Server=db;Database=mw" }.Problems());
        Assert.Empty(new SimulationOptions { MailWizzDb = "mysql://root:@127.0.0.1:3306/mailwizz" }.Problems());
    }

    [Fact]
    public async Task A_database_without_the_tables_or_with_rows_in_them_is_refused_with_what_to_do()
    {
        await using var other = await MariaDatabase.CreateAsync("xx_");
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            MailWizzServerRows.CreateAsync(other.ConnectionString, [(1, "EE vmta-1", 2525)], CancellationToken.None));
        Assert.Contains("no mw_delivery_server table", missing.Message);

        await using var mailWizz = await MariaDatabase.CreateAsync();
        await MailWizzServerRows.CreateAsync(mailWizz.ConnectionString, [(1, "EE vmta-1", 2525)], CancellationToken.None);
        var taken = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            MailWizzServerRows.CreateAsync(mailWizz.ConnectionString, [(1, "EE vmta-1", 2525)], CancellationToken.None));
        Assert.Contains("server_id 1 already exists", taken.Message);
        Assert.Equal(("active", 0), ((await mailWizz.ServerAsync(1)).Status, (await mailWizz.ServerAsync(1)).DailyQuota));
    }
}
