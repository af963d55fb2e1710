namespace Tcma.Domain.Dashboards;

/// <summary>What a partner did that the vendor's dashboards count.</summary>
/// <remarks>
/// New kinds go at the end: packed month rows name their kinds (<c>Layout</c>), day rows a column per kind, so rows written
/// before a kind existed read it as zero. The <c>AcceptedWithin…</c> kinds are a histogram of the time from a lead's
/// offer to its acceptance (<see cref="LeadAcceptance"/>): counts add up across days, partners and tiers where a list of
/// times would not, and a median is read from them.
/// </remarks>
public enum ActivityKind
{
    Launched, EmailSent, EmailOpened, EmailClicked, Unsubscribed, LeadCaptured, LeadAccepted, LeadWon,
    LeadRejected, LeadLapsed, LeadRecalled, LeadPooled, LeadLost,
    AcceptedWithinHour, AcceptedWithin4Hours, AcceptedWithinDay, AcceptedAfterDay,
    // The funnel's first steps: a partner invited to a kit version, and its first opening of that invitation's launch page.
    Invited, LaunchLinkOpened,
    // A launch's social post, once the network has it.
    PostPublished,
}

/// <summary>
/// One countable event, named by the id of the exactly-once record that produced it (a send id, a lead id, a launch
/// id...), so counting it again after a redelivery or a retry changes nothing. <see cref="At"/> is the event's own time.
/// <see cref="Quantity"/> is 1 but for bulk loads (a history imported or generated at once), which count many under one id.
/// </summary>
public sealed record Activity(string VendorId, string EventId, ActivityKind Kind, string PartnerId, string? KitId, string? Version, DateTimeOffset At, decimal Amount = 0, int Quantity = 1)
{
    public string Key => $"{Kind}|{EventId}";
}

/// <summary>How many of each kind, and the amount won: a day's, a kit's, a partner's or a period's counts.</summary>
public sealed record Counts(IReadOnlyDictionary<ActivityKind, long> ByKind, decimal Won)
{
    public static readonly Counts Zero = new(new Dictionary<ActivityKind, long>(), 0);

    public long this[ActivityKind kind] => ByKind.GetValueOrDefault(kind);

    public Counts Plus(Activity a)
    {
        var next = new Dictionary<ActivityKind, long>(ByKind) { [a.Kind] = this[a.Kind] + a.Quantity };
        return new Counts(next, Won + (a.Kind == ActivityKind.LeadWon ? a.Amount : 0));
    }

    public Counts Plus(Counts other)
    {
        var next = new Dictionary<ActivityKind, long>(ByKind);
        foreach (var (k, v) in other.ByKind) next[k] = next.GetValueOrDefault(k) + v;
        return new Counts(next, Won + other.Won);
    }

    public static Counts Sum(IEnumerable<Counts> all) => all.Aggregate(Zero, (a, b) => a.Plus(b));

    /// <summary>Part of a whole as a rate, 0 when there is no whole (a kit with no email sent has no open rate).</summary>
    public static double Rate(long part, long whole) => whole <= 0 ? 0 : (double)part / whole;
}
