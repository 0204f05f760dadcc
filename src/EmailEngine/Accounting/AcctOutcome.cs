using EmailEngine.Deliverability;
using EmailEngine.Deliverability.Stats;

namespace EmailEngine.Accounting;

/// <summary>
/// What one record adds to the stats: <c>d</c> sent + delivered; <c>b</c> sent + bounced by class; <c>rb</c> (a
/// bounce after the receiving MTA accepted the message, already counted sent) bounced by class; <c>t</c> deferred
/// (and deferred_block when it is a block); <c>f</c> a complaint. <c>tq</c>, <c>r</c> and <c>rs</c> count nothing.
/// </summary>
public static class AcctOutcome
{
    /// <returns>The classification of a bounce or complaint (what may suppress the recipient), else null.</returns>
    public static (BounceClass Class, string Why)? Count(AcctRecord record, OutcomeCounts counts)
    {
        switch (record.Type)
        {
            case "d":
                counts.Sent++;
                counts.Delivered++;
                return null;
            case "b" or "rb":
                var bounce = BounceClassifier.Classify(record.Type, record.BounceCat, record.DsnStatus, record.DsnDiag);
                if (record.Type == "b")
                    counts.Sent++;
                counts.AddBounce(bounce.Class);
                return bounce;
            case "t":
                counts.Deferred++;
                if (BounceClassifier.Classify(record.Type, record.BounceCat, record.DsnStatus, record.DsnDiag).Class == BounceClass.Block)
                    counts.DeferredBlock++;
                return null;
            case "f":
                counts.Complaints++;
                return (BounceClass.Complaint, "feedback-loop complaint");
            default:
                return null;
        }
    }
}
