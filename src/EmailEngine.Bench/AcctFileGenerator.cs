using System.Text;

namespace EmailEngine.Bench;

/// <summary>How many records of each type a generated file holds.</summary>
public sealed record AcctFileCounts(long Delivered, long Bounced, long Deferred, long Complaints, long RemoteBounces)
{
    public long Records => Delivered + Bounced + Deferred + Complaints + RemoteBounces;
}

/// <summary>
/// Writes a realistic PowerMTA accounting file: the standard header plus <c>header_X-EE-Tenant</c>, 5 vmtas, the
/// big providers' domains, ~90% deliveries, 5% deferrals, 4% bounces with real-world diagnostics (quoted, with
/// commas), complaints and remote bounces. Deterministic for a seed.
/// </summary>
public static class AcctFileGenerator
{
    public const string Header = "type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType," +
        "dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool,header_X-EE-Tenant";

    private static readonly string[] Domains = ["gmail.com", "hotmail.fr", "outlook.com", "yahoo.fr", "orange.fr", "icloud.com", "free.fr", "laposte.net"];

    private static readonly (string Status, string Diag, string Category)[] Bounces =
    [
        ("5.1.1", "\"smtp;550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos, or unnecessary spaces.\"", "bad-mailbox"),
        ("5.2.2", "\"smtp;552 5.2.2 <{0}>: Recipient address rejected: Mailbox full, quota exceeded\"", "quota-issues"),
        ("5.7.1", "\"smtp;550 5.7.1 Service unavailable, Client host [203.0.113.2] blocked using Spamhaus; To request removal from this list see https://www.spamhaus.org/query/ip/203.0.113.2\"", "spam-related"),
        ("5.1.10", "\"smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient {0} not found by SMTP address lookup\"", "bad-mailbox"),
    ];

    private static readonly (string Status, string Diag)[] Deferrals =
    [
        ("4.7.28", "\"smtp;421-4.7.28 Gmail has detected an unusual rate of unsolicited mail originating from your IP address, \"\"rate limited\"\".\""),
        ("4.2.2", "\"smtp;452 4.2.2 Mailbox full, try again later\""),
        ("4.7.0", "\"smtp;421 4.7.0 [TSS04] Messages from 203.0.113.3 temporarily deferred due to unexpected volume or user complaints\""),
    ];

    public static AcctFileCounts Write(Stream output, long records, int seed = 7, string tenant = "client-1")
    {
        var random = new Random(seed);
        var (delivered, bounced, deferred, complaints, remote) = (0L, 0L, 0L, 0L, 0L);
        var start = new DateTime(2026, 11, 25, 0, 0, 0, DateTimeKind.Utc);
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        writer.WriteLine(Header);
        for (var i = 0L; i < records; i++)
        {
            var at = start.AddSeconds(i * 86400.0 / Math.Max(records, 1)).ToString("yyyy-MM-dd HH:mm:ss") + "+0000";
            var domain = Domains[random.Next(Domains.Length)];
            var rcpt = $"user{random.Next(1_000_000)}@{domain}";
            var vmta = 1 + random.Next(5);
            var roll = random.Next(1000);
            string type, action = "", status = "", diag = "", category = "";
            if (roll < 900) { type = "d"; action = "relayed"; status = "2.0.0 (success)"; diag = "smtp;250 2.0.0 OK  1732528800 q1si123456.25 - gsmtp"; category = "success"; delivered++; }
            else if (roll < 950) { var d = Deferrals[random.Next(Deferrals.Length)]; type = "t"; action = "delayed"; status = d.Status; diag = d.Diag; deferred++; }
            else if (roll < 990) { var b = Bounces[random.Next(Bounces.Length)]; type = "b"; action = "failed"; status = b.Status; diag = string.Format(b.Diag, rcpt); category = b.Category; bounced++; }
            else if (roll < 995) { type = "rb"; action = "failed"; status = "5.1.1"; diag = "\"smtp;550 5.1.1 user unknown\""; category = "bad-mailbox"; remote++; }
            else { type = "f"; complaints++; }
            writer.Write(type); writer.Write(','); writer.Write(at); writer.Write(','); writer.Write(at); writer.Write(",bounce@mail1.domain1.com,");
            writer.Write(rcpt); writer.Write(",,"); writer.Write(action); writer.Write(','); writer.Write(status); writer.Write(','); writer.Write(diag);
            writer.Write(",mx."); writer.Write(domain);
            writer.Write(','); writer.Write(category); writer.Write(",smtp,mailwizz,smtp,203.0.113."); writer.Write(vmta);
            writer.Write(",198.51.100.20,\"PIPELINING,8BITMIME,SIZE,STARTTLS\",");
            writer.Write(8000 + random.Next(40000)); writer.Write(",vmta-"); writer.Write(vmta); writer.Write(",job-"); writer.Write(i % 17);
            writer.Write(",,"); writer.Write(domain); writer.Write("/vmta-"); writer.Write(vmta); writer.Write(",pool-all,"); writer.WriteLine(tenant);
        }
        return new AcctFileCounts(delivered, bounced, deferred, complaints, remote);
    }
}
