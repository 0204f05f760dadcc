using System.Security.Cryptography;
using System.Text;
using EmailEngine.Data;
using EmailEngine.Locks;
using EmailEngine.Metrics;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta.Deploy;

/// <summary>
/// Ships a config to its PowerMTA host (<see cref="DeploymentBundle.Host"/>): keys first, then back up the live config, swap the new one in by rename,
/// <c>pmta test config</c>, <c>pmta reload</c>, <c>pmta show status</c>. Any failure after the swap restores the
/// backup (and reloads it if a reload had happened). <c>pmta test config</c> checks the file at the live path, so
/// the swap comes first; PowerMTA keeps running its in-memory config until a reload succeeds. Each host has its own
/// lock and its own history: deployments to different hosts neither wait for nor affect each other.
/// </summary>
public sealed class ConfigDeployer(AppDbContext db, IDistributedLock locks, ISendingPoolObserver pool,
    TimeProvider clock, ILogger<ConfigDeployer> logger, EngineMetrics metrics)
{
    internal static string LockNameOf(PmtaHostOptions host) => $"pmta-deploy:{host.Name}";

    /// <summary>
    /// How long a deployment someone asked for (an operator, a warmup decision) waits for one already running on its host
    /// before it answers "another deployment is running": deployments take seconds, and the one running is often the
    /// reconciler shipping the very change being asked for.
    /// </summary>
    internal static readonly TimeSpan BusyWait = TimeSpan.FromSeconds(30);

    public async Task<Deployment> DeployAsync(DeploymentBundle bundle, string actor, bool dryRun, CancellationToken ct) =>
        (await DeployAsync(bundle, actor, dryRun, recordBusy: true, ct))!;

    /// <summary>Like <see cref="DeployAsync(DeploymentBundle, string, bool, CancellationToken)"/>, but null (and nothing
    /// recorded) when another deployment holds the host: for background work that simply comes back later.</summary>
    public Task<Deployment?> DeployIfIdleAsync(DeploymentBundle bundle, string actor, CancellationToken ct) =>
        DeployAsync(bundle, actor, dryRun: false, recordBusy: false, ct);

    private async Task<Deployment?> DeployAsync(DeploymentBundle bundle, string actor, bool dryRun, bool recordBusy, CancellationToken ct)
    {
        using var span = EngineMetrics.Tracing.StartActivity("pmta.deploy");
        span?.SetTag("pmta.actor", actor);
        span?.SetTag("pmta.host", bundle.Host.Name);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var deployment = await RunAsync(bundle, actor, dryRun, recordBusy, ct);
        if (deployment is not null)
        {
            var status = DeploymentStatuses.ToWire(deployment.Status);
            span?.SetTag("pmta.status", status);
            metrics.Deployed(status, System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
        return deployment;
    }

    private async Task<Deployment?> RunAsync(DeploymentBundle bundle, string actor, bool dryRun, bool recordBusy, CancellationToken ct)
    {
        var options = bundle.Host;
        var deployment = new Deployment
        {
            Host = options.Name, Actor = actor, Status = DeploymentStatus.Running, StartedAt = clock.GetUtcNow(), ConfigText = bundle.ConfigText,
            ConfigSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(bundle.ConfigText))),
        };
        var log = new StringBuilder();
        await using var held = await locks.AcquireWithinAsync(LockNameOf(options), TimeSpan.FromMinutes(10), recordBusy ? BusyWait : TimeSpan.Zero, ct);
        if (held is null)
            return recordBusy ? await FinishAsync(deployment, log, DeploymentStatus.Failed, "another deployment is running", ct) : null;
        if (options.Missing() is { Count: > 0 } missing)
            return await FinishAsync(deployment, log, DeploymentStatus.Failed, $"PowerMTA host not configured: set {string.Join(", ", missing)}", ct);

        PmtaShell shell;
        try
        {
            shell = await PmtaShell.ConnectAsync(options, ct);
        }
        catch (PmtaHostException e)
        {
            return await FinishAsync(deployment, log, DeploymentStatus.Failed, $"SSH: {e.Message}; nothing was changed", ct);
        }
        using (shell)
        {
            Step(log, $"connected to {options.User}@{options.Host}:{options.Port} ({shell.PresentedHostKey})");
            var live = shell.ReadText(options.ConfigPath);
            deployment.Diff = LineDiff.Unified(WithoutStamp(live), WithoutStamp(bundle.ConfigText)!, options.ConfigPath, "rendered");
            if (dryRun)
                return await FinishAsync(deployment, log, DeploymentStatus.DryRun, null, ct);
            if (deployment.Diff.Length == 0 && bundle.DkimKeys.All(key => shell.HasContent(key.RemotePath, key.Pem)))
                return await LiveAsync(await FinishAsync(deployment, log, DeploymentStatus.Unchanged, null, ct), ct);
            // Mail handed over for a pool with no IP is refused: MailWizz holds it before such a config goes live. All of
            // it when this pool is empty and no other host has an IP that may send; else the tenants left without an IP.
            var poolEmpty = RenderConfig.SendingPoolIsEmpty(bundle.ConfigText) && !await AnotherHostSendsAsync(options, ct);
            var pauses = await pool.BeforeGoingLiveAsync(poolEmpty, ct);
            if (poolEmpty)
                Step(log, "no IP may send: MailWizz's campaigns are held while the pool is empty");
            else if (pauses.Queued > 0)
                Step(log, $"{pauses.Queued} campaign(s) of tenants left without an IP that may send: pause sent to MailWizz first");
            if (pauses.NotYetPaused > 0)
                Step(log, $"{pauses.NotYetPaused} campaign(s) not paused in MailWizz yet (it failed, put off or did not confirm the pause): " +
                          "until they are, PowerMTA refuses the mail MailWizz hands over for them");
            return await LiveAsync(await ApplyAsync(shell, bundle, live, deployment, log, ct), ct);
        }
    }

    private async Task<Deployment> LiveAsync(Deployment deployment, CancellationToken ct)
    {
        if (deployment.Status is DeploymentStatus.Succeeded or DeploymentStatus.Unchanged)
            await pool.AlignAsync(ct);
        return deployment;
    }

    private async Task<bool> AnotherHostSendsAsync(PmtaHostOptions host, CancellationToken ct)
    {
        var stored = Hosts.PmtaHostDirectory.StoredName(host.Name);
        var statuses = await db.Set<Ips.SendingIp>().Where(ip => ip.Host != stored).Select(ip => ip.Status).Distinct().ToListAsync(ct);
        return statuses.Any(Ips.IpStatuses.Sends);
    }

    private async Task<Deployment> ApplyAsync(PmtaShell shell, DeploymentBundle bundle, string? live, Deployment deployment,
        StringBuilder log, CancellationToken ct)
    {
        var options = bundle.Host;
        var stamp = clock.GetUtcNow().ToString("yyyyMMddHHmmss");
        var backup = live is null ? null : $"{options.ConfigPath}.bak-{stamp}";
        var swapped = false;
        var reloaded = false;
        try
        {
            await shell.EnsureDirectoryAsync(options.DkimDirectory, ct);
            foreach (var key in bundle.DkimKeys)
                await shell.WriteAtomicallyAsync(key.RemotePath, key.Pem, UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
            Step(log, $"uploaded {bundle.DkimKeys.Count} DKIM key(s) (mode 0600)");

            var staged = $"{options.ConfigPath}.new-{stamp}";
            await shell.WriteAtomicallyAsync(staged, Encoding.UTF8.GetBytes(bundle.ConfigText),
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, ct);
            if (backup is not null)
            {
                await Require(shell.RunAsync($"cp -p {PmtaShell.Quote(options.ConfigPath)} {PmtaShell.Quote(backup)}", ct), "backup", log);
                deployment.BackupPath = backup;
            }
            await shell.RenameAsync(staged, options.ConfigPath, ct);
            swapped = true;
            Step(log, $"swapped in the new config (backup {backup ?? "none: no previous config"})");

            await Require(shell.PmtaAsync("test config", ct), "pmta test config", log);
            reloaded = true; // from here a failed reload may have half-applied: always reload the backup on rollback
            await Require(shell.PmtaAsync("reload", ct), "pmta reload", log);
            await Require(shell.PmtaAsync("show status", ct), "pmta show status", log);
            return await FinishAsync(deployment, log, DeploymentStatus.Succeeded, null, ct);
        }
        catch (PmtaHostException e)
        {
            if (!swapped)
                return await FinishAsync(deployment, log, DeploymentStatus.Failed, $"{e.Message}; the live config was not touched", ct);
            var restored = await RollBackAsync(shell, options, backup, reloaded, log, ct);
            return await FinishAsync(deployment, log, restored ? DeploymentStatus.RolledBack : DeploymentStatus.Failed,
                $"{e.Message}; {(restored ? "rolled back to the previous config" : "ROLLBACK FAILED: check the host")}", ct);
        }
    }

    private static async Task<bool> RollBackAsync(PmtaShell shell, PmtaHostOptions options, string? backup, bool reload, StringBuilder log, CancellationToken ct)
    {
        try
        {
            if (backup is null)
                await shell.RunAsync($"rm -f {PmtaShell.Quote(options.ConfigPath)}", ct);
            else
                await Require(shell.RunAsync($"cp -p {PmtaShell.Quote(backup)} {PmtaShell.Quote(options.ConfigPath)}", ct), "restore backup", log);
            if (reload && backup is not null)
                await Require(shell.PmtaAsync("reload", ct), "reload previous config", log);
            return true;
        }
        catch (PmtaHostException e)
        {
            Step(log, $"rollback failed: {e.Message}");
            return false;
        }
    }

    private static async Task Require(Task<CommandResult> command, string step, StringBuilder log)
    {
        var result = await command;
        Step(log, $"{step}: exit {result.ExitCode}{(result.Output.Length > 0 ? $"\n{result.Output}" : "")}");
        if (!result.Succeeded)
            throw new PmtaHostException($"{step} failed (exit {result.ExitCode}): {FirstLine(result.Output)}");
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0];

    /// <summary>The generation time in the header is not a change: leave it out of diffs and the "unchanged" check.</summary>
    public static string? WithoutStamp(string? config) => config is null ? null
        : string.Join('\n', config.Split('\n').Where(line => !line.StartsWith(RenderConfig.StampPrefix, StringComparison.Ordinal)));

    private static void Step(StringBuilder log, string line) => log.Append('[').Append(DateTime.UtcNow.ToString("HH:mm:ss.fff")).Append("] ").AppendLine(line);

    private async Task<Deployment> FinishAsync(Deployment deployment, StringBuilder log, DeploymentStatus status, string? error, CancellationToken ct)
    {
        deployment.Status = status;
        deployment.Error = error;
        deployment.FinishedAt = clock.GetUtcNow();
        deployment.Log = log.ToString();
        db.Add(deployment);
        await db.SaveChangesAsync(CancellationToken.None); // the record must survive a cancelled request
        logger.LogInformation("PowerMTA deployment {Id} to {Host} by {Actor}: {Status}{Error}", deployment.Id, deployment.Host, deployment.Actor, status,
            error is null ? "" : $" ({error})");
        return deployment;
    }

    /// <summary>The config text of the host's last successful deployment, for diffs without contacting the host.</summary>
    public Task<Deployment?> LastSucceededAsync(PmtaHostOptions host, CancellationToken ct) =>
        db.Set<Deployment>().AsNoTracking().Where(d => d.Host == host.Name && d.Status == DeploymentStatus.Succeeded)
            .OrderByDescending(d => d.Id).FirstOrDefaultAsync(ct);
}
