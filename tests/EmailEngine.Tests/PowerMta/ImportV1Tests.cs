using EmailEngine.Ips;
using EmailEngine.PowerMta;
using EmailEngine.PowerMta.Config;

namespace EmailEngine.Tests.PowerMta;

/// <summary>V1 import: the old sending identity goes, the structure stays; then Email-Engine's parts are laid over it.</summary>
public sealed class ImportV1Tests
{
    internal static readonly string[] OldValues = ["178.18.243.7", "84.247.168.78", "client1-domain.com", "client2-domain.com", "vmta-client1", "vmta-client2", "pool-clients"];

    private static V1Import Import() => ImportV1.Run(ConfigParser.Parse(ConfigParserTests.Fixture("v1-legacy.conf")).Document);

    [Fact]
    public void None_of_the_old_ips_domains_or_virtual_mtas_survive()
    {
        var import = Import();
        var written = ConfigWriter.Write(import.Base);

        Assert.Equal(["178.18.243.7", "84.247.168.78"], import.OldIps);
        Assert.Equal(["client1-domain.com", "client2-domain.com"], import.OldDomains);
        Assert.Equal(["vmta-client1", "vmta-client2", "pool-clients"], import.OldVirtualMtas);
        foreach (var old in OldValues)
            Assert.DoesNotContain(old, written, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(import.Base.Blocks("virtual-mta"));
        Assert.Empty(import.Base.Blocks("virtual-mta-pool"));
        Assert.DoesNotContain(import.Base.AllDirectives(), p => p.Directive.Is("domain-key"));
    }

    [Fact]
    public void Everything_else_survives()
    {
        var document = Import().Base;

        Assert.Equal(["/var/spool/pmta"], document.Directives("spool").Select(d => d.Value));
        Assert.Equal(["300"], document.Directives("total-max-smtp-out").Select(d => d.Value));
        Assert.Equal(["aol-family aol.com,aim.com,verizon.net"], document.Directives("domain-macro").Select(d => d.Value));
        Assert.Equal(["0.0.0.0:2525"], document.Directives("smtp-listener").Select(d => d.Value));
        Assert.Equal(["127.0.0.1", "{pmta-auth}", "0/0"], document.Blocks("source").Select(b => b.Argument));
        Assert.Equal("\"Mw-2024#relay\"", document.Blocks("smtp-user").Single().Directives("password").Single().Value);
        Assert.Equal(["bounces.sos-holidays.com"], document.Directives("relay-domain").Select(d => d.Value));
        Assert.Equal(["127.0.0.1 admin"], document.Directives("http-access").Select(d => d.Value));
        Assert.Equal(["gmail.com", "$aol-family", "hotmail.com", "*"], document.Blocks("domain").Select(b => b.Argument));
        Assert.Equal("600/h", document.Blocks("domain").First().Directives("max-msg-rate").Single().Value);
        Assert.Equal(3, document.Blocks("smtp-pattern-list").Single().Children.OfType<Directive>().Count());
        Assert.Equal(" Yahoo deferrals", document.Blocks("smtp-pattern-list").Single().Children.OfType<Directive>().ElementAt(1).TrailingComment);
        Assert.Equal(4, document.Blocks("bounce-category-patterns").Single().Children.OfType<Directive>().Count());
        Assert.Single(document.Blocks("acct-file"));
        Assert.Contains(document.Nodes.OfType<CommentLine>(), c => c.Text == " Per-ISP policies tuned over two years");
    }

    [Fact]
    public void The_report_says_what_was_kept_dropped_and_replaced()
    {
        var items = Import().Items.ToDictionary(i => i.Item, i => (i.Action, i.Line, i.Reason));

        Assert.Equal((ImportItem.Replaced, 5, "names old domain client1-domain.com; Email-Engine renders its own postmaster"), items["postmaster admin@client1-domain.com"]);
        Assert.Equal(ImportItem.Replaced, items["host-name mail.client1-domain.com"].Action);
        Assert.Equal(ImportItem.Dropped, items["domain-macro our-domains client1-domain.com,client2-domain.com"].Action);
        Assert.Equal((ImportItem.Dropped, 16, "bound to old IP 178.18.243.7"), items["smtp-listener 178.18.243.7:25"]);
        Assert.Equal(ImportItem.Dropped, items["smtp-listener 84.247.168.78:25"].Action);
        Assert.Equal(ImportItem.Dropped, items["<source 178.18.243.7>"].Action);
        Assert.Equal(ImportItem.Dropped, items["relay-domain client2-domain.com"].Action);
        Assert.Equal(ImportItem.Replaced, items["<virtual-mta vmta-client1>"].Action);
        Assert.Equal(ImportItem.Replaced, items["<virtual-mta-pool pool-clients>"].Action);
        Assert.Equal(ImportItem.Replaced, items["domain-key default,client1-domain.com,/etc/pmta/dkim/client1-domain.com.pem"].Action);
        Assert.Equal(ImportItem.Dropped, items["http-access 178.18.243.7 monitor"].Action);
        Assert.Equal((ImportItem.Dropped, 96, "bound to old domain client2-domain.com"), items["<domain client2-domain.com>"]);
        Assert.Equal(ImportItem.Kept, items["<smtp-user mailwizz>"].Action);
        Assert.Equal(ImportItem.Kept, items["<bounce-category-patterns>"].Action);
        Assert.Equal(ImportItem.Kept, items["relay-domain bounces.sos-holidays.com"].Action);
    }

    [Fact]
    public void Rendered_parts_are_laid_over_the_base_and_pass_validation()
    {
        var ips = Enumerable.Range(1, 5).Select(i => new SendingIp { Id = i, Address = $"203.0.113.{i}", Domain = $"mail{i}.domain{i}.com", Status = IpStatus.Warming }).ToList();
        var settings = new PmtaRenderSettings("mail.domain1.com", "postmaster@domain1.com", ["198.51.100.10"], "/etc/pmta/dkim", "ee1");
        var rendered = ConfigParser.Parse(RenderConfig.Render(ips, settings, DateTimeOffset.Parse("2026-11-25T10:00:00Z"))).Document;

        var merged = MergeWithBase.Merge(rendered, Import().Base, "version 1");
        var text = ConfigWriter.Write(merged);
        var reparsed = ConfigParser.Parse(text).Document;

        Assert.StartsWith("################################################################################\n" + RenderConfig.StampPrefix, text);
        foreach (var old in OldValues)
            Assert.DoesNotContain(old, text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(["vmta-1", "vmta-2", "vmta-3", "vmta-4", "vmta-5"], reparsed.Blocks("virtual-mta").Select(b => b.Argument));
        Assert.Equal(["postmaster@domain1.com"], reparsed.Directives("postmaster").Select(d => d.Value));
        Assert.Equal(["/var/spool/pmta"], reparsed.Directives("spool").Select(d => d.Value));
        Assert.Equal(["127.0.0.1 admin", "0/0 none"], reparsed.Directives("http-access").Select(d => d.Value));
        Assert.Equal(["1983"], reparsed.Directives("http-mgmt-port").Select(d => d.Value));
        Assert.Equal(["127.0.0.1", "{pmta-auth}", "0/0", "198.51.100.10"], reparsed.Blocks("source").Select(b => b.Argument));
        Assert.Equal("no", reparsed.Blocks("source").Single(b => b.Argument == "0/0").Directives("process-x-virtual-mta").Single().Value);
        Assert.Equal("d,b,t,f,rb", reparsed.Blocks("acct-file").Single().Directives("records").Single().Value);
        var gmail = reparsed.Blocks("domain").Single(b => b.Argument == "gmail.com");
        Assert.Equal(["max-smtp-out 10", "max-msg-rate 600/h", "smtp-pattern-list blocking-errors", "max-msg-per-connection 20"],
            gmail.Children.OfType<Directive>().Select(d => $"{d.Name} {d.Value}"));
        Assert.Single(reparsed.Blocks("domain"), b => b.Argument == "yahoo.com");
        Assert.Single(reparsed.Blocks("domain"), b => b.Argument == "*");
        Assert.Single(reparsed.Blocks("smtp-user"));
        Assert.Single(reparsed.Blocks("bounce-category-patterns"));

        Assert.Empty(ValidateConfig.Check(reparsed, PmtaRendering.ContextFor(ips, settings)));
    }
}
