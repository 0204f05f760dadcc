namespace EmailEngine.MailWizz.Sync;

/// <summary>What became of one row of a bulk subscribe: its subscriber uid, or why it is not on the list.</summary>
public sealed record BulkOutcome(string? SubscriberUid, string? Error);

/// <summary>
/// MailWizz's bulk subscribe, made exactly-once for a push that may be a repeat: a row MailWizz does not answer with a
/// uid (the address is already on the list, e.g. added by an attempt whose answer was lost) is looked up by email and
/// updated instead of created again.
/// </summary>
public static class SubscriberBulk
{
    public static async Task<MailWizzResult<IReadOnlyList<BulkOutcome>>> SubscribeAsync(MailWizzClient client, string listUid,
        IReadOnlyList<string> emails, IReadOnlyList<IReadOnlyDictionary<string, string>> rows, CancellationToken ct)
    {
        var result = await client.CreateSubscribersBulkAsync(listUid, rows, ct);
        if (!result.IsSuccess)
            return result.Error!;
        var outcomes = new List<BulkOutcome>();
        for (var i = 0; i < rows.Count; i++)
        {
            var item = i < result.Value!.Count ? result.Value[i] : null;
            if (item?.SubscriberUid is { } uid)
                outcomes.Add(new(uid, null));
            else if (await client.FindSubscriberAsync(listUid, emails[i], ct) is { IsSuccess: true, Value: { } existing })
            {
                var updated = await client.UpdateSubscriberAsync(listUid, existing.SubscriberUid, rows[i], ct);
                outcomes.Add(updated.IsSuccess ? new(existing.SubscriberUid, null) : new(null, updated.Error!.ToString()));
            }
            else
                outcomes.Add(new(null, item?.Errors is { } errors ? string.Join("; ", errors.Select(e => $"{e.Key}: {e.Value}")) : "not in MailWizz's answer"));
        }
        return outcomes;
    }
}
