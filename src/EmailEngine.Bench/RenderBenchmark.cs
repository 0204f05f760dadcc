using System.Diagnostics;
using EmailEngine.Deliverability.Stats;
using EmailEngine.Ips;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Config;
using EmailEngine.Tenants;
using EmailEngine.Warmup;

namespace EmailEngine.Bench;

/// <summary>
/// <c>./run bench render</c>: the operator's planned scale (hosts, IPs, tenants, sending domains), rendered and
/// validated host by host with the per-ISP blocks and the warmup limits of the IPs still warming, as a deployment to
/// every host does it; then the warmup decision's reads and verdicts for every IP over 90 days of stats. Each is timed
/// against today's install (one host, 5 IPs) in the same run, median of 7 passes after an untimed one.
/// </summary>
public sealed class RenderBenchmark(StatsBenchmark stats, IWarmupOutcomes outcomes, WarmupOptions warmup)
{
    public sealed record Shape(int Hosts, int Ips, int Tenants, int Domains, int Days);

    public sealed record Result(double FleetMs, double BaselineMs, double DecisionsMs, double BaselineDecisionsMs);

    private const int Passes = 7;

    public async Task<Result> RunAsync(Shape shape, TextWriter output, CancellationToken ct)
    {
        var fleet = Fleet.Build(shape);
        var today = Fleet.Build(new Shape(1, 5, 1, 1, shape.Days));
        var now = DateTimeOffset.UtcNow;
        var (fleetMs, lines, findings) = TimeRender(fleet, now);
        var (baselineMs, _, _) = TimeRender(today, now);
        output.WriteLine($"render + parse + validate, {shape.Hosts} hosts × {shape.Ips / shape.Hosts} IPs, {shape.Tenants} tenants, {shape.Domains} domains, "
            + $"{fleet.Warmups.Count} IPs warming: median {fleetMs:F1} ms for all hosts ({lines:N0} config lines, {findings} error findings)");
        output.WriteLine($"  today's install (1 host, 5 IPs): median {baselineMs:F2} ms; ratio {fleetMs / baselineMs:F1}× for {shape.Ips / 5.0:F0}× the IPs");
        if (findings > 0)
            throw new InvalidOperationException($"the rendered configs have {findings} error findings: the benchmark would time a broken fleet");

        var from = now.AddDays(-shape.Days);
        await stats.FillAsync(new StatsBenchmark.Shape(shape.Ips, shape.Tenants, 1, shape.Days), ct);
        try
        {
            var decisionsMs = await TimeDecisionsAsync(shape.Ips, from, now, ct);
            var baselineDecisionsMs = await TimeDecisionsAsync(5, from, now, ct);
            output.WriteLine($"warmup decision reads and verdicts for {shape.Ips} IPs over {shape.Days} days of hourly stats: median {decisionsMs:F0} ms "
                + $"({decisionsMs / shape.Ips:F2} ms per IP)");
            output.WriteLine($"  for 5 IPs: median {baselineDecisionsMs:F1} ms; ratio {decisionsMs / baselineDecisionsMs:F1}× for {shape.Ips / 5.0:F0}× the IPs");
            return new Result(fleetMs, baselineMs, decisionsMs, baselineDecisionsMs);
        }
        finally
        {
            await stats.DeleteAsync(ct);
        }
    }

    private (double MedianMs, int Lines, int Findings) TimeRender(Fleet fleet, DateTimeOffset now)
    {
        var (lines, findings) = (0, 0);
        var timings = new List<double>();
        for (var pass = 0; pass <= Passes; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            (lines, findings) = (0, 0);
            foreach (var host in fleet.Hosts)
            {
                var config = RenderConfig.Render(host.Ips, host.Settings, now, warmupLimits: WarmupPacing.LimitsOf(fleet.Warmups, host.Ips, warmup));
                findings += ValidateConfig.Check(ConfigParser.Parse(config).Document, PmtaRendering.ContextFor(host.Ips, host.Settings))
                    .Count(f => f.Severity == ConfigFinding.Error);
                lines += config.Count(c => c == '\n');
            }
            if (pass > 0) // the first pass lets the JIT tier the loops up
                timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return (Runs.MedianBy(timings, t => t), lines, findings);
    }

    /// <summary>What the daily run reads and decides for its warming IPs (their figures from the stats, the gates' verdicts); nothing is saved.</summary>
    private async Task<double> TimeDecisionsAsync(int ips, DateTimeOffset windowStart, DateTimeOffset now, CancellationToken ct)
    {
        var timings = new List<double>();
        for (var pass = 0; pass <= Passes; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            var figures = await WarmupFigures.CollectManyAsync(outcomes, Enumerable.Range(1, ips).Select(ip => (StatsBenchmark.VmtaOf(ip), windowStart)).ToList(),
                now, ct);
            foreach (var ipFigures in figures.Values)
                if (WarmupGates.Evaluate(ipFigures, warmup).Reason.Length == 0)
                    throw new InvalidOperationException("a verdict without a reason");
            if (pass > 0)
                timings.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        return Runs.MedianBy(timings, t => t);
    }

    /// <summary>IPs given to hosts round-robin (<see cref="SendingIp.Host"/>, as the registry does), tenants and domains likewise;
    /// every third IP still warming, at a day of its own.</summary>
    private sealed record Fleet(IReadOnlyList<(IReadOnlyList<SendingIp> Ips, PmtaRenderSettings Settings)> Hosts, IReadOnlyList<IpWarmup> Warmups)
    {
        public static Fleet Build(Shape shape)
        {
            var tenants = Enumerable.Range(1, shape.Tenants).Select(t => new Tenant { Id = t, Slug = $"tenant-{t}", Name = $"Tenant {t}" }).ToList();
            var ips = Enumerable.Range(1, shape.Ips).Select(i => new SendingIp
            {
                Id = i, Address = $"10.{i / 250}.{i % 250}.{1 + i % 7}", Domain = $"mail{i}.domain{i % shape.Domains}.fr",
                Status = i % 3 == 0 ? IpStatus.Warming : i % 17 == 0 ? IpStatus.Standby : IpStatus.Active,
                TenantId = tenants[i % tenants.Count].Id, Tenant = tenants[i % tenants.Count], Host = $"pmta{i % shape.Hosts}",
            }).ToList();
            var plan = WarmupPresets.Conservative;
            var warmups = ips.Where(ip => ip.Status == IpStatus.Warming).Select(ip => new IpWarmup
            {
                IpId = ip.Id, Ip = ip, PlanName = plan.Name, Quotas = string.Join(',', plan.DailyQuotas), Phase = WarmupPhase.Running,
                SendingDay = 1 + (int)(ip.Id % plan.DailyQuotas.Count),
            }).ToList();
            foreach (var state in warmups)
                state.SetAllSteps(state.SendingDay);
            var hosts = ips.GroupBy(ip => ip.Host!).OrderBy(g => g.Key).Select(host => ((IReadOnlyList<SendingIp>)host.ToList(),
                new PmtaRenderSettings($"{host.Key}.example.net", "postmaster@example.net", ["192.0.2.10"], "/etc/pmta/dkim", "ee1"))).ToList();
            return new Fleet(hosts, warmups);
        }
    }
}
