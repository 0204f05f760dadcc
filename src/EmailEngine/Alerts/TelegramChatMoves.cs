using EmailEngine.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace EmailEngine.Alerts;

/// <summary>
/// A Telegram chat that moved (a group upgraded to a supergroup answers <c>migrate_to_chat_id</c>): alerts for
/// <see cref="ChatId"/>, the configured <c>ALERT_TELEGRAM_CHAT_ID</c>, go to <see cref="MovedTo"/>, also after a
/// restart. Keyed by the configured id, so a new <c>ALERT_TELEGRAM_CHAT_ID</c> is taken as it is.
/// </summary>
public sealed class TelegramChatMove
{
    public long Id { get; set; }
    public required string ChatId { get; set; }
    public required string MovedTo { get; set; }
    public DateTimeOffset MovedAt { get; set; }
}

internal sealed class TelegramChatMoveConfiguration : IEntityTypeConfiguration<TelegramChatMove>
{
    public void Configure(EntityTypeBuilder<TelegramChatMove> move)
    {
        move.ToTable("telegram_chat_moves");
        move.HasIndex(m => m.ChatId).IsUnique();
        move.Property(m => m.ChatId).HasMaxLength(100);
        move.Property(m => m.MovedTo).HasMaxLength(100);
    }
}

/// <summary>Where the Telegram channel's chat moved, kept across restarts.</summary>
public interface ITelegramChatMoves
{
    /// <summary>Where alerts for the configured chat go instead; null when it never moved.</summary>
    Task<string?> FindAsync(string chatId, CancellationToken ct);

    Task SaveAsync(string chatId, string movedTo, CancellationToken ct);
}

/// <summary>In the database (<c>telegram_chat_moves</c>): the channel is a singleton, each call has its own scope.</summary>
internal sealed class TelegramChatMovesInDatabase(IServiceScopeFactory scopes, TimeProvider clock) : ITelegramChatMoves
{
    public async Task<string?> FindAsync(string chatId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Set<TelegramChatMove>()
            .Where(m => m.ChatId == chatId).Select(m => m.MovedTo).SingleOrDefaultAsync(ct);
    }

    /// <summary>Replaces an earlier move of the same chat (a supergroup that moved again).</summary>
    public async Task SaveAsync(string chatId, string movedTo, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var move = await db.Set<TelegramChatMove>().SingleOrDefaultAsync(m => m.ChatId == chatId, ct);
        if (move is null)
            db.Add(move = new TelegramChatMove { ChatId = chatId, MovedTo = movedTo });
        (move.MovedTo, move.MovedAt) = (movedTo, clock.GetUtcNow());
        await db.SaveChangesAsync(ct);
    }
}
