using System.Globalization;
using System.Text.RegularExpressions;

namespace PmtaStandIn.Daemon;

/// <summary>A pace: no more than <see cref="Count"/> sends in any window of length <see cref="Window"/>; Count 0 = unlimited.</summary>
public readonly record struct Rate(int Count, TimeSpan Window)
{
    public static readonly Rate Unlimited = new(0, TimeSpan.Zero);

    public bool IsUnlimited => Count == 0;

    public override string ToString() => IsUnlimited ? "unlimited" : $"{Count}/{ConfigValues.FormatInterval(Window)}";
}

/// <summary>PowerMTA's value types (UG §3.2): RATE, TIME-INTERVAL (and lists of them), SIZE, BOOLEAN.</summary>
public static partial class ConfigValues
{
    [GeneratedRegex(@"^(\d+)/(\d*)(s|sec|m|min|h|hr|d|day)$", RegexOptions.IgnoreCase)]
    private static partial Regex RatePattern();

    [GeneratedRegex(@"(\d+)([wdhms])", RegexOptions.IgnoreCase)]
    private static partial Regex IntervalPart();

    [GeneratedRegex(@"^(\d+[wdhms])+$", RegexOptions.IgnoreCase)]
    private static partial Regex IntervalPattern();

    public static Rate ParseRate(string text)
    {
        text = text.Trim();
        if (text.Equals("unlimited", StringComparison.OrdinalIgnoreCase) || text == "0")
            return Rate.Unlimited;
        var match = RatePattern().Match(text);
        if (!match.Success)
            throw new FormatException($"invalid rate '{text}'");
        var multiplier = match.Groups[2].Value.Length > 0 ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 1;
        var unit = match.Groups[3].Value.ToLowerInvariant() switch
        {
            "s" or "sec" => TimeSpan.FromSeconds(1),
            "m" or "min" => TimeSpan.FromMinutes(1),
            "h" or "hr" => TimeSpan.FromHours(1),
            _ => TimeSpan.FromDays(1),
        };
        var count = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return count == 0 ? Rate.Unlimited : new Rate(count, unit * multiplier);
    }

    /// <summary>`1w2d12h`, `300s`; a bare number is seconds. `never` gives null.</summary>
    public static TimeSpan? ParseInterval(string text)
    {
        text = text.Trim();
        if (text.Equals("never", StringComparison.OrdinalIgnoreCase))
            return null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            return TimeSpan.FromSeconds(seconds);
        if (!IntervalPattern().IsMatch(text))
            throw new FormatException($"invalid time interval '{text}'");
        var total = TimeSpan.Zero;
        foreach (Match part in IntervalPart().Matches(text))
        {
            var n = long.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += char.ToLowerInvariant(part.Groups[2].Value[0]) switch
            {
                'w' => TimeSpan.FromDays(7 * n),
                'd' => TimeSpan.FromDays(n),
                'h' => TimeSpan.FromHours(n),
                'm' => TimeSpan.FromMinutes(n),
                _ => TimeSpan.FromSeconds(n),
            };
        }
        return total;
    }

    public static TimeSpan[] ParseIntervalList(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => ParseInterval(part) ?? throw new FormatException($"'never' is not a retry interval"))
            .ToArray();

    public static long ParseSize(string text)
    {
        text = text.Trim();
        var unit = char.ToLowerInvariant(text[^1]);
        var digits = char.IsDigit(unit) ? text : text[..^1];
        var n = long.Parse(digits, CultureInfo.InvariantCulture);
        return unit switch
        {
            'k' => n << 10,
            'm' => n << 20,
            'g' => n << 30,
            't' => n << 40,
            _ => n,
        };
    }

    public static bool ParseBool(string text) => text.Trim().ToLowerInvariant() switch
    {
        "yes" or "true" => true,
        "no" or "false" => false,
        _ => throw new FormatException($"invalid boolean '{text}'"),
    };

    public static string FormatInterval(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? $"{span.TotalDays:0}d"
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? $"{span.TotalHours:0}h"
        : span.TotalMinutes >= 1 && span.TotalMinutes % 1 == 0 ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0}s";
}
