using System.Text;
using CsCheck;
using EmailEngine.Accounting;
using EmailEngine.Contacts.Import;
using EmailEngine.Contacts.Validation;
using EmailEngine.PowerMta.Config;
using Sylvan.Data.Csv;

namespace EmailEngine.Tests.Properties;

/// <summary>
/// Property tests over the parsers that read what others write (sign-up forms, import files, PowerMTA's accounting,
/// operators' configs): random input never makes them fail other than with their own documented error, and what they accept is
/// stable. CsCheck shrinks a failure to a small input and prints the seed that reproduces it.
/// </summary>
public sealed class ParserPropertyTests
{
    private const int Iterations = 4_000;

    // Characters parsers trip on: separators, quotes, line ends, control characters, non-ASCII look-alikes, lone
    // surrogates and zero-width characters, mixed with plain letters.
    private static readonly Gen<char> Tricky = Gen.Frequency(
        (4, Gen.Char['a', 'z']),
        (3, Gen.OneOf('@', '.', '-', '"', '\\', ',', ';', ' ', '\t', '\n', '\r', '<', '>', '#', '/', '{', '}', '[', ']', '(', ')', '=', '*', '\0')),
        (1, Gen.OneOf('ü', 'é', 'ß', '\u037E', '\uFF20', '\uD800', '\uDC00', '\u200B', '\u00A0', '\uFEFF')),
        (1, Gen.Char));

    private static Gen<string> Text(int max) => Tricky.Array[0, max].Select(chars => new string(chars));

    private static readonly Gen<string> Label = Gen.Frequency(
        (3, Text(12)), (1, Text(6).Select(t => "xn--" + t)), (1, Gen.OneOf("xn--0", "ab--cd", "xn--mller-kva", "test", "local", "com", "fr")));

    private static readonly Gen<string> AddressLike = Gen.Frequency(
        (1, Text(60)),
        (3, Gen.Select(Text(20), Label.Array[1, 5], (local, labels) => $"{local}@{string.Join('.', labels)}")));

    [Fact]
    public void An_address_check_never_throws_and_what_it_accepts_is_accepted_again_unchanged() =>
        AddressLike.Sample(address =>
        {
            var check = EmailAddressValidator.Check(address);
            if (!check.IsValid)
                return check.Code is { Length: > 0 } && check.Reason is { Length: > 0 };
            var again = EmailAddressValidator.Check(check.Normalized);
            return again.IsValid && again.Normalized == check.Normalized && again.Flags == check.Flags;
        }, iter: Iterations);

    private static readonly Gen<string> CsvRow = Gen.Select(AddressLike, Text(15), Text(15), (email, name, tags) => $"{email},{name},{tags}");

    [Fact]
    public void An_import_row_is_accepted_with_a_valid_address_or_rejected_with_a_reason_never_an_exception() =>
        CsvRow.Array[1, 10].Sample(rows =>
        {
            using var records = CsvDataReader.Create(new StringReader("email,first_name,tags\n" + string.Join('\n', rows)),
                new CsvDataReaderOptions { HasHeaders = true, CsvStyle = CsvStyle.Lax });
            var headers = Enumerable.Range(0, records.FieldCount).Select(records.GetName).ToList();
            var reader = new ImportRowReader(ImportColumns.From(headers, null), headers.Count, "fr");
            for (var number = 2L; records.Read(); number++)
            {
                var row = reader.Read(records, number);
                var fine = row.Reject is { Length: > 0 } ? row.Email is null
                    : row.Email is { } email && EmailAddressValidator.Check(email) is { IsValid: true } check && check.Normalized == email;
                if (!fine)
                    return false;
            }
            return true;
        }, iter: Iterations);

    private const string AcctHeader = "type,timeLogged,orig,rcpt,dsnStatus,dsnDiag,bounceCat,vmta,header_X-EE-Tenant\n";

    private static readonly Gen<string> AcctLine = Gen.Frequency(
        (2, Text(80)),
        (3, Gen.Select(Gen.OneOf("d", "b", "t", "f", "rb", "x", ""), Text(20), Text(20), Text(20),
            (type, rcpt, diag, vmta) => $"{type},2026-12-04 10:00:00+0000,a@b.fr,{rcpt},5.1.1,\"{diag.Replace("\"", "\"\"")}\",,{vmta},client-1")));

    [Fact]
    public void The_accounting_reader_reads_any_text_or_refuses_it_as_binary_and_never_passes_its_end() =>
        AcctLine.Array[0, 12].Sample(lines =>
        {
            var bytes = Encoding.UTF8.GetBytes(AcctHeader + string.Join('\n', lines));
            var reader = new AcctReader(new MemoryStream(bytes));
            var ends = new List<long>();
            try
            {
                foreach (var batch in reader.ReadBatchesAsync().ToBlockingEnumerable())
                    ends.AddRange(batch.Records.Select(r => r.EndOffset));
            }
            catch (InvalidDataException) when (bytes.Contains((byte)0))
            {
                return true;
            }
            return reader.CompleteOffset <= bytes.Length && ends.SequenceEqual(ends.Order()) && ends.All(e => e <= reader.CompleteOffset);
        }, iter: Iterations);

    private static readonly Gen<string> ConfigLine = Gen.Frequency(
        (2, Text(40)),
        (2, Gen.Select(Gen.OneOf("max-msg-rate", "smtp-source-host", "virtual-mta", "domain-key", "include", "reply", "bounce-after"), Text(20),
            (directive, value) => $"{directive} {value}")),
        (1, Gen.Select(Gen.OneOf("virtual-mta", "domain", "virtual-mta-pool", "smtp-pattern-list", "source"), Text(10),
            (block, name) => $"<{block} {name}>")),
        (1, Gen.OneOf("</virtual-mta>", "</domain>", "</smtp-pattern-list>", "</source>", "}", "virtual-mta vmta-1 {", "# comment", "")));

    [Fact]
    public void The_config_parser_refuses_with_a_position_or_parses_to_text_that_parses_to_itself() =>
        ConfigLine.Array[0, 15].Sample(lines =>
        {
            var text = string.Join('\n', lines);
            ConfigDocument document;
            try
            {
                document = ConfigParser.Parse(text, new ParseOptions(IncludeResolver: _ => null)).Document;
            }
            catch (ConfigParseException)
            {
                return true;
            }
            var written = ConfigWriter.Write(document);
            return ConfigWriter.Write(ConfigParser.Parse(written, new ParseOptions(IncludeResolver: _ => null)).Document) == written;
        }, iter: Iterations);
}
