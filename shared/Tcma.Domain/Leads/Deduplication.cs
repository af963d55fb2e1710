namespace Tcma.Domain.Leads;

/// <summary>What to do with a valid submission given the vendor's existing leads for the same person.</summary>
public abstract record DedupDecision
{
    private DedupDecision() { }

    /// <summary>No open lead within the window: create a lead and route it.</summary>
    public sealed record CreateNew : DedupDecision;

    /// <summary>The person already has an open lead: add the submission as an activity, keep the holder, route nothing.</summary>
    public sealed record MergeInto(Lead Merged, LeadActivity Activity) : DedupDecision;

    /// <summary>This very submission was already recorded (the queue delivered it twice): change nothing.</summary>
    public sealed record AlreadyRecorded(Lead Lead) : DedupDecision;
}

public static class Deduplication
{
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(30);

    /// <summary>
    /// Matches on the vendor and the normalised email. A lead counts while it is open (not Won or Lost), not erased, and its
    /// last activity is no older than the window; the window runs from the last activity, so a conversation that keeps going
    /// stays one lead. When several qualify, the most recently active one takes the submission.
    /// </summary>
    public static DedupDecision Deduplicate(ValidSubmission submission, IEnumerable<Lead> candidates, DateTimeOffset now, TimeSpan? window = null)
    {
        var span = window ?? DefaultWindow;
        var key = submission.MatchKey;
        var samePerson = candidates
            .Where(l => l.VendorId == submission.VendorId && !l.IsErased && LeadNormalisation.MatchKey(l.VendorId, l.Person.Email) == key)
            .ToList();

        var recorded = samePerson.FirstOrDefault(l => l.Activities.Any(a => a.SubmissionId == submission.SubmissionId));
        if (recorded is not null)
            return new DedupDecision.AlreadyRecorded(recorded);

        var open = samePerson
            .Where(l => !l.Status.IsClosed && now - l.LastActivityAt <= span)
            .OrderByDescending(l => l.LastActivityAt)
            .ThenBy(l => l.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        if (open is null)
            return new DedupDecision.CreateNew();

        var activity = submission.ToActivity();
        var merged = open with
        {
            Person = FillBlanks(open.Person, submission.Person),
            LastActivityAt = submission.ReceivedAt > open.LastActivityAt ? submission.ReceivedAt : open.LastActivityAt,
            Activities = [.. open.Activities, activity],
        };
        return new DedupDecision.MergeInto(merged, activity);
    }

    /// <summary>A later submission may add what the lead lacked, never overwrite what the partner already works with.</summary>
    private static LeadPerson FillBlanks(LeadPerson existing, LeadPerson later) => existing with
    {
        Phone = existing.Phone ?? later.Phone,
        Company = existing.Company ?? later.Company,
        JobTitle = existing.JobTitle ?? later.JobTitle,
        Region = existing.Region ?? later.Region,
        PostalCode = existing.PostalCode ?? later.PostalCode,
        CompanySize = existing.CompanySize ?? later.CompanySize,
        ProductInterest = existing.ProductInterest ?? later.ProductInterest,
    };
}
