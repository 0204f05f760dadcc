using System.Buffers;
using System.Text;

namespace EmailEngine.Accounting;

/// <summary>
/// Streams a PowerMTA accounting CSV: columns are mapped from the header row (any order, any subset or superset of
/// the standard fields, <c>header_*</c> fields kept), RFC 4180 quoting (diagnostics hold commas, quotes and line
/// breaks), CRLF or LF. A header may reappear (new file, restart). A partial last record (the file is still being
/// written) is not returned: <see cref="CompleteOffset"/> tells where to resume. Memory stays flat: one buffer.
/// </summary>
public sealed class AcctReader(Stream stream, long resumeAt = 0, IReadOnlyList<string>? header = null)
{
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        "type", "timeLogged", "orig", "rcpt", "dsnAction", "dsnStatus", "dsnDiag", "bounceCat", "vmta", "vmtaPool", "jobId", "envId", "dlvSourceIp",
    };

    private Dictionary<string, int> _columns = header is null ? [] : Map(header);
    private List<(int Index, string Name)> _headerFields = header is null ? [] : HeaderFields(header);

    /// <summary>Offset just after the last complete record read so far (where the next read resumes).</summary>
    public long CompleteOffset { get; private set; } = resumeAt;

    /// <summary>The header in force (to resume a file mid-way without re-reading its first line).</summary>
    public IReadOnlyList<string>? Header { get; private set; } = header;

    public long UnknownTypes { get; private set; }

    public async IAsyncEnumerable<AcctRecord> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var filled = 0;
            var offset = CompleteOffset; // file offset of buffer[0]
            var fields = new List<string>(32);
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2); // one record larger than the buffer
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }
                var read = await stream.ReadAsync(buffer.AsMemory(filled), ct);
                filled += read;
                var consumed = 0;
                while (TryParseRecord(buffer.AsSpan(consumed, filled - consumed), fields, out var length))
                {
                    consumed += length;
                    CompleteOffset = offset + consumed;
                    if (Interpret(fields, CompleteOffset) is { } record)
                        yield return record;
                }
                if (read == 0)
                    yield break; // whatever is left is a partial record: not returned, CompleteOffset stays before it
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
                offset += consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Splits one complete record (ending in LF) into fields; false when the data ends mid-record.</summary>
    private static bool TryParseRecord(ReadOnlySpan<byte> data, List<string> fields, out int length)
    {
        fields.Clear();
        length = 0;
        var position = 0;
        while (true)
        {
            if (position >= data.Length)
                return false;
            if (data[position] == (byte)'"')
            {
                position++;
                var bytes = new List<byte>();
                while (true)
                {
                    if (position >= data.Length)
                        return false;
                    if (data[position] == (byte)'"')
                    {
                        if (position + 1 >= data.Length)
                            return false;
                        if (data[position + 1] == (byte)'"') { bytes.Add((byte)'"'); position += 2; continue; }
                        position++;
                        break;
                    }
                    bytes.Add(data[position++]);
                }
                fields.Add(Encoding.UTF8.GetString(bytes.ToArray()));
            }
            else
            {
                var end = data[position..].IndexOfAny((byte)',', (byte)'\n');
                if (end < 0)
                    return false;
                var raw = data.Slice(position, end);
                if (raw.Length > 0 && raw[^1] == (byte)'\r' && data[position + end] == (byte)'\n')
                    raw = raw[..^1];
                fields.Add(Encoding.UTF8.GetString(raw));
                position += end;
            }
            if (position >= data.Length)
                return false;
            if (data[position] == (byte)'\r' && position + 1 < data.Length && data[position + 1] == (byte)'\n')
                position++;
            if (data[position] == (byte)'\n')
            {
                length = position + 1;
                return true;
            }
            position++; // the comma
        }
    }

    private AcctRecord? Interpret(List<string> fields, long endOffset)
    {
        if (fields.Count == 0 || fields.Count == 1 && fields[0].Length == 0)
            return null;
        // The first row is the header; PowerMTA writes it again (type first) after a restart or in a new file.
        if (Header is null || fields[0].Equals("type", StringComparison.OrdinalIgnoreCase) || fields[0].StartsWith('#'))
        {
            Header = fields.Select(f => f.TrimStart('#').Trim()).ToList();
            _columns = Map(Header);
            _headerFields = HeaderFields(Header);
            return null;
        }
        var type = _columns.TryGetValue("type", out var typeColumn) && typeColumn < fields.Count ? fields[typeColumn] : "";
        if (type is not ("d" or "b" or "t" or "tq" or "f" or "rb" or "r" or "rs"))
        {
            UnknownTypes++;
            return null;
        }
        string? Field(string name) => _columns.TryGetValue(name, out var i) && i < fields.Count && fields[i].Length > 0 ? fields[i] : null;
        var headers = _headerFields.Count == 0 ? EmptyHeaders
            : _headerFields.Where(h => h.Index < fields.Count && fields[h.Index].Length > 0).ToDictionary(h => h.Name, h => fields[h.Index], StringComparer.OrdinalIgnoreCase);
        return new AcctRecord(type, Field("timeLogged"), Field("orig"), Field("rcpt"), Field("dsnAction"), Field("dsnStatus"), Field("dsnDiag"),
            Field("bounceCat"), Field("vmta"), Field("vmtaPool"), Field("jobId"), Field("envId"), Field("dlvSourceIp"), headers, endOffset);
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyHeaders = new Dictionary<string, string>();

    private static Dictionary<string, int> Map(IReadOnlyList<string> header) =>
        header.Select((name, i) => (name, i)).Where(c => Known.Contains(c.name))
            .GroupBy(c => c.name, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().i, StringComparer.OrdinalIgnoreCase);

    private static List<(int, string)> HeaderFields(IReadOnlyList<string> header) =>
        header.Select((name, i) => (i, name)).Where(c => c.name.StartsWith("header_", StringComparison.OrdinalIgnoreCase))
            .Select(c => (c.i, c.name["header_".Length..])).ToList();
}
