using System.IO.Compression;
using System.Text;
using EmailEngine.Accounting;

namespace EmailEngine.Tests.Accounting;

public sealed class AcctReaderTests
{
    private const string Header = "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool,header_X-EE-Tenant";

    private static async Task<(List<AcctRecord> Records, AcctReader Reader)> ReadAsync(string text, long resumeAt = 0, IReadOnlyList<string>? header = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new AcctReader(new MemoryStream(bytes, (int)resumeAt, bytes.Length - (int)resumeAt), resumeAt, header);
        var records = new List<AcctRecord>();
        await foreach (var record in reader.ReadAsync())
            records.Add(record);
        return (records, reader);
    }

    [Fact]
    public async Task Every_record_type_is_read_with_quoting_and_header_fields()
    {
        var text = Header + "\n"
            + "d,2026-11-25 10:00:00+0000,2026-11-25 09:59:58+0000,bounce@domain1.com,jane@gmail.com,,relayed,2.0.0 (success),smtp;250 2.0.0 OK,gmail-smtp-in.l.google.com (142.250.1.1),success,smtp,mw,smtp,203.0.113.1,142.250.1.1,\"PIPELINING,8BITMIME,SIZE,STARTTLS\",15000,vmta-1,job-7,env-1,gmail.com/vmta-1,pool-all,client-1\n"
            + "b,2026-11-25 10:00:01+0000,,bounce@domain1.com,nobody@yahoo.com,,failed,5.1.1 (bad destination mailbox address),\"smtp;554 5.1.1 <nobody@yahoo.com>: Recipient address rejected: \"\"unknown\"\", sorry\",mta6.am0.yahoodns.net,bad-mailbox,smtp,mw,smtp,203.0.113.2,,,,vmta-2,,,,,client-1\n"
            + "t,2026-11-25 10:00:02+0000,,bounce@domain1.com,x@orange.fr,,delayed,4.0.0,\"smtp;421 mwinf5c11 ME Service refuse. Veuillez essayer plus tard.\r\nOFR004_104\",,,smtp,mw,smtp,203.0.113.3,,,,vmta-3,,,,,\n"
            + "tq,2026-11-25 10:00:03+0000,,,,,,,,,,,,,,,,,vmta-1,,,,,\n"
            + "f,2026-11-25 10:00:04+0000,,bounce@domain1.com,comp@aol.com,,,,,,,,,,,,,,vmta-4,,,,,client-1\n"
            + "rb,2026-11-25 10:00:05+0000,,bounce@domain1.com,gone@free.fr,,failed,5.1.1,smtp;550 5.1.1 user unknown,,bad-mailbox,,,,,,,,vmta-5,,,,,\n"
            + "r,2026-11-25 10:00:06+0000,,bounce@domain1.com,new@example.com,,,,,,,,,,,,,,,,,,,\n"
            + "zz,unknown type\n";

        var (records, reader) = await ReadAsync(text);

        Assert.Equal(["d", "b", "t", "tq", "f", "rb", "r"], records.Select(r => r.Type));
        Assert.Equal(1, reader.UnknownTypes);
        Assert.Equal("gmail.com", records[0].RecipientDomain);
        Assert.Equal("vmta-1", records[0].Vmta);
        Assert.Equal("pool-all", records[0].VmtaPool);
        Assert.Equal("client-1", records[0].Headers["X-EE-Tenant"]);
        Assert.Equal("smtp;554 5.1.1 <nobody@yahoo.com>: Recipient address rejected: \"unknown\", sorry", records[1].DsnDiag);
        Assert.Contains("\r\nOFR004_104", records[2].DsnDiag);
        Assert.Equal(Encoding.UTF8.GetByteCount(text), reader.CompleteOffset);
    }

    [Fact]
    public async Task Columns_are_mapped_by_header_in_any_order_and_a_new_header_switches_them()
    {
        var text = "rcpt,type,vmta,bounceCat\r\na@gmail.com,d,vmta-1,success\r\n"
            + "type,bounceCat,rcpt\r\nb,bad-domain,b@nowhere.example\r\n";

        var (records, _) = await ReadAsync(text);

        Assert.Equal(("a@gmail.com", "vmta-1"), (records[0].Rcpt, records[0].Vmta));
        Assert.Equal(("b@nowhere.example", "bad-domain", (string?)null), (records[1].Rcpt, records[1].BounceCat, records[1].Vmta));
    }

    [Fact]
    public async Task Batches_never_span_a_header_row_so_each_carries_the_header_its_records_were_read_with()
    {
        var text = "rcpt,type,vmta\na@gmail.com,d,vmta-1\nb@gmail.com,d,vmta-2\n"
            + "type,rcpt\nt,c@orange.fr\nd,d@free.fr\n";
        var reader = new AcctReader(new MemoryStream(Encoding.UTF8.GetBytes(text)));

        var batches = new List<AcctBatch>();
        await foreach (var batch in reader.ReadBatchesAsync())
            batches.Add(batch);

        Assert.Equal(2, batches.Count);
        Assert.Equal(["rcpt", "type", "vmta"], batches[0].Header);
        Assert.Equal(["a@gmail.com", "b@gmail.com"], batches[0].Records.Select(r => r.Rcpt));
        Assert.Equal(["type", "rcpt"], batches[1].Header);
        Assert.Equal([("t", "c@orange.fr"), ("d", "d@free.fr")], batches[1].Records.Select(r => (r.Type, r.Rcpt)));
        Assert.Equal(text.Length, reader.CompleteOffset);
    }

    [Fact]
    public async Task A_partial_last_record_waits_and_resuming_reads_every_record_once()
    {
        var complete = Header + "\nd,t1,,o,a@x.com,,relayed,2.0.0,,,,,,,,,,,vmta-1,,,,,\nb,t2,,o,b@x.com,,failed,5.1.1,\"smtp;550 5.1.1 gone,";
        var (first, reader) = await ReadAsync(complete);
        Assert.Single(first);

        var full = complete + " really\",,bad-mailbox,,,,,,,,vmta-2,,,,,\nd,t3,,o,c@x.com,,relayed,2.0.0,,,,,,,,,,,vmta-1,,,,,\n";
        var (rest, _) = await ReadAsync(full, reader.CompleteOffset, reader.Header);

        Assert.Equal(["a@x.com", "b@x.com", "c@x.com"], first.Concat(rest).Select(r => r.Rcpt));
        Assert.Equal("smtp;550 5.1.1 gone, really", rest[0].DsnDiag);
    }

    [Fact]
    public async Task Gzip_rotated_files_are_read_whole()
    {
        var text = Header + "\nd,t1,,o,a@x.com,,relayed,2.0.0,,,,,,,,,,,vmta-1,,,,,\n";
        var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(text));
        compressed.Position = 0;

        var reader = new AcctReader(new GZipStream(compressed, CompressionMode.Decompress));
        var records = new List<AcctRecord>();
        await foreach (var record in reader.ReadAsync())
            records.Add(record);

        Assert.Equal("a@x.com", Assert.Single(records).Rcpt);
    }
}
