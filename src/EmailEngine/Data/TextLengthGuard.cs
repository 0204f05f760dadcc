using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace EmailEngine.Data;

/// <summary>
/// Text longer than its column: PostgreSQL refuses it (a 500 before this guard) while SQLite stores it whole. Checked
/// here, against the model's own maximum lengths, before anything is written, so both providers refuse the same value
/// the same way: the API answers 400 naming the field (<see cref="Http.BadRequestHandler"/>), and nothing is saved.
/// </summary>
internal sealed class TextLengthGuard : SaveChangesInterceptor
{
    public static readonly TextLengthGuard Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Check(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Check(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Check(DbContext? context)
    {
        if (context is null)
            return;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified))
                continue;
            foreach (var property in entry.Properties)
            {
                if (property.CurrentValue is string text && property.Metadata.GetMaxLength() is { } max && text.Length > max
                    && (entry.State == EntityState.Added || property.IsModified))
                    throw new TextTooLongException(property.Metadata.GetColumnName(), text.Length, max);
            }
        }
    }
}

/// <summary>A text value over its column's length; <see cref="Field"/> is the column, named as the API names fields.</summary>
public sealed class TextTooLongException(string field, int length, int max)
    : Exception($"'{field}' is {length} characters long; at most {max} are allowed.")
{
    public string Field { get; } = field;
}
