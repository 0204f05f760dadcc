using System.Buffers.Binary;
using System.Text;
using Npgsql;

namespace EmailEngine.Contacts.Import;

/// <summary>
/// Rows in PostgreSQL's binary COPY format (big-endian field lengths and values). Npgsql's
/// <see cref="NpgsqlBinaryImporter"/> binds a parameter per field, which made it the import's bottleneck for a
/// contact's 18 fields; this encodes the same bytes directly, in a fraction of the time (docs/benchmarks.md). This base
/// grows its buffer (a chunk of rows sent later); <see cref="BinaryCopyWriter"/> streams into a COPY as it fills.
/// </summary>
internal class BinaryCopyRows(int capacity)
{
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    protected byte[] Buffer { get; private set; } = new byte[capacity];
    protected int Length { get; set; }

    public ReadOnlyMemory<byte> Written => Buffer.AsMemory(0, Length);

    public void Clear() => Length = 0;

    public void StartRow(short fields)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(Buffer.AsSpan(Length), fields);
        Length += 2;
    }

    public void Write(long value)
    {
        Reserve(12);
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Length), 8);
        BinaryPrimitives.WriteInt64BigEndian(Buffer.AsSpan(Length + 4), value);
        Length += 12;
    }

    public void Write(int value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Length), 4);
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Length + 4), value);
        Length += 8;
    }

    /// <summary>A <c>uuid</c>: its 16 bytes in RFC 4122 (big-endian) order.</summary>
    public void Write(Guid value)
    {
        Reserve(20);
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Length), 16);
        value.TryWriteBytes(Buffer.AsSpan(Length + 4), bigEndian: true, out _);
        Length += 20;
    }

    /// <summary>A <c>timestamptz</c>: microseconds since 2000-01-01 UTC.</summary>
    public void Write(DateTimeOffset value) => Write((value.UtcTicks - PostgresEpochTicks) / 10);

    /// <summary>A <c>text</c> or <c>varchar</c> as UTF-8; null is SQL NULL.</summary>
    public void Write(string? value)
    {
        if (value is null)
        {
            Reserve(4);
            BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Length), -1);
            Length += 4;
            return;
        }
        Reserve(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var bytes = Encoding.UTF8.GetBytes(value, Buffer.AsSpan(Length + 4));
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Length), bytes);
        Length += 4 + bytes;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more.</summary>
    protected virtual void Reserve(int bytes)
    {
        if (Length + bytes > Buffer.Length)
        {
            var grown = Buffer;
            Array.Resize(ref grown, Math.Max(Buffer.Length * 2, Length + bytes));
            Buffer = grown;
        }
    }

    /// <summary>Reads back the fields of rows written here, in order (a refused chunk goes to the merge instead).</summary>
    public static IEnumerable<ReadOnlyMemory<byte>?[]> ReadRows(ReadOnlyMemory<byte> rows)
    {
        var offset = 0;
        while (offset < rows.Length)
        {
            var fields = new ReadOnlyMemory<byte>?[BinaryPrimitives.ReadInt16BigEndian(rows.Span[offset..])];
            offset += 2;
            for (var i = 0; i < fields.Length; i++)
            {
                var length = BinaryPrimitives.ReadInt32BigEndian(rows.Span[offset..]);
                offset += 4;
                if (length < 0)
                    continue;
                fields[i] = rows.Slice(offset, length);
                offset += length;
            }
            yield return fields;
        }
    }

    public static string? Text(ReadOnlyMemory<byte>? field) => field is { } bytes ? Encoding.UTF8.GetString(bytes.Span) : null;

    public static long Int64(ReadOnlyMemory<byte>? field) => BinaryPrimitives.ReadInt64BigEndian(field!.Value.Span);

    public static int Int32(ReadOnlyMemory<byte>? field) => BinaryPrimitives.ReadInt32BigEndian(field!.Value.Span);

    public static Guid Uuid(ReadOnlyMemory<byte>? field) => new(field!.Value.Span, bigEndian: true);
}

/// <summary>A whole binary COPY, streamed into Npgsql's raw COPY stream as its buffer fills.</summary>
internal sealed class BinaryCopyWriter : BinaryCopyRows, IAsyncDisposable
{
    private static readonly byte[] Signature = [.. "PGCOPY\n"u8, 0xFF, .. "\r\n\0"u8]; // then int32 flags, int32 extension length
    private readonly NpgsqlRawCopyStream _stream;
    private bool _completed;

    private BinaryCopyWriter(NpgsqlRawCopyStream stream) : base(1 << 16)
    {
        _stream = stream;
        Signature.CopyTo(Buffer, 0);
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Signature.Length), 0);
        BinaryPrimitives.WriteInt32BigEndian(Buffer.AsSpan(Signature.Length + 4), 0);
        Length = Signature.Length + 8;
    }

    public static async Task<BinaryCopyWriter> BeginAsync(NpgsqlConnection connection, string copyCommand, CancellationToken ct) =>
        new(await connection.BeginRawBinaryCopyAsync(copyCommand, ct));

    /// <summary>Appends rows encoded elsewhere.</summary>
    public void WriteRows(ReadOnlyMemory<byte> rows)
    {
        Reserve(rows.Length);
        if (rows.Length > Buffer.Length - Length)
        {
            _stream.Write(rows.Span);
            return;
        }
        rows.Span.CopyTo(Buffer.AsSpan(Length));
        Length += rows.Length;
    }

    /// <summary>Ends the COPY; a constraint the rows break surfaces here as a <see cref="PostgresException"/>.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(Buffer.AsSpan(Length), -1);
        Length += 2;
        await _stream.WriteAsync(Written, ct);
        Length = 0;
        _completed = true;
        await _stream.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
            await _stream.CancelAsync(); // abandoned midway: nothing of it is kept
        await _stream.DisposeAsync();
    }

    /// <summary>Sends what is buffered when <paramref name="bytes"/> more would not fit.</summary>
    protected override void Reserve(int bytes)
    {
        if (Length + bytes <= Buffer.Length)
            return;
        _stream.Write(Buffer, 0, Length);
        Length = 0;
    }
}
