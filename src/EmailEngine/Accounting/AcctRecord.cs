namespace EmailEngine.Accounting;

/// <summary>
/// One PowerMTA accounting record with the fields the deliverability loop uses. <see cref="EndOffset"/> is the byte
/// offset just after the record, where an incremental reader resumes.
/// </summary>
public sealed record AcctRecord(
    string Type, string? TimeLogged, string? Orig, string? Rcpt, string? DsnAction, string? DsnStatus, string? DsnDiag,
    string? BounceCat, string? Vmta, string? VmtaPool, string? JobId, string? EnvId, string? SourceIp,
    IReadOnlyDictionary<string, string> Headers, long EndOffset)
{
    public string? RecipientDomain => Rcpt is { } r && r.LastIndexOf('@') is var at and >= 0 ? r[(at + 1)..].ToLowerInvariant() : null;
}

/// <summary>Consecutive records read with the same header (see <see cref="AcctReader.ReadBatchesAsync"/>).</summary>
public sealed record AcctBatch(IReadOnlyList<AcctRecord> Records, IReadOnlyList<string>? Header);
