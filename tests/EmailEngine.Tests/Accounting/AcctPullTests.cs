using System.IO.Compression;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using EmailEngine.Accounting;
using EmailEngine.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static EmailEngine.Tests.Accounting.AcctFiles;

namespace EmailEngine.Tests.Accounting;

/// <summary>Incremental pull over the real test sshd: growth, a partial last line, rotation mid-file, gzip of the rotated file.</summary>
[Trait("Category", "Ssh")]
public sealed class AcctPullTests : IAsyncLifetime
{
    private readonly PmtaHost _host = new();
    private EngineServer _engine = null!;
    private string LiveFile => Path.Combine(_host.Directory, "acct.csv");
    private int _next;

    public async Task InitializeAsync()
    {
        var settings = _host.EngineSettings();
        settings["ACCT_REMOTE_FILE"] = LiveFile;
        settings["ACCT_PULL_INTERVAL_SECONDS"] = "0";
        settings["OUTBOX_WORKER"] = "off";
        _engine = await EngineServer.StartAsync(Provider.Postgres, extraSettings: settings);
    }

    public async Task DisposeAsync()
    {
        await _engine.DisposeAsync();
        _host.Dispose();
    }

    private string Records(int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
            text.Append(Line("d", "2026-11-25 10:15:00+0000", $"r{_next++}@gmail.com"));
        return text.ToString();
    }

    private async Task<Dictionary<string, IngestResult>> PullAsync(Func<EmailEngine.PowerMta.Deploy.PmtaHostOptions, EmailEngine.PowerMta.Deploy.PmtaHostOptions>? through = null)
    {
        using var scope = _engine.Services.CreateScope();
        var host = scope.ServiceProvider.GetRequiredService<EmailEngine.PowerMta.Deploy.PmtaHostOptions>();
        return (await scope.ServiceProvider.GetRequiredService<AcctPuller>().PullAsync(through?.Invoke(host) ?? host, CancellationToken.None))
            .ToDictionary(r => Path.GetFileName(r.Name));
    }

    [Fact]
    public async Task A_pull_logs_in_to_the_host_once()
    {
        // An sshd of this test's own, whose log counts the logins (the suite's is shared by tests running at the same time).
        var directory = Path.Combine(_host.Directory, "sshd");
        var sshd = await EmailEngine.Simulation.ThrowawaySshd.StartAsync(directory, CancellationToken.None);
        try
        {
            await File.WriteAllTextAsync(LiveFile, Header + Records(10));
            var pulled = await PullAsync(host => host with
            {
                Port = sshd.Port, User = sshd.User, KeyFile = sshd.ClientKey, HostKeyFingerprint = sshd.HostKeyFingerprint,
            });
            Assert.Equal(10, pulled["acct.csv"].Records);
        }
        finally
        {
            sshd.Process.Dispose(); // waits for the server's last log lines
        }
        var logins = File.ReadAllLines(Path.Combine(directory, "sshd.log")).Count(line => line.Contains("Accepted publickey", StringComparison.Ordinal));
        Assert.Equal(1, logins); // file transfer only: no second connection for commands the pull never runs
    }

    [Fact]
    public async Task Pull_follows_growth_and_rotation_without_losing_or_repeating_a_record()
    {
        await File.WriteAllTextAsync(LiveFile, Header + Records(100));
        Assert.Equal(100, (await PullAsync())["acct.csv"].Records);

        var record150 = Records(1);
        await File.AppendAllTextAsync(LiveFile, Records(49) + record150[..25]); // PowerMTA is writing record 150
        Assert.Equal(49, (await PullAsync())["acct.csv"].Records);

        // Record 150 is finished, 20 more land, then PowerMTA rotates and starts a new file.
        await File.AppendAllTextAsync(LiveFile, record150[25..] + Records(20));
        File.Move(LiveFile, Path.Combine(_host.Directory, "acct-2026-11-25-1000.csv"));
        await File.WriteAllTextAsync(LiveFile, Header + Records(30));
        var afterRotation = await PullAsync();
        Assert.Equal((21, "completed"), (afterRotation["acct-2026-11-25-1000.csv"].Records, afterRotation["acct-2026-11-25-1000.csv"].Status));
        Assert.Equal(30, afterRotation["acct.csv"].Records);

        // The rotated file is gzipped later; the live file grows.
        var rotated = Path.Combine(_host.Directory, "acct-2026-11-25-1000.csv");
        await using (var gz = new GZipStream(File.Create(rotated + ".gz"), CompressionLevel.Fastest))
        await using (var plain = File.OpenRead(rotated))
            await plain.CopyToAsync(gz);
        File.Delete(rotated);
        await File.AppendAllTextAsync(LiveFile, Records(5));
        var afterGzip = await PullAsync();
        Assert.Equal("already_complete", afterGzip["acct-2026-11-25-1000.csv.gz"].Status);
        Assert.Equal(5, afterGzip["acct.csv"].Records);

        // The CLI verb pulls the same way: nothing new, and the gzipped file is now skipped without being opened.
        var environment = new Dictionary<string, string>(_engine.Settings.Raw) { ["API_KEY"] = EngineServer.OperatorKey };
        var cli = await ProcessRunner.EngineAsync(environment, Path.GetTempPath(), "acct", "pull");
        Assert.True(cli.ExitCode == 0, cli.StdErr + cli.StdOut);
        Assert.Equal($"{LiveFile}: ingested, 0 records (bytes {new FileInfo(LiveFile).Length:N0} → {new FileInfo(LiveFile).Length:N0}), 0 suppressed", cli.StdOut.Trim());

        using var client = _engine.Client();
        var totals = (await client.GetFromJsonAsync<JsonElement>("/api/v1/stats?from=2026-11-25&to=2026-11-26")).GetProperty("totals");
        Assert.Equal(_next, totals.GetProperty("delivered").GetInt64());
        Assert.Equal(205, _next);
    }
}
