using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;

namespace EmailEngine.Data;

/// <summary>
/// Text longer than its column, or holding U+0000: PostgreSQL refuses both (a 500 before this guard) while SQLite stores
/// them. Checked here, against the model's own maximum lengths, before anything is written, so both providers refuse
/// the same value the same way, whatever route it came in by (JSON, query string, raw body): the API answers 400 naming
/// the field (<see cref="Http.BadRequestHandler"/>), and nothing is saved.
/// </summary>
internal sealed class TextGuard : SaveChangesInterceptor
{
    public static readonly TextGuard Instance = new();

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
                if (property.CurrentValue is string text && (entry.State == EntityState.Added || property.IsModified))
                    Check(property.Metadata, text);
            }
        }
    }

    /// <summary>The same check for a new entity written without EF's change tracking (its owned parts included).</summary>
    public static void CheckNew(DbContext context, object entity) => CheckNew(context.Model.FindEntityType(entity.GetType())!, entity);

    private static void CheckNew(IReadOnlyEntityType type, object entity)
    {
        foreach (var property in type.GetProperties())
        {
            if (property.PropertyInfo?.GetValue(entity) is string text)
                Check(property, text);
        }
        foreach (var owned in type.GetNavigations().Where(n => n.TargetEntityType.IsOwned()))
        {
            if (owned.PropertyInfo?.GetValue(entity) is { } part)
                CheckNew(owned.TargetEntityType, part);
        }
    }

    private static void Check(IReadOnlyProperty property, string text)
    {
        if (property.GetMaxLength() is { } max && text.Length > max)
            throw new TextRefusedException(property.GetColumnName(), $"is {text.Length} characters long; at most {max} are allowed.");
        if (text.Contains('\0'))
            throw new TextRefusedException(property.GetColumnName(), "holds a NUL character (U+0000), which no text can store.");
    }
}

/// <summary>A text value no column takes; <see cref="Field"/> is the column, named as the API names fields.</summary>
public sealed class TextRefusedException(string field, string problem) : Exception($"'{field}' {problem}")
{
    public string Field { get; } = field;
}
