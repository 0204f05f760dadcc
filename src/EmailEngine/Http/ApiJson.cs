using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmailEngine.Http;

/// <summary>
/// The engine's wire JSON, for API responses and for what it writes elsewhere that clients read (webhook bodies, the
/// warmup figures the API shows): snake_case names, dictionary keys as given, and one form for every timestamp
/// (<see cref="Timestamps"/>).
/// </summary>
public static class ApiJson
{
    /// <summary>For bodies written outside the HTTP pipeline.</summary>
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.Converters.Add(new Timestamps());
        return options;
    }

    /// <summary>
    /// Every timestamp leaves the engine in UTC with exactly three fractional digits (<c>2026-11-25T10:00:00.123Z</c>).
    /// Milliseconds are the finest precision both databases keep (PostgreSQL microseconds, SQLite's stored ticks
    /// 100 µs), so the value a create answers with, taken from the clock, is the one later reads show. Any ISO 8601
    /// form is read.
    /// </summary>
    public sealed class Timestamps : JsonConverter<DateTimeOffset>
    {
        public static string Format(DateTimeOffset value)
        {
            var utc = value.UtcDateTime;
            return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMillisecond)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        }

        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.GetDateTimeOffset();

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Format(value));
    }
}
