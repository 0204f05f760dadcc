using System.Buffers;
using System.Text;

namespace EmailEngine.Accounting;

/// <summary>
/// Streams a PowerMTA accounting CSV: columns are mapped from the header row (any order, any subset or superset of
/// the standard fields, <c>header_*</c> fields kept), RFC 4180 quoting (diagnostics hold commas, quotes and line
/// breaks), CRLF or LF. A header may reappear (new file, restart). A partial last record (the file is still being
/// written) is not returned: <see cref="CompleteOffset"/> tells where to resume. Memory stays flat: one buffer.
/// Hot path: a record is split into field boundaries over the byte buffer, and only the fields the engine uses are
/// decoded to strings (a record has ~25 fields; we keep ~13).
/// </summary>
public sealed class AcctReader(Stream stream, long resumeAt = 0, IReadOnlyList<string>? header = null)
{
    private static readonly string[] Known =
        ["type", "timeLogged", "orig", "rcpt", "dsnAction", "dsnStatus", "dsnDiag", "bounceCat", "vmta", "vmtaPool", "jobId", "envId", "dlvSourceIp"];

    private const int Type = 0, TimeLogged = 1, Orig = 2, Rcpt = 3, DsnAction = 4, DsnStatus = 5, DsnDiag = 6, BounceCat = 7, Vmta = 8,
        VmtaPool = 9, JobId = 10, EnvId = 11, SourceIp = 12;

    /// <summary>Column index of each <see cref="Known"/> field in the current header, -1 when absent.</summary>
    private int[] _columns = header is null ? [] : Map(header);
    private (int Index, string Name)[] _headerFields = header is null ? [] : HeaderFields(header);

    private (int Start, int Length, bool Escaped)[] _fields = new (int, int, bool)[64];
    private int _fieldCount;

    /// <summary>Offset just after the last complete record read so far (where the next read resumes).</summary>
    public long CompleteOffset { get; private set; } = resumeAt;

    /// <summary>The header in force (to resume a file mid-way without re-reading its first line).</summary>
    public IReadOnlyList<string>? Header { get; private set; } = header;

    public long UnknownTypes { get; private set; }

