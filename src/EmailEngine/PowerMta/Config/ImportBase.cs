using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using EmailEngine.Data;
using EmailEngine.Http;
using Microsoft.EntityFrameworkCore;

namespace EmailEngine.PowerMta.Config;

/// <summary>What an import found and did, stored with the version it produced.</summary>
public sealed record ImportReport(int Kept, int Dropped, int Replaced, IReadOnlyList<string> OldIps, IReadOnlyList<string> OldDomains,
    IReadOnlyList<string> OldVirtualMtas, IReadOnlyList<ImportItem> Items, IReadOnlyList<string> Notes)
{
    private static readonly JsonSerializerOptions Storage = new(JsonSerializerDefaults.Web);

    public static ImportReport From(V1Import import, IReadOnlyList<string> notes) => new(
        import.Items.Count(i => i.Action == ImportItem.Kept), import.Items.Count(i => i.Action == ImportItem.Dropped),
        import.Items.Count(i => i.Action == ImportItem.Replaced), import.OldIps, import.OldDomains, import.OldVirtualMtas, import.Items, notes);

    public string ToJson() => JsonSerializer.Serialize(this, Storage);

    public static ImportReport FromJson(string json) => JsonSerializer.Deserialize<ImportReport>(json, Storage)!;
}

/// <summary>The base version an import produced or found unchanged, and that import's report.</summary>
public sealed record ImportOutcome(PmtaBase Base, bool Created, ImportReport Report);

/// <summary>Imports a V1 config as a new base version (<see cref="ImportV1"/>) and reads the stored versions.</summary>
public sealed class ImportBase(AppDbContext db, TimeProvider clock)
{
    public async Task<Result<ImportOutcome>> ImportAsync(string v1Text, string sourceName, string actor, CancellationToken ct)
    {
        ParseResult parsed;
        try
        {
            parsed = ConfigParser.Parse(v1Text, new ParseOptions(sourceName));
        }
        catch (ConfigParseException error)
        {
            return Failure.Field("config", $"line {error.Line}, column {error.Column}: {error.Reason}");
        }
        var import = ImportV1.Run(parsed.Document);
        var report = ImportReport.From(import, parsed.Notes);
        var text = ConfigWriter.Write(import.Base);
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        var latest = await LatestAsync(ct);
        if (latest?.Sha256 == sha)
            return new ImportOutcome(latest, false, report);
        var version = new PmtaBase
        {
            Version = (latest?.Version ?? 0) + 1, Sha256 = sha, ConfigText = text, SourceName = sourceName, Actor = actor,
            ImportedAt = clock.GetUtcNow(), ReportJson = report.ToJson(),
        };
        db.Add(version);
        await db.SaveChangesAsync(ct);
        return new ImportOutcome(version, true, report);
    }

    public Task<PmtaBase?> LatestAsync(CancellationToken ct) =>
        db.Set<PmtaBase>().AsNoTracking().OrderByDescending(b => b.Version).FirstOrDefaultAsync(ct);

    public async Task<IReadOnlyList<PmtaBase>> VersionsAsync(CancellationToken ct) =>
        await db.Set<PmtaBase>().AsNoTracking().OrderByDescending(b => b.Version).ToListAsync(ct);
}
