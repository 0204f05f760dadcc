using System.Globalization;

namespace PmtaStandIn.Daemon;

/// <summary>
/// One `&lt;acct-file&gt;`: a CSV whose header row (first column `type`) is the union of the configured record types'
/// fields; rotated to `STEM-YYYY-MM-DD-NNNN.EXT` beside it at (virtual) midnight and when `max-size` is reached.
/// </summary>
public sealed class AccountingFile : IDisposable
{
    private readonly List<string> _columns;
    private readonly string _headerLine;
    private FileStream _stream;
    private DateOnly _day;

    public AccountingFile(AcctFileConfig config, DateTimeOffset now)
    {
        Config = config;
        _columns = config.Records
            .SelectMany(type => AccountingFields.Expand(type, config.RecordFields.TryGetValue(type, out var spec) ? spec : "*"))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        _headerLine = Csv.Line(_columns.Prepend("type"));
        _stream = Csv.OpenAppendLog(config.Path);
        _day = DateOnly.FromDateTime(now.UtcDateTime);
        var (header, lastDay) = ReadExisting();
        if (lastDay is { } day)
            _day = day;
        if (header is not null && header != _headerLine.TrimEnd('\n'))
            Rotate(); // the record fields changed: a file never mixes two header layouts
        else if (header is null)
            Csv.Append(_stream, _headerLine);
        RotateIfDue(now);
    }

    public AcctFileConfig Config { get; }

    public void Write(IReadOnlyList<AcctRecord> records, DateTimeOffset now)
    {
        RotateIfDue(now);
        var text = string.Concat(records
            .Where(r => Config.Records.Contains(r.Type))
            .Select(r => Csv.Line(_columns.Select(r.Value).Prepend(r.Type))));
        Csv.Append(_stream, text);
    }

    public void RotateIfDue(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var hasRecords = _stream.Length > _headerLine.Length;
        if (hasRecords && (today != _day || _stream.Length >= Config.MaxSize))
            Rotate();
        _day = today;
    }

    private void Rotate()
    {
        _stream.Dispose();
        var directory = Path.GetDirectoryName(Path.GetFullPath(Config.Path))!;
        var stem = Path.GetFileNameWithoutExtension(Config.Path);
        var extension = Path.GetExtension(Config.Path);
        string target;
        for (var n = 0; File.Exists(target = Path.Combine(directory, $"{stem}-{_day:yyyy-MM-dd}-{n:0000}{extension}")); n++)
        {
        }
        File.Move(Config.Path, target);
        _stream = Csv.OpenAppendLog(Config.Path);
        Csv.Append(_stream, _headerLine);
    }

    /// <summary>The existing file's header line and the day of its last record, so a restart rotates yesterday's file under yesterday's date.</summary>
    private (string? Header, DateOnly? LastDay) ReadExisting()
    {
        _stream.Position = 0;
        using var reader = new StreamReader(_stream, leaveOpen: true);
        var header = reader.ReadLine();
        string? last = null;
        while (reader.ReadLine() is { } line)
            last = line;
        _stream.Seek(0, SeekOrigin.End);
        if (header is null || last is null)
            return (header, null);
        var timeColumn = Csv.Split(header).IndexOf("timeLogged");
        var fields = Csv.Split(last);
        return timeColumn > 0 && timeColumn < fields.Count && fields[timeColumn].Length >= 10
            && DateOnly.TryParseExact(fields[timeColumn][..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? (header, day) : (header, null);
    }

    public void Dispose() => _stream.Dispose();
}
