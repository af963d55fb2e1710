namespace Tcma.Domain.Dashboards;

/// <summary>An invitation as time to first launch needs it: whom, when, and when its launch was confirmed (if it was).</summary>
public sealed record InvitationTiming(string PartnerId, DateTimeOffset InvitedAt, DateTimeOffset? LaunchedAt);

/// <summary>How many partners took how long, for one band of the distribution.</summary>
public sealed record FirstLaunchBand(string Label, int Partners);

/// <summary>Time to first launch of the partners first invited in a period: the program's "time to value".</summary>
public sealed record FirstLaunchSummary(int Invited, int Launched, TimeSpan? Median, IReadOnlyList<FirstLaunchBand> Bands);

public static class FirstLaunch
{
    public const string NotYet = "Not launched yet";

    /// <summary>
    /// Partners whose first invitation ever falls in [<paramref name="from"/>, <paramref name="to"/>] (days as
    /// <paramref name="dayOf"/> counts them), and the time from that invitation to their first launch of any invitation.
    /// A partner invited before the period is not "new" here, whatever it was invited to since.
    /// </summary>
    public static FirstLaunchSummary Summarise(IEnumerable<InvitationTiming> invitations, DateOnly from, DateOnly to, Func<DateTimeOffset, DateOnly> dayOf)
    {
        var partners = invitations.GroupBy(i => i.PartnerId, StringComparer.Ordinal)
            .Select(g => (First: g.Min(i => i.InvitedAt), Launched: g.Where(i => i.LaunchedAt is not null).Select(i => i.LaunchedAt!.Value).DefaultIfEmpty().Min()))
            .Where(p => dayOf(p.First) >= from && dayOf(p.First) <= to)
            .ToList();
        var waits = partners.Where(p => p.Launched != default).Select(p => p.Launched < p.First ? TimeSpan.Zero : p.Launched - p.First).Order().ToList();
        var bands = new List<FirstLaunchBand>
        {
            new("Within a day", waits.Count(w => w <= TimeSpan.FromDays(1))),
            new("2-7 days", waits.Count(w => w > TimeSpan.FromDays(1) && w <= TimeSpan.FromDays(7))),
            new("8-30 days", waits.Count(w => w > TimeSpan.FromDays(7) && w <= TimeSpan.FromDays(30))),
            new("Over 30 days", waits.Count(w => w > TimeSpan.FromDays(30))),
            new(NotYet, partners.Count - waits.Count),
        };
        return new FirstLaunchSummary(partners.Count, waits.Count, Median(waits), bands);
    }

    /// <summary>The middle wait, or the mean of the two middle ones for an even count; null for none.</summary>
    public static TimeSpan? Median(IReadOnlyList<TimeSpan> sorted) => sorted.Count switch
    {
        0 => null,
        var n when n % 2 == 1 => sorted[n / 2],
        var n => TimeSpan.FromTicks((sorted[n / 2 - 1].Ticks + sorted[n / 2].Ticks) / 2),
    };
}
