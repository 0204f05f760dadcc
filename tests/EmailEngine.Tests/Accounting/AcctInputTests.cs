using System.IO.Compression;
using System.Text;
using EmailEngine.Accounting;

namespace EmailEngine.Tests.Accounting;

public sealed class AcctInputTests
{
    private const string Text = "type,rcpt\nd,a@x.com\nd,b@x.com\nb,c@x.com\n";

    /// <summary>A network body: not seekable, returns few bytes per read.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => base.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], ct);
    }

    private static async Task<string> ReadAllAsync(Stream stream, long offset)
    {
        await using var input = await AcctInput.OpenAsync(stream, CancellationToken.None);
        using var reader = new StreamReader(await input.FromAsync(offset, CancellationToken.None));
        return await reader.ReadToEndAsync();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(30)]
    public async Task Plain_gzip_seekable_and_trickling_sources_give_the_same_bytes_from_any_offset(int offset)
    {
        var bytes = Encoding.UTF8.GetBytes(Text);
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(bytes);

        Assert.Equal(Text[offset..], await ReadAllAsync(new MemoryStream(bytes), offset));
        Assert.Equal(Text[offset..], await ReadAllAsync(new TrickleStream(bytes), offset));
        Assert.Equal(Text[offset..], await ReadAllAsync(new MemoryStream(compressed.ToArray()), offset));
        Assert.Equal(Text[offset..], await ReadAllAsync(new TrickleStream(compressed.ToArray()), offset));
    }

    [Fact]
    public async Task Identity_is_the_first_two_lines_and_needs_a_complete_first_record()
    {
        async Task<string?> IdentityOf(string text)
        {
            await using var input = await AcctInput.OpenAsync(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);
            return input.Identity;
        }

        Assert.Null(await IdentityOf("type,rcpt\nd,a@x"));
        Assert.NotNull(await IdentityOf("type,rcpt\nd,a@x.com\n"));
        Assert.Equal(await IdentityOf("type,rcpt\nd,a@x.com\n"), await IdentityOf(Text));
        Assert.NotEqual(await IdentityOf("type,rcpt\nd,b@x.com\n"), await IdentityOf(Text));
    }
}
