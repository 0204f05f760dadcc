using System.Text;

namespace EmailEngine.PowerMta.Deploy;

/// <summary>A small unified-style line diff (LCS), enough to review a PowerMTA config change before it ships.</summary>
public static class LineDiff
{
    public static string Unified(string? before, string after, string beforeName = "live", string afterName = "new")
    {
        var a = Split(before ?? "");
        var b = Split(after);
        if (a.SequenceEqual(b))
            return "";
        // LCS table over lines; configs are a few thousand lines at most.
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var output = new StringBuilder($"--- {beforeName}\n+++ {afterName}\n");
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { x++; y++; }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y])) output.Append('+').Append(b[y++]).Append('\n');
            else output.Append('-').Append(a[x++]).Append('\n');
        }
        return output.ToString();
    }

    private static string[] Split(string text) => text.Length == 0 ? [] : text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
}
