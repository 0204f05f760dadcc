using System.CommandLine;
using System.Text.Json;
using EmailEngine.Contacts.Import;
using EmailEngine.Data;
using EmailEngine.Http;
using EmailEngine.Tenants;
using Spectre.Console;

namespace EmailEngine.Cli;

internal static class ContactCommands
{
    public static Command Build()
    {
        var contacts = new Command("contacts", "Contact operations.");
        var file = new Argument<FileInfo>("file") { Description = "CSV file (UTF-8, with or without BOM; , ; or tab separated)" };
        var tenant = new Option<string>("--tenant") { Description = "Tenant slug", Required = true };
        var delimiter = new Option<string?>("--delimiter") { Description = "',', ';', '|' or 'tab' (detected when omitted)" };
        var mapping = new Option<string?>("--mapping") { Description = "JSON object: CSV header → email, first_name, last_name, company, language, source, tags, fields.TAG" };
        var import = new Command("import", "Import a CSV of contacts (streamed, COPY into PostgreSQL, pushed to MailWizz in bulk).") { file, tenant, delimiter, mapping };
        import.SetAction((result, ct) => EngineCli.WithServicesAsync(async (services, token) =>
        {
            var path = result.GetValue(file)!;
            if (!path.Exists)
                return TenantCommands.Fail($"no such file: {path.FullName}");
            var resolved = await services.GetRequiredService<TenantScope>().ForWriteAsync(Caller.OperatorPrincipal("cli"), result.GetValue(tenant), token);
            if (!resolved.IsSuccess)
                return TenantCommands.Fail(resolved.Error!.Detail);
            var options = new ImportOptions(
                result.GetValue(delimiter) is { } d ? (d == "tab" ? '\t' : d[0]) : null,
                result.GetValue(mapping) is { } m ? JsonSerializer.Deserialize<Dictionary<string, string>>(m) : null);
            var db = services.GetRequiredService<AppDbContext>();
            var job = new ImportJob { TenantId = resolved.Value!.Id, FileName = path.Name, Status = ImportStatus.Queued, CreatedAt = DateTimeOffset.UtcNow };
            db.Add(job);
            await db.SaveChangesAsync(token);

            var importer = services.GetRequiredService<ContactImporter>();
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .StartAsync(async context =>
                {
                    var bar = context.AddTask($"importing {path.Name}", maxValue: path.Length);
                    await using var stream = new ProgressStream(path.OpenRead(), read => bar.Value = read);
                    var progress = new Progress<ImportProgress>(p => bar.Description =
                        $"{p.Phase}: {p.Rows:N0} rows, {p.Accepted:N0} accepted, {p.Rejected:N0} rejected, {p.RowsPerSecond:N0} rows/s");
                    await importer.RunAsync(job, resolved.Value, stream, options, progress, token);
                    bar.Value = bar.MaxValue;
                });
            Console.WriteLine($"job {job.Id}: {job.Status.ToString().ToLowerInvariant()}; {job.Rows:N0} rows, {job.Accepted:N0} accepted " +
                $"({job.Inserted:N0} new, {job.Updated:N0} updated, {job.Duplicates:N0} duplicates, {job.Suppressed:N0} suppressed), {job.Rejected:N0} rejected" +
                (job.Error is null ? "" : $"; {job.Error}"));
            return job.Status == ImportStatus.Completed ? 0 : 1;
        }, ct));
        contacts.Add(import);
        return contacts;
    }

    /// <summary>Reports how far the importer has read, for the progress bar.</summary>
    private sealed class ProgressStream(Stream inner, Action<long> onRead) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Report(inner.Read(buffer, offset, count));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => Report(await inner.ReadAsync(buffer, ct));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }

        private int Report(int read)
        {
            onRead(inner.Position);
            return read;
        }
    }
}
