using System.Text;

namespace PmtaStandIn.Daemon;

/// <summary>RFC 4180 lines: fields with a comma, quote or line break are quoted, quotes doubled.</summary>
public static class Csv
{
    public static string Line(IEnumerable<string?> fields) => string.Join(',', fields.Select(Quote)) + "\n";

    public static string Quote(string? field)
    {
        field ??= "";
        return field.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{field.Replace("\"", "\"\"")}\"" : field;
    }

    /// <summary>Splits one line written by <see cref="Line"/> (no embedded line breaks).</summary>
    public static List<string> Split(string line)
    {
        var fields = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                    quoted = false;
                else
                    current.Append(c);
            }
            else if (c == '"')
                quoted = true;
            else if (c == ',')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
                current.Append(c);
        }
        fields.Add(current.ToString());
        return fields;
    }

    /// <summary>
    /// An append-only log file that is safe against a kill: a torn last line (no newline) left by a crash is cut off
    /// on open, and every batch is one write followed by a flush to disk.
    /// </summary>
    public static FileStream OpenAppendLog(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        var end = stream.Length;
        while (end > 0)
        {
            stream.Position = end - 1;
            if (stream.ReadByte() == '\n')
                break;
            end--;
        }
        stream.SetLength(end);
        stream.Position = end;
        return stream;
    }

    public static void Append(FileStream stream, string lines)
    {
        if (lines.Length == 0)
            return;
        stream.Write(Encoding.UTF8.GetBytes(lines));
        stream.Flush(flushToDisk: true);
    }
}
