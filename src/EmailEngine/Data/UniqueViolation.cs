using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace EmailEngine.Data;

/// <summary>Whether a refused save broke a unique index (a concurrent writer got there first), on either provider.</summary>
public static class UniqueViolation
{
    private const int SqliteConstraintUnique = 2067; // SQLITE_CONSTRAINT_UNIQUE, SQLite's extended result code

    /// <summary>The save's own exception, or the database's (a statement run without EF).</summary>
    public static bool Caused(Exception e) => (e is DbUpdateException ? e.InnerException : e) switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode == SqliteConstraintUnique,
        _ => false,
    };
}
