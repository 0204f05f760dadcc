using System.IO.Compression;
using System.Security.Cryptography;

namespace EmailEngine.Accounting;

/// <summary>
/// An accounting file opened for ingest: gunzipped when it starts with the gzip magic, identified by the SHA-256 of
/// its first two lines (header and first record; see <see cref="AcctSource"/>), and readable from any uncompressed
/// offset — by seeking when the source allows it (a local or SFTP file), otherwise by reading past the bytes.
/// </summary>
public sealed class AcctInput : IAsyncDisposable
{
    private const int MaxHead = 1 << 20;
    private readonly Stream _content;
    private readonly byte[] _read;
    private readonly bool _seekable;

    private AcctInput(Stream content, byte[] read, bool seekable, string? identity) =>
        (_content, _read, _seekable, Identity) = (content, read, seekable, identity);

    /// <summary>Null while the file holds no complete record yet (nothing to ingest, nothing to identify it by).</summary>
    public string? Identity { get; }

    public static async Task<AcctInput> OpenAsync(Stream raw, CancellationToken ct)
    {
        var magic = new byte[2];
        var got = await raw.ReadAtLeastAsync(magic, 2, throwOnEndOfStream: false, ct);
        var gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        Stream rewound = raw.CanSeek ? Rewind(raw) : new PrefixedStream(magic.AsMemory(0, got), raw);
        var content = gzip ? new GZipStream(rewound, CompressionMode.Decompress) : rewound;

        var head = new MemoryStream();
        var chunk = new byte[8192];
        int secondLineEnd;
        while ((secondLineEnd = EndOfSecondLine(head)) < 0 && head.Length < MaxHead)
        {
            var read = await content.ReadAsync(chunk, ct);
            if (read == 0)
                break;
            head.Write(chunk, 0, read);
        }
        var bytes = head.ToArray();
        var identity = secondLineEnd < 0 && bytes.Length < MaxHead ? null
            : Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, secondLineEnd < 0 ? bytes.Length : secondLineEnd)));
        return new AcctInput(content, bytes, !gzip && raw.CanSeek, identity);
    }

    /// <summary>The uncompressed content from <paramref name="offset"/> on. Call once.</summary>
    public async Task<Stream> FromAsync(long offset, CancellationToken ct)
    {
        if (offset <= _read.Length)
            return new PrefixedStream(_read.AsMemory((int)offset), _content);
        if (_seekable)
        {
            _content.Seek(offset, SeekOrigin.Begin);
            return _content;
        }
        var skip = offset - _read.Length;
        var buffer = new byte[81920];
        while (skip > 0)
        {
            var read = await _content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, skip)), ct);
            if (read == 0)
                throw new InvalidDataException($"the file is shorter ({offset - skip} bytes) than its committed offset {offset}");
            skip -= read;
        }
        return _content;
    }

    private static Stream Rewind(Stream raw)
    {
        raw.Seek(0, SeekOrigin.Begin);
        return raw;
    }

    private static int EndOfSecondLine(MemoryStream head)
    {
        var data = head.GetBuffer().AsSpan(0, (int)head.Length);
        var first = data.IndexOf((byte)'\n');
        if (first < 0)
            return -1;
        var second = data[(first + 1)..].IndexOf((byte)'\n');
        return second < 0 ? -1 : first + 1 + second + 1;
    }

    public ValueTask DisposeAsync() => _content.DisposeAsync();
}

/// <summary>Bytes already read, then the rest of the stream: lets a reader look ahead without seeking.</summary>
internal sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
{
    private ReadOnlyMemory<byte> _prefix = prefix;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_prefix.IsEmpty)
            return inner.Read(buffer);
        var n = Math.Min(buffer.Length, _prefix.Length);
        _prefix.Span[..n].CopyTo(buffer);
        _prefix = _prefix[n..];
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        if (_prefix.IsEmpty)
            return await inner.ReadAsync(buffer, ct);
        return Read(buffer.Span);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
        ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
