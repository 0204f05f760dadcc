namespace PmtaStandIn.Daemon;

/// <summary>All configured `&lt;acct-file&gt;`s; a reload keeps a file whose block is unchanged and reopens the others.</summary>
public sealed class Accounting : IDisposable
{
    private List<AccountingFile> _files = [];

    public void Configure(IReadOnlyList<AcctFileConfig> configs, DateTimeOffset now)
    {
        var kept = configs.Select(c => _files.FirstOrDefault(f => SameBlock(f.Config, c))).ToList();
        foreach (var dropped in _files.Except(kept.OfType<AccountingFile>()))
            dropped.Dispose(); // before a changed block reopens the same path
        _files = configs.Select((config, i) => kept[i] ?? new AccountingFile(config, now)).ToList();
    }

    public void Write(IReadOnlyList<AcctRecord> records, DateTimeOffset now)
    {
        foreach (var file in _files)
            file.Write(records, now);
    }

    public void RotateIfDue(DateTimeOffset now)
    {
        foreach (var file in _files)
            file.RotateIfDue(now);
    }

    private static bool SameBlock(AcctFileConfig a, AcctFileConfig b) =>
        a.Path == b.Path && a.MaxSize == b.MaxSize && a.Records.SequenceEqual(b.Records)
        && a.RecordFields.Count == b.RecordFields.Count && a.RecordFields.All(f => b.RecordFields.TryGetValue(f.Key, out var v) && v == f.Value);

    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
    }
}
