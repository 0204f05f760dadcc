using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmailEngine.Http;

/// <summary>
/// One rule for control characters in API text: every JSON string a client sends is refused with a field error when it
/// holds a C0 control character other than tab, line feed and carriage return. PostgreSQL cannot store U+0000 at all
/// (a 500 before this rule), SQLite stores it and MailWizz later refuses it, and none of them is ever meant in a name, a
/// subject or an e-mail address.
/// </summary>
public sealed class ControlCharacterGuard : JsonConverter<string>
{
    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        if (text is not null && FirstForbidden(text) is { } index)
            throw new ControlCharacterException($"contains the control character U+{(int)text[index]:X4} at position {index + 1}; remove it");
        return text;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

    private static readonly SearchValues<char> Forbidden =
        SearchValues.Create([.. Enumerable.Range(0, 32).Select(c => (char)c).Where(c => c is not ('\t' or '\n' or '\r'))]);

    public static int? FirstForbidden(ReadOnlySpan<char> text) => text.IndexOfAny(Forbidden) is var index and >= 0 ? index : null;
}

/// <summary>A refused string in a JSON body; <see cref="BadRequestHandler"/> names its field.</summary>
public sealed class ControlCharacterException(string message) : JsonException(message);
