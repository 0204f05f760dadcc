using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using EmailEngine.Contacts.Validation;
using EmailEngine.Tenants;
using Sylvan.Data.Csv;

namespace EmailEngine.Contacts.Import;

/// <summary>A validated row of an import file, or a rejection (<see cref="Reject"/> set).</summary>
internal sealed record ImportRow(long RowNumber, string? Email, string? Key, Guid KeyHash, string? Language, string? FirstName, string? LastName,
    string? Company, string? Source, string? Tags, string? Fields, int Flags, string? Reject, string? RejectedValue)
{
    /// <summary>
    /// <see cref="KeyHash"/> as a number, its bytes big-endian as the uuid's: its top 64 bits are the first 64 of the
    /// address's SHA-256 (the suppression hash), and it orders as the contacts' unique index does. Computed once: the
    /// Bloom filter, the suppression pre-match and the chunk's sort all read it.
    /// </summary>
    public UInt128 KeyNumber { get; } = NumberOf(KeyHash);

    public static UInt128 NumberOf(Guid keyHash)
    {
        Span<byte> bytes = stackalloc byte[16];
        keyHash.TryWriteBytes(bytes, bigEndian: true, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    /// <summary>The autoresponder that welcomes the contact, chosen by its language.</summary>
    public long WelcomeCampaignId { get; set; }

    /// <summary>The contact's own fields, in the order both COPY column lists (contacts, staging) name them.</summary>
    public void WriteFields(BinaryCopyRows copy)
    {
        copy.Write(Email);
        copy.Write(Key);
        copy.Write(FirstName);
        copy.Write(LastName);
        copy.Write(Company);
        copy.Write(Language);
        copy.Write(Source);
        copy.Write(Tags);
        copy.Write(Fields);
    }
}

/// <summary>Turns the records of one file into <see cref="ImportRow"/>s with the intake rules; one per import, one thread.</summary>
internal sealed class ImportRowReader(ImportColumns columns, int expectedColumns, string defaultLanguage)
{
    // Tags and custom fields become JSON through one reused writer: serializing a dictionary per row cost more than
    // validating its address.
    private readonly ArrayBufferWriter<byte> _json = new(512);
    private readonly Utf8JsonWriter _writer = new(Stream.Null);

    public ImportRow Read(CsvDataReader records, long rowNumber)
    {
        if (records.RowFieldCount != expectedColumns)
            return Rejected(rowNumber, null, $"expected {expectedColumns} columns, found {records.RowFieldCount}");
        // The API's rule for control characters (PostgreSQL cannot even store U+0000): the row is rejected, not the file.
        for (var column = 0; column < expectedColumns; column++)
            if (Http.ControlCharacterGuard.FirstForbidden(records.GetFieldSpan(column)) is { } at)
                return Rejected(rowNumber, null, $"column {column + 1} holds the control character U+{(int)records.GetFieldSpan(column)[at]:X4}");
        var raw = records.GetString(columns.Email);
        var check = EmailAddressValidator.Check(raw);
        if (!check.IsValid)
            return Rejected(rowNumber, raw, $"{check.Reason} ({check.Code})");
        var language = columns.Language >= 0 && TenantRules.NormalizeLanguage(records.GetString(columns.Language)) is { } l ? l : defaultLanguage;
        var key = check.Normalized!.ToLowerInvariant();
        return new ImportRow(rowNumber, check.Normalized, key, Contact.KeyHashOf(key), language, Optional(records, columns.FirstName, 255),
            Optional(records, columns.LastName, 255), Optional(records, columns.Company, 255), Optional(records, columns.Source, 100),
            Tags(records), Fields(records), (int)check.Flags, null, null);
    }

    private static ImportRow Rejected(long rowNumber, string? value, string reason) =>
        new(rowNumber, null, null, Guid.Empty, null, null, null, null, null, null, null, 0, reason, value);

    private static string? Optional(CsvDataReader records, int column, int max)
    {
        var value = column >= 0 ? records.GetString(column).Trim() : "";
        return value.Length == 0 ? null : value.Length > max ? value[..max] : value;
    }

    private string Tags(CsvDataReader records)
    {
        var cell = columns.Tags < 0 ? "" : records.GetString(columns.Tags);
        if (cell.AsSpan().Trim().IsEmpty)
            return "[]";
        var writer = Start();
        writer.WriteStartArray();
        foreach (var tag in cell.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            writer.WriteStringValue(tag);
        writer.WriteEndArray();
        return Finish();
    }

    private string Fields(CsvDataReader records)
    {
        if (columns.Fields.Count == 0)
            return "{}";
        var writer = Start();
        writer.WriteStartObject();
        var seen = 0;
        foreach (var (index, tag) in columns.Fields)
        {
            if (records.GetString(index).Trim() is not { Length: > 0 } value)
                continue;
            writer.WriteString(tag, value.Length > 255 ? value[..255] : value);
            seen++;
        }
        writer.WriteEndObject();
        return seen == 0 ? "{}" : Finish();
    }

    private Utf8JsonWriter Start()
    {
        _json.ResetWrittenCount();
        _writer.Reset(_json);
        return _writer;
    }

    private string Finish()
    {
        _writer.Flush();
        return Encoding.UTF8.GetString(_json.WrittenSpan);
    }
}
