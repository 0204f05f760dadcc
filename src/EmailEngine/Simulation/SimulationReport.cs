using System.Globalization;
using System.Text;
using Spectre.Console;

namespace EmailEngine.Simulation;

/// <summary>The run's outputs: the per-day table (console and <c>days.csv</c>) and the quota-vs-sent chart (<c>chart.svg</c>).</summary>
public static class SimulationReport
{
    public static void WriteTable(IAnsiConsole console, SimulationResult result)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("day", "ip", "quota", "sent", "delivered", "bounced", "complaints", "decision");
        foreach (var row in result.Days)
            table.AddRow($"{row.Day}", row.Vmta, row.Quota is { } quota ? $"{quota:N0}" : "active", $"{row.Sent:N0}", $"{row.Delivered:N0}", $"{row.Bounced:N0}", $"{row.Complaints:N0}",
                Markup.Escape(row.Decisions));
        console.Write(table);
    }

    public static string Csv(SimulationResult result)
    {
        var csv = new StringBuilder("day,ip,quota,sent,delivered,bounced,complaints,decisions\n");
        foreach (var r in result.Days)
            csv.Append(CultureInfo.InvariantCulture, $"{r.Day},{r.Vmta},{r.Quota},{r.Sent},{r.Delivered},{r.Bounced},{r.Complaints},\"{r.Decisions}\"\n");
        return csv.ToString();
    }

    /// <summary>
    /// One panel per IP: the day's quota (grey steps) and what left the IP that day (blue), on a log scale, with the
    /// engine's stops and holds marked. Plain SVG: no native graphics library to install for a chart.
    /// </summary>
    public static string Svg(SimulationResult result)
    {
        const int width = 900, panelHeight = 170, left = 60, right = 20, top = 28, bottom = 26;
        var byIp = result.Days.GroupBy(r => r.Vmta).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var days = Math.Max(1, result.Days.Select(r => r.Day).DefaultIfEmpty(1).Max());
        var max = Math.Max(10, result.Days.Select(r => Math.Max(r.Quota ?? 0, r.Sent)).DefaultIfEmpty(10).Max());
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{byIp.Count * panelHeight + 40}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"18\" font-size=\"14\">Per IP per day: quota (grey) vs sent (blue), log scale; ▲ pause/quarantine, ◆ hold, ● complete</text>\n");
        for (var panel = 0; panel < byIp.Count; panel++)
        {
            var y0 = 30 + panel * panelHeight;
            var plotHeight = panelHeight - top - bottom;
            double X(double day) => left + (day - 1) / Math.Max(1, days - 1.0) * (width - left - right);
            double Y(double value) => y0 + top + plotHeight - Math.Log10(Math.Max(1, value)) / Math.Log10(max) * plotHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{y0 + 16}\" font-weight=\"bold\">{byIp[panel].Key}</text>\n");
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left}\" y=\"{y0 + top}\" width=\"{width - left - right}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#ccc\"/>\n");
            foreach (var tick in new[] { 1, 10, 100, 1_000, 10_000, 100_000 }.Where(t => t <= max))
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{Y(tick) + 4:0.#}\" text-anchor=\"end\">{tick:N0}</text><line x1=\"{left}\" x2=\"{width - right}\" y1=\"{Y(tick):0.#}\" y2=\"{Y(tick):0.#}\" stroke=\"#eee\"/>\n");
            var rows = byIp[panel].OrderBy(r => r.Day).ToList();
            svg.Append("<polyline fill=\"none\" stroke=\"#999\" stroke-width=\"2\" points=\"")
                .AppendJoin(' ', rows.Where(r => r.Quota is not null).Select(r => FormattableString.Invariant($"{X(r.Day):0.#},{Y(r.Quota!.Value):0.#}"))).Append("\"/>\n");
            svg.Append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"")
                .AppendJoin(' ', rows.Select(r => FormattableString.Invariant($"{X(r.Day):0.#},{Y(r.Sent):0.#}"))).Append("\"/>\n");
            foreach (var r in rows.Where(r => r.Decisions.Length > 0 && r.Decisions != "advance"))
            {
                var (shape, colour) = r.Decisions.Contains("quarantine") || r.Decisions.Contains("pause") ? ("▲", "#d62728")
                    : r.Decisions.Contains("complete") ? ("●", "#2ca02c") : r.Decisions.Contains("hold") ? ("◆", "#ff7f0e") : ("", "");
                if (shape.Length > 0)
                    svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(r.Day):0.#}\" y=\"{y0 + top + 10}\" fill=\"{colour}\" text-anchor=\"middle\"><title>day {r.Day}: {System.Security.SecurityElement.Escape(r.Decisions)}</title>{shape}</text>\n");
            }
            foreach (var day in new[] { 1, days / 4, days / 2, days * 3 / 4, days }.Where(d => d >= 1).Distinct())
                svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{X(day):0.#}\" y=\"{y0 + panelHeight - 10}\" text-anchor=\"middle\">day {day}</text>\n");
        }
        return svg.Append("</svg>\n").ToString();
    }
}
