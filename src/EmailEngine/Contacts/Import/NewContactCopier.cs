using System.Collections.Concurrent;
using System.Threading.Channels;
using Npgsql;

namespace EmailEngine.Contacts.Import;

/// <summary>
/// The import's fast path: rows whose address is new to the file and not suppressed are COPYed straight into
/// <c>contacts</c>, in chunks that each commit on their own, over two connections at once (PostgreSQL then works on
/// both cores). Their addresses are pairwise distinct, so chunk order does not matter. A chunk that meets a contact
/// the tenant already has (unique violation) is handed back whole for the merge, and so is every later chunk: the
/// tenant is known to hold some of the file.
/// Rows are encoded as they are read, so a chunk waiting for its COPY is a few reused buffers, not thousands of live
/// objects for the garbage collector to copy: GC pauses over such objects had been a large part of the import's time.
/// </summary>
internal sealed class NewContactCopier : IAsyncDisposable
{
    public const int ChunkRows = 20_000;
    private const int Connections = 2;
    private const short Columns = 19;
    private const string Copy = "COPY contacts (tenant_id, key_hash, email, email_key, first_name, last_name, company, language, source, tags, fields, "
        + "status, flags, welcome_campaign_id, sync_status, sync_attempts, created_at, updated_at, import_job_id) FROM STDIN (FORMAT BINARY)";

