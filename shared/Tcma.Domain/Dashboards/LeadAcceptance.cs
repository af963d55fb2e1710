namespace Tcma.Domain.Dashboards;

/// <summary>How long partners take to accept the leads offered to them, kept as a histogram of counts.</summary>
public static class LeadAcceptance
{
    /// <summary>The histogram's bands, shortest first, with the words the dashboard uses for each.</summary>
    public static readonly IReadOnlyList<(ActivityKind Kind, string Label)> Bands =
    [
        (ActivityKind.AcceptedWithinHour, "within an hour"),
        (ActivityKind.AcceptedWithin4Hours, "1 to 4 hours"),
        (ActivityKind.AcceptedWithinDay, "4 to 24 hours"),
        (ActivityKind.AcceptedAfterDay, "over a day"),
    ];

    /// <summary>The band of one acceptance; a clock that ran backwards counts as immediate.</summary>
    public static ActivityKind Band(TimeSpan sinceOffer) => sinceOffer.TotalHours switch
    {
        <= 1 => ActivityKind.AcceptedWithinHour,
        <= 4 => ActivityKind.AcceptedWithin4Hours,
        <= 24 => ActivityKind.AcceptedWithinDay,
        _ => ActivityKind.AcceptedAfterDay,
    };

    /// <summary>How many acceptances the histogram holds (acceptances announced before it existed are not in it).</summary>
    public static long Timed(Counts c) => Bands.Sum(b => c[b.Kind]);

    /// <summary>The band that holds the median acceptance (the lower middle one for an even count), or null when none was timed.</summary>
    public static string? MedianBand(Counts c)
    {
        var timed = Timed(c);
        if (timed == 0) return null;
        var half = (timed + 1) / 2;
        long seen = 0;
        foreach (var (kind, label) in Bands)
            if ((seen += c[kind]) >= half) return label;
        return Bands[^1].Label;
    }
}
