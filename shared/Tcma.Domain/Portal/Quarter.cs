namespace Tcma.Domain.Portal;

/// <summary>A calendar quarter in UTC, as the partner's own figures count them.</summary>
public readonly record struct Quarter(int Year, int Number)
{
    public static Quarter Of(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return new Quarter(utc.Year, (utc.Month - 1) / 3 + 1);
    }

    public DateTimeOffset Start => new(Year, (Number - 1) * 3 + 1, 1, 0, 0, 0, TimeSpan.Zero);
    public DateTimeOffset End => Start.AddMonths(3);
    public bool Contains(DateTimeOffset instant) => instant >= Start && instant < End;

    /// <summary>Weeks from the quarter's first day (the last one may be short): 13 or 14.</summary>
    public int Weeks => (int)Math.Ceiling((End - Start).TotalDays / 7);

    /// <summary>The week of the quarter an instant falls in, or null outside it.</summary>
    public int? WeekOf(DateTimeOffset instant) => Contains(instant) ? (int)((instant - Start).TotalDays / 7) : null;

    public DateOnly WeekStart(int week) => DateOnly.FromDateTime(Start.UtcDateTime).AddDays(7 * week);

    /// <summary>Counts per week of things that happened at given instants, those outside the quarter left out.</summary>
    public IReadOnlyList<long> ByWeek<T>(IEnumerable<T> items, Func<T, DateTimeOffset> when, Func<T, long>? weight = null)
    {
        var weeks = new long[Weeks];
        foreach (var item in items)
            if (WeekOf(when(item)) is { } w) weeks[w] += weight?.Invoke(item) ?? 1;
        return weeks;
    }

    public override string ToString() => $"Q{Number} {Year}";
}
