using EmailEngine.PowerMta.Config;

namespace EmailEngine.Tests.PowerMta;

/// <summary>Semantic checks: each finding with its position and message; a clean config has none.</summary>
public sealed class ValidateConfigTests
{
    private static readonly ValidationContext Registered = new(
        new HashSet<string> { "203.0.113.1", "203.0.113.2" },
        new HashSet<string> { "/etc/pmta/dkim/domain1.com.ee1.pem", "/etc/pmta/dkim/domain2.com.ee1.pem" });

    private static List<string> Findings(string config) =>
        ValidateConfig.Check(ConfigParser.Parse(config).Document, Registered).Select(f => $"{f.Severity} {f.Line}:{f.Column} {f.Message}").ToList();

    [Fact]
    public void A_consistent_config_has_no_findings()
    {
        Assert.Empty(Findings("""
            smtp-listener 0.0.0.0:2525
            domain-macro msft hotmail.com,outlook.com
            http-mgmt-port 1983
            http-access 127.0.0.1 admin
            http-access 0/0 none
            <virtual-mta vmta-1>
                smtp-source-host 203.0.113.1 mail1.domain1.com
                domain-key ee1,domain1.com,/etc/pmta/dkim/domain1.com.ee1.pem
                <domain $msft>
                    max-msg-rate 50/h
                </domain>
            </virtual-mta>
            <virtual-mta-pool pool-all>
                virtual-mta vmta-1
            </virtual-mta-pool>
            <smtp-pattern-list backoff>
                reply /421/ mode=backoff
            </smtp-pattern-list>
            <domain *>
                max-msg-rate 100/15m
                backoff-max-msg-rate unlimited
                retry-after 10m,1h,4d12h
                backoff-to-normal-after never
                smtp-pattern-list backoff
            </domain>
            """));
    }

    [Fact]
    public void Each_problem_is_reported_where_it_is()
    {
        var findings = Findings("""
            http-access 0/0 admin
            <virtual-mta vmta-1>
                smtp-source-host 198.51.100.9 mail9.domain9.com
                domain-key ee1,domain9.com,/etc/pmta/dkim/domain9.com.ee1.pem
            </virtual-mta>
            <virtual-mta vmta-2>
                domain-key domain2.com,/x.pem
            </virtual-mta>
            <virtual-mta-pool vmta-1>
                virtual-mta vmta-3
            </virtual-mta-pool>
            <source 0/0>
                default-virtual-mta pool-x
            </source>
            <domain $yahoo>
                max-smtp-out 2
            </domain>
            <domain *>
                max-msg-rate 100/hour
                retry-after 10 minutes
                smtp-pattern-list nope
            </domain>
            include /etc/pmta/extra.conf
            """);

        Assert.Equal([
            "error 1:1 no smtp-listener: PowerMTA would listen on 0.0.0.0:25 only, and MailWizz relays to port 2525",
            "warning 1:1 HTTP management grants 'admin' to every address; keep it on 127.0.0.1",
            "error 3:5 IP 198.51.100.9 of virtual MTA 'vmta-1' is not registered (POST /api/v1/ips)",
            "error 4:5 key file /etc/pmta/dkim/domain9.com.ee1.pem is not a DKIM key Email-Engine deploys (known: /etc/pmta/dkim/domain1.com.ee1.pem, /etc/pmta/dkim/domain2.com.ee1.pem)",
            "error 6:1 virtual MTA 'vmta-2' has no smtp-source-host",
            "error 7:5 domain-key needs SELECTOR,DOMAIN,KEYFILE, got 'domain2.com,/x.pem'",
            "error 9:1 name 'vmta-1' is already used by <virtual-mta> at line 2 (virtual MTAs and pools share one namespace)",
            "error 10:5 pool 'vmta-1' lists virtual MTA 'vmta-3', which is not defined",
            "error 13:5 default-virtual-mta 'pool-x' is neither a virtual MTA nor a pool",
            "error 15:1 domain-macro yahoo is not defined",
            "error 19:5 max-msg-rate '100/hour' is not a rate (N/h, N/m, N/s, N/d, N/15m… or unlimited)",
            "error 20:5 retry-after '10 minutes' is not a time interval (e.g. 10m, 1h, 4d12h; comma list for retries)",
            "error 21:5 smtp-pattern-list 'nope' is not defined",
            "warning 23:1 included file /etc/pmta/extra.conf is not checked (only the text sent is validated)",
        ], findings);
    }
}
