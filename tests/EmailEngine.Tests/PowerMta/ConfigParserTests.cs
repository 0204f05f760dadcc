using EmailEngine.PowerMta.Config;

namespace EmailEngine.Tests.PowerMta;

/// <summary>The PowerMTA config parser and writer: round trips, real-world constructs, error positions, brace sketches.</summary>
public sealed class ConfigParserTests
{
    internal static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "PowerMta", "Fixtures", name));

    /// <summary>The structure without positions: one line per node, indented by depth.</summary>
    internal static List<string> Shape(IEnumerable<ConfigNode> nodes, int depth = 0) => nodes.SelectMany(node => node switch
    {
        Block b => [$"{depth}<{b.Name} {b.Argument}>#{b.TrailingComment}", .. Shape(b.Children, depth + 1), $"{depth}</{b.Name}>#{b.CloseComment}"],
        Directive d => [$"{depth}{d.Name}|{d.Value}|#{d.TrailingComment}"],
        CommentLine c => [$"{depth}#{c.Text}"],
        _ => new List<string> { $"{depth}" },
    }).ToList();

    [Theory]
    [InlineData("globals-pools.conf")]
    [InlineData("patterns.conf")]
    [InlineData("crlf-includes.conf")]
    [InlineData("v1-legacy.conf")]
    [InlineData("seed-sketch.conf")]
    public void Parse_write_parse_keeps_the_structure_and_comments(string fixture)
    {
        var text = Fixture(fixture);
        var first = ConfigParser.Parse(text).Document;

        var written = ConfigWriter.Write(first);
        var second = ConfigParser.Parse(written).Document;

        Assert.Equal(Shape(first.Nodes), Shape(second.Nodes));
        Assert.Equal(written, ConfigWriter.Write(second));
        Assert.Equal(text.Split('\n').Count(l => l.TrimStart().StartsWith('#')), Shape(second.Nodes).Count(l => l.TrimStart('0', '1', '2').StartsWith('#')));
        Assert.DoesNotContain("{", written.Replace("{pmta-auth}", ""));
    }

    [Fact]
    public void Nested_domain_blocks_macros_unknown_blocks_and_case_are_kept()
    {
        var document = ConfigParser.Parse(Fixture("globals-pools.conf")).Document;

        var vmta = Assert.Single(document.Blocks("virtual-mta"), b => b.Argument == "mta-a1");
        Assert.Equal(["$msft", "*"], vmta.Blocks("domain").Select(d => d.Argument));
        Assert.Equal("100/h", vmta.Blocks("domain").First().Directives("MAX-MSG-RATE").Single().Value);
        Assert.Equal("\"\"", vmta.Blocks("domain").Last().Directives("backoff-notify").Single().Value);
        Assert.Equal("VIRTUAL-MTA", Assert.Single(document.Blocks("virtual-mta"), b => b.Argument == "mta-a2").Name);
        Assert.Equal(["hotmail.com", "outlook.com", "live.com", "msn.com"], document.DomainMacros()["msft"]);
        var future = Assert.Single(document.Blocks("future-feature"));
        Assert.Equal("1 2 3", Assert.Single(future.Directives("some-new-directive")).Value);
        Assert.Equal(" unknown to us, kept verbatim", future.TrailingComment);
        Assert.Equal(" greeting name", document.Directives("host-name").Single().TrailingComment);
        Assert.Equal("mta.example.net", document.Directives("host-name").Single().Value);
        Assert.Equal("/var/spool/pmta/pickup /var/spool/pmta/badmail", document.Directives("pickup").Single().Value);
        Assert.Equal(["10/8", "monitor,deny-logs"], document.Directives("http-access").Last().Arguments);
    }

    [Fact]
    public void Hash_inside_a_regex_or_quotes_is_data_and_wrapped_regexes_are_joined()
    {
        var document = ConfigParser.Parse(Fixture("patterns.conf")).Document;

        var replies = document.Blocks("smtp-pattern-list").Single().Directives("reply").ToList();
        Assert.Equal(("/421 .* try again later/ mode=backoff,backoff-to-normal-after=1h", " Yahoo TS"), (replies[0].Value, replies[0].TrailingComment));
        Assert.Equal(("/\\#[0-9]+ throttled/ mode=backoff", null), (replies[1].Value, replies[1].TrailingComment));
        Assert.Equal(("/550 .*#5\\.7\\.1/ mode=backoff", " '#' in the regex, then a comment"), (replies[2].Value, replies[2].TrailingComment));
        Assert.Equal(["\"421 4.7.0 [TSS04] Messages temporarily deferred\"", "mode=backoff"], replies[3].Arguments);
        var patterns = document.Blocks("bounce-category-patterns").Single().Children.OfType<Directive>().ToList();
        Assert.Equal(("/spam/", "spam-related"), (patterns[0].Name, patterns[0].Value));
        Assert.Equal("/(user|mailbox|recipient) (account )?is (disabled|not activa\nted)/", patterns[3].Name);
        Assert.Equal(("inactive-mailbox", 24), (patterns[3].Value, patterns[3].Line));
        Assert.Equal(("//", "other"), (patterns[^1].Name, patterns[^1].Value));
        Assert.Equal(["/@newsletter\\.example\\.net$/", "virtual-mta=mta-a1"],
            document.Blocks("pattern-list").Single().Directives("mail-from").Single().Arguments);
    }

    [Fact]
    public void Crlf_files_parse_without_carriage_returns_and_are_written_back_with_crlf()
    {
        var text = Fixture("crlf-includes.conf");
        Assert.Contains("\r\n", text);

        var document = ConfigParser.Parse(text).Document;

        Assert.Equal("\r\n", document.NewLine);
        Assert.Equal("\"s3cr#t with space\"", document.Blocks("smtp-user").Single().Directives("password").Single().Value);
        Assert.Equal("/etc/pmta/conf.d/*.conf", document.Directives("include").Single().Value);
        Assert.DoesNotContain(Shape(document.Nodes), line => line.Contains('\r'));
        Assert.Equal(text, ConfigWriter.Write(document));
    }

    [Fact]
    public void Includes_are_kept_as_directives_and_resolved_when_a_resolver_is_given()
    {
        var files = new Dictionary<string, string>
        {
            ["/etc/pmta/conf.d/*.conf"] = "<domain yahoo.com>\n    max-msg-rate 100/h\n</domain>\n",
            ["/etc/pmta/isp/gmail.conf"] = "max-msg-rate 250/h\n",
        };

        var document = ConfigParser.Parse(Fixture("crlf-includes.conf"), new ParseOptions(IncludeResolver: path => files.GetValueOrDefault(path))).Document;

        var global = document.Directives("include").Single();
        Assert.Equal("yahoo.com", global.Included!.Blocks("domain").Single().Argument);
        var nested = document.Blocks("domain").Single().Directives("include").Single();
        Assert.Equal("250/h", nested.Included!.Directives("max-msg-rate").Single().Value);
        Assert.DoesNotContain("yahoo.com", ConfigWriter.Write(document));

        var broken = Assert.Throws<ConfigParseException>(() => ConfigParser.Parse("include /x.conf\n",
            new ParseOptions(IncludeResolver: _ => "<domain a>\n")));
        Assert.Equal(("/x.conf", 1, 1), (broken.File, broken.Line, broken.Column));
    }

    [Theory]
    [InlineData("<domain a>\n    max-smtp-out 1\n", 1, 1, "<domain a> is not closed")]
    [InlineData("<virtual-mta v1>\n  <domain *>\n    max-smtp-out 1\n  </virtual-mta>\n", 4, 3, "</virtual-mta> does not close <domain *> opened at line 2")]
    [InlineData("postmaster a@b.c\n\n   </source>\n", 3, 4, "</source> closes no open block")]
    [InlineData("<domain gmail.com\n</domain>\n", 1, 18, "tag is missing its closing '>'")]
    [InlineData("<domain x> max-smtp-out 2\n</domain>\n", 1, 12, "unexpected 'max-smtp-out 2' after the tag (one tag per line)")]
    [InlineData("<bounce-category-patterns>\n    /never closed spam-related\n</bounce-category-patterns>\n", 2, 5, "unterminated /regex/")]
    [InlineData("virtual-mta v {\n  smtp-source-host 1.2.3.4 a.b.c\n</virtual-mta>\n", 3, 1, "</virtual-mta> does not close 'virtual-mta v {' opened at line 1")]
    [InlineData("}\n", 1, 1, "'}' closes no open block")]
    [InlineData("/wrap\nped/ <x> { \n", 1, 1, "'/wrap\nped/ <x> {' is not a block: a block is 'name argument {' with a plain name and no '<' or '>'")]
    public void Errors_carry_line_and_column(string text, int line, int column, string message)
    {
        var error = Assert.Throws<ConfigParseException>(() => ConfigParser.Parse(text, new ParseOptions("test.conf")));

        Assert.Equal((line, column, message), (error.Line, error.Column, error.Reason));
        Assert.StartsWith($"test.conf:{line}:{column}: ", error.Message);
    }

    [Fact]
    public void The_seed_sketch_is_normalised_to_real_syntax()
    {
        var result = ConfigParser.Parse(Fixture("seed-sketch.conf"), new ParseOptions(DkimSelector: "ee1"));
        var document = result.Document;

        Assert.Equal("0.0.0.0:2525", document.Directives("smtp-listener").Single().Value);
        var source = document.Blocks("source").Single();
        Assert.Equal("0/0", source.Argument);
        Assert.Equal(["process-x-virtual-mta"], source.Children.OfType<Directive>().Select(d => d.Name));
        var vmtas = document.Blocks("virtual-mta").ToList();
        Assert.Equal(["vmta-1", "vmta-2"], vmtas.Select(v => v.Argument));
        Assert.Equal("IP1 mail1.domain1.com", vmtas[0].Directives("smtp-source-host").Single().Value);
        Assert.Equal("203.0.113.2 mail2.domain2.com", vmtas[1].Directives("smtp-source-host").Single().Value);
        Assert.Equal("ee1,domain2.com,/etc/pmta/dkim/domain2.pem", vmtas[1].Directives("domain-key").Single().Value);
        Assert.Equal(7, result.Notes.Count);
        Assert.Contains(result.Notes, n => n.StartsWith("line 9: 'smtp-listener 0.0.0.0:2525 { … }'", StringComparison.Ordinal) && n.Contains("listen-on-tcp dropped"));

        var written = ConfigWriter.Write(document);
        Assert.Contains("<virtual-mta vmta-1>\n    smtp-source-host IP1 mail1.domain1.com\n    domain-key ee1,domain1.com,/etc/pmta/dkim/domain1.pem\n</virtual-mta>", written);
        Assert.Contains("smtp-listener 0.0.0.0:2525\n<source 0/0>\n    process-x-virtual-mta yes\n</source>", written);
        Assert.Empty(ConfigParser.Parse(written).Notes);
    }
}
