using System.Globalization;
using Npgsql;

namespace EmailEngine.Contacts.Import;

/// <summary>
/// The tenant's and the global suppressions, as the first 64 bits of each address's SHA-256 (suppressions may keep
/// only the hash): 8 bytes per entry, whatever the file's size. A row that matches goes through the merge, whose
/// join on the whole hash decides. A row's key hash is that SHA-256's first 128 bits, so rows are not hashed again.
/// </summary>
internal sealed class SuppressedAddresses
{
    private readonly HashSet<ulong> _prefixes = [];

    public static async Task<SuppressedAddresses> LoadAsync(NpgsqlConnection connection, long tenantId, CancellationToken ct)
    {
        var loaded = new SuppressedAddresses();
        await using var query = new NpgsqlCommand("SELECT email_hash FROM suppressions WHERE tenant_id IS NULL OR tenant_id = $1", connection)
            { Parameters = { new() { Value = tenantId } } };
        await using var result = await query.ExecuteReaderAsync(ct);
        while (await result.ReadAsync(ct))
            if (ulong.TryParse(result.GetString(0).AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var prefix))
                loaded._prefixes.Add(prefix);
        return loaded;
    }

    /// <summary>Whether the row's address may be suppressed.</summary>
    public bool Matches(ImportRow row) => _prefixes.Count > 0 && _prefixes.Contains((ulong)(row.KeyNumber >> 64));
}