    private readonly Channel<Chunk> _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(Connections) { SingleWriter = true });
    private readonly ConcurrentQueue<Chunk> _free = new();
    private readonly ConcurrentQueue<ImportRow> _refused = new();
    private readonly Task[] _workers;
    private readonly long _tenantId, _jobId;
    private readonly DateTimeOffset _now;
    private Chunk _chunk = new();
    private long _inserted;
    private volatile bool _conflicted;

    /// <summary>Encoded rows, and their row numbers in the file (kept in case the chunk is refused).</summary>
    private sealed class Chunk
    {
        public BinaryCopyRows Rows { get; } = new(4 << 20);
        public long[] RowNumbers { get; } = new long[ChunkRows];
        /// <summary>Where each row starts in <see cref="Rows"/>, and where the last one ends.</summary>
        public int[] Starts { get; } = new int[ChunkRows + 1];
        public ulong[] SortKeys { get; } = new ulong[ChunkRows];
        public int[] Order { get; } = new int[ChunkRows];
        public int Count { get; set; }

        /// <summary>Notes where the row starts and how it sorts; returns the buffer to encode it into.</summary>
        public BinaryCopyRows Begin(ImportRow row)
        {
            Starts[Count] = Rows.Written.Length;
            SortKeys[Count] = (ulong)(row.KeyNumber >> 64);
            RowNumbers[Count++] = row.RowNumber;
            return Rows;
        }

        /// <summary>
        /// The rows in the unique index's order (by their key hash's first 64 bits). The hashes come in random order;
        /// sorted, consecutive rows land on neighbouring index pages still in the CPU's cache, which makes the COPY
        /// faster (figures: docs/benchmarks.md).
        /// </summary>
        public IEnumerable<ReadOnlyMemory<byte>> RowsInKeyOrder()
        {
            Starts[Count] = Rows.Written.Length;
            for (var i = 0; i < Count; i++)
                Order[i] = i;
            Array.Sort(SortKeys, Order, 0, Count);
            for (var i = 0; i < Count; i++)
                yield return Rows.Written[Starts[Order[i]]..Starts[Order[i] + 1]];
        }

        public void Clear()
        {
            Count = 0;
            Rows.Clear();
        }
    }

    public NewContactCopier(string connectionString, long tenantId, long jobId, DateTimeOffset now, CancellationToken ct)
    {
        (_tenantId, _jobId, _now) = (tenantId, jobId, now);
        _workers = Enumerable.Range(0, Connections).Select(_ => Task.Run(() => WorkAsync(connectionString, ct), ct)).ToArray();
    }

    /// <summary>Once set, rows should go to the merge: the tenant already has some of the file's addresses.</summary>
    public bool Conflicted => _conflicted;

    public async ValueTask AddAsync(ImportRow row, CancellationToken ct)
    {
        Encode(_chunk.Begin(row), row);
        if (_chunk.Count == ChunkRows)
            await FlushAsync(ct);
    }

    /// <summary>Waits for every chunk; returns how many rows were inserted, and the rows handed back for the merge.</summary>
    public async Task<(long Inserted, IReadOnlyCollection<ImportRow> Refused)> CompleteAsync(CancellationToken ct)
    {
        if (_chunk.Count > 0)
            await FlushAsync(ct);
        _chunks.Writer.TryComplete();
        await Task.WhenAll(_workers);
        return (_inserted, _refused);
    }

    /// <summary>An import that stops early (unreadable file, cancellation) still ends its connections.</summary>
    public async ValueTask DisposeAsync()
    {
        _chunks.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_workers);
        }
        catch (Exception)
        {
            // A worker's error is surfaced by CompleteAsync or AddAsync; here the import is already failing.
        }
    }

    private async ValueTask FlushAsync(CancellationToken ct)
    {
        try
        {
            await _chunks.Writer.WriteAsync(_chunk, ct);
        }
        catch (ChannelClosedException)
        {
            await Task.WhenAll(_workers); // a worker failed: surface its error
            throw;
        }
        _chunk = _free.TryDequeue(out var free) ? free : new Chunk();
    }

    private async Task WorkAsync(string connectionString, CancellationToken ct)
    {
        try
        {
            // Chunks commit without waiting for the disk (a job cut short is run again whole). The setting goes in the
            // connection string, so these connections have their own pool: pooled connections are not reset when returned,
            // and a SET here would reach the engine's other writes.
            var unsynced = new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c synchronous_commit=off" }.ConnectionString;
            await using var connection = new NpgsqlConnection(unsynced);
            await connection.OpenAsync(ct);
            await foreach (var chunk in _chunks.Reader.ReadAllAsync(ct))
            {
                if (!_conflicted && await TryCopyAsync(connection, chunk, ct))
                    Interlocked.Add(ref _inserted, chunk.Count);
                else
                    Refuse(chunk);
                chunk.Clear();
                _free.Enqueue(chunk);
            }
        }
        catch (Exception e)
        {
            _chunks.Writer.TryComplete(e);
            throw;
        }
    }

    private async Task<bool> TryCopyAsync(NpgsqlConnection connection, Chunk chunk, CancellationToken ct)
    {
        try
        {
            await using var copy = await BinaryCopyWriter.BeginAsync(connection, Copy, ct);
            foreach (var row in chunk.RowsInKeyOrder())
                copy.WriteRows(row);
            await copy.CompleteAsync(ct);
            return true;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            _conflicted = true;
            return false;
        }
    }

    private void Encode(BinaryCopyRows copy, ImportRow row)
    {
        copy.StartRow(Columns);
        copy.Write(_tenantId);
        copy.Write(row.KeyHash);
        row.WriteFields(copy);
        copy.Write("active");
        copy.Write(row.Flags);
        copy.Write(row.WelcomeCampaignId);
        copy.Write("pending");
        copy.Write(0);
        copy.Write(_now);
        copy.Write(_now);
        copy.Write(_jobId);
    }

    /// <summary>Decodes a refused chunk back into rows (field positions as <see cref="Encode"/> writes them).</summary>
    private void Refuse(Chunk chunk)
    {
        var i = 0;
        foreach (var f in BinaryCopyRows.ReadRows(chunk.Rows.Written))
        {
            var text = (int field) => BinaryCopyRows.Text(f[field]);
            _refused.Enqueue(new ImportRow(chunk.RowNumbers[i++], text(2), text(3), BinaryCopyRows.Uuid(f[1]), text(7), text(4), text(5), text(6), text(8),
                text(9), text(10), BinaryCopyRows.Int32(f[12]), null, null) { WelcomeCampaignId = BinaryCopyRows.Int64(f[13]) });
        }
    }
}