    /// <summary>Record by record (over <see cref="ReadBatchesAsync"/>); <see cref="CompleteOffset"/> is final once done.</summary>
    public async IAsyncEnumerable<AcctRecord> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var batch in ReadBatchesAsync(ct))
            foreach (var record in batch.Records)
                yield return record;
    }

    /// <summary>
    /// The records of each buffer-full (about 3,000) at a time, which spares the caller an await per record. A batch
    /// never spans a header row: its <see cref="AcctBatch.Header"/> is the one its records were read with.
    /// </summary>
    public async IAsyncEnumerable<AcctBatch> ReadBatchesAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            var filled = 0;
            var offset = CompleteOffset; // file offset of buffer[0]
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
                var records = new List<AcctRecord>();
                while (TryParseRecord(buffer.AsSpan(consumed, filled - consumed), out var length))
                {
                    // Text never holds a NUL; bytes that do are not an accounting file (and PostgreSQL could not store them).
                    if (buffer.AsSpan(consumed, length).IndexOf((byte)0) is var nul and >= 0)
                        throw new InvalidDataException($"binary data (a NUL byte) at offset {offset + consumed + nul}");
                    var header = Header;
                    var record = Interpret(buffer.AsSpan(consumed, length), offset + consumed + length);
                    consumed += length;
                    CompleteOffset = offset + consumed;
                    if (record is not null)
                        records.Add(record);
                    else if (!ReferenceEquals(header, Header) && records.Count > 0)
                    {
                        yield return new AcctBatch(records, header); // read with the header this row replaces
                        records = [];
                    }
                }
                if (records.Count > 0)
                    yield return new AcctBatch(records, Header);
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

    /// <summary>Finds the field boundaries of one complete record (ending in LF); false when the data ends mid-record.</summary>
    private bool TryParseRecord(ReadOnlySpan<byte> data, out int length)
    {
        _fieldCount = 0;
        length = 0;
        var position = 0;
        while (true)
        {
            if (position >= data.Length)
                return false;
            int start, size;
            var escaped = false;
            if (data[position] == (byte)'"')
            {
                var close = position + 1;
                while (true)
                {
                    var quote = data[close..].IndexOf((byte)'"');
                    if (quote < 0)
                        return false;
                    close += quote;
                    if (close + 1 >= data.Length)
                        return false;
                    if (data[close + 1] != (byte)'"')
                        break;
                    escaped = true; // a doubled quote inside the field
                    close += 2;
                }
                (start, size) = (position + 1, close - position - 1);
                position = close + 1;
            }
            else
            {
                var end = data[position..].IndexOfAny((byte)',', (byte)'\n');
                if (end < 0)
                    return false;
                (start, size) = (position, end);
                if (size > 0 && data[position + size - 1] == (byte)'\r' && data[position + end] == (byte)'\n')
                    size--;
                position += end;
            }
            if (_fieldCount == _fields.Length)
                Array.Resize(ref _fields, _fields.Length * 2);
            _fields[_fieldCount++] = (start, size, escaped);
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

    private AcctRecord? Interpret(ReadOnlySpan<byte> record, long endOffset)
    {
        if (_fieldCount == 0 || _fieldCount == 1 && _fields[0].Length == 0)
            return null;
        // The first row is the header; PowerMTA writes it again (type first) after a restart or in a new file.
        var first = record.Slice(_fields[0].Start, _fields[0].Length);
        if (Header is null || first.SequenceEqual("type"u8) || first.Length > 0 && first[0] == (byte)'#')
        {
            var names = new string[_fieldCount];
            for (var i = 0; i < _fieldCount; i++)
                names[i] = Decode(record, i).TrimStart('#').Trim();
            Header = names;
            _columns = Map(names);
            _headerFields = HeaderFields(names);
            return null;
        }
        var type = _columns[Type] is var typeColumn and >= 0 && typeColumn < _fieldCount
            ? TypeOf(record.Slice(_fields[typeColumn].Start, _fields[typeColumn].Length)) : null;
        if (type is null)
        {
            UnknownTypes++;
            return null;
        }
        if (_headerValues.Length < _headerFields.Length)
            (_headerNames, _headerValues) = (new string[_headerFields.Length], new string[_headerFields.Length]);
        var present = 0;
        foreach (var (index, name) in _headerFields)
            if (index < _fieldCount && _fields[index].Length > 0)
            {
                _headerNames[present] = name;
                _headerValues[present++] = Cached(record, index, Known.Length + index);
            }
        var headers = present == 0 ? AcctHeaders.Empty : SharedHeaders(present);
        // A delivery's DSN fields only say "250 OK": nothing downstream reads them, and skipping them is most of the
        // decoding saved on ~90% of the records.
        var delivered = ReferenceEquals(type, "d");
        return new AcctRecord(type, Repeated(record, TimeLogged), Repeated(record, Orig), Field(record, Rcpt),
            delivered ? null : Field(record, DsnAction), delivered ? null : Field(record, DsnStatus), delivered ? null : Field(record, DsnDiag),
            delivered ? null : Repeated(record, BounceCat), Repeated(record, Vmta), Repeated(record, VmtaPool),
            Repeated(record, JobId), Field(record, EnvId), Repeated(record, SourceIp), headers, endOffset);
    }

    private string? Field(ReadOnlySpan<byte> record, int known) =>
        _columns[known] is var column and >= 0 && column < _fieldCount && _fields[column].Length > 0 ? Decode(record, column) : null;

    /// <summary>
    /// Fields that repeat across records (vmta, pool, source IP, job, sender, category, the tenant header, and the
    /// time: many records share a second) reuse the string decoded last time the same bytes were seen, instead of
    /// decoding a new string each time.
    /// </summary>
    private string? Repeated(ReadOnlySpan<byte> record, int known) =>
        _columns[known] is var column and >= 0 && column < _fieldCount && _fields[column].Length > 0 ? Cached(record, column, known) : null;

    private string Cached(ReadOnlySpan<byte> record, int column, int key)
    {
        if (_fields[column].Escaped)
            return Decode(record, column);
        var bytes = record.Slice(_fields[column].Start, _fields[column].Length);
        // Direct-mapped by a cheap hash of (field, length, three bytes): a collision only costs a decode.
        var hash = (uint)(key * 257 + bytes.Length * 131 + bytes[^1] * 31 + bytes[bytes.Length / 2] * 7 + bytes[0]);
        ref var slot = ref _recent[(int)(hash % RecentSlots)];
        if (slot.Raw is not null && bytes.SequenceEqual(slot.Raw))
            return slot.Text;
        var decoded = Encoding.UTF8.GetString(bytes);
        slot = (bytes.ToArray(), decoded);
        return decoded;
    }

    /// <summary>
    /// Consecutive records usually carry the same header values (the same cached strings): they share one
    /// <see cref="AcctHeaders"/> instead of allocating one per record. This record's are the first
    /// <paramref name="count"/> of <see cref="_headerNames"/> and <see cref="_headerValues"/>.
    /// </summary>
    private AcctHeaders SharedHeaders(int count)
    {
        var same = _lastHeaderPairs.Length == count;
        for (var i = 0; same && i < count; i++)
            same = ReferenceEquals(_lastHeaderPairs[i].Key, _headerNames[i]) && ReferenceEquals(_lastHeaderPairs[i].Value, _headerValues[i]);
        if (same)
            return _lastHeaders;
        var pairs = new KeyValuePair<string, string>[count];
        for (var i = 0; i < count; i++)
            pairs[i] = new(_headerNames[i], _headerValues[i]);
        _lastHeaderPairs = pairs;
        return _lastHeaders = new AcctHeaders(pairs);
    }

    private string[] _headerNames = [];
    private string[] _headerValues = [];
    private KeyValuePair<string, string>[] _lastHeaderPairs = [];
    private AcctHeaders _lastHeaders = AcctHeaders.Empty;

    private const int RecentSlots = 257;
    private readonly (byte[]? Raw, string Text)[] _recent = new (byte[]?, string)[RecentSlots];

    private string Decode(ReadOnlySpan<byte> record, int field)
    {
        var (start, length, escaped) = _fields[field];
        var text = Encoding.UTF8.GetString(record.Slice(start, length));
        return escaped ? text.Replace("\"\"", "\"", StringComparison.Ordinal) : text;
    }

    /// <summary>The record types, as shared strings (no allocation per record); null for an unknown type.</summary>
    private static string? TypeOf(ReadOnlySpan<byte> type) => type switch
    {
        [(byte)'d'] => "d",
        [(byte)'b'] => "b",
        [(byte)'t'] => "t",
        [(byte)'f'] => "f",
        [(byte)'r'] => "r",
        [(byte)'t', (byte)'q'] => "tq",
        [(byte)'r', (byte)'b'] => "rb",
        [(byte)'r', (byte)'s'] => "rs",
        _ => null,
    };

    private static int[] Map(IReadOnlyList<string> header)
    {
        var columns = new int[Known.Length];
        for (var k = 0; k < Known.Length; k++)
        {
            columns[k] = -1;
            for (var i = 0; i < header.Count && columns[k] < 0; i++)
                if (header[i].Equals(Known[k], StringComparison.OrdinalIgnoreCase))
                    columns[k] = i;
        }
        return columns;
    }

    private static (int, string)[] HeaderFields(IReadOnlyList<string> header) =>
        header.Select((name, i) => (i, name)).Where(c => c.name.StartsWith("header_", StringComparison.OrdinalIgnoreCase))
            .Select(c => (c.i, c.name["header_".Length..])).ToArray();
}
