using System.Globalization;

namespace Tcma.Domain.Dashboards;

/// <summary>
/// The days a dashboard covers, in the vendor's time zone, both ends included: this quarter (the default), the last 30
/// or 90 days, a named quarter ("2026-Q3"), or a custom range. A range that ends in the future ends today.
/// </summary>
public sealed record DashboardPeriod(string Key, DateOnly From, DateOnly To, string Label)
{
    public const int MaxDays = 366;
    public static readonly DateOnly Earliest = new(2020, 1, 1);

    public int Days => To.DayNumber - From.DayNumber + 1;

    /// <summary>The as many days just before this period: what "trending down" compares against.</summary>
    public DashboardPeriod Previous => new($"{Key}-previous", From.AddDays(-Days), From.AddDays(-1), $"the {Days} days before");

    public IEnumerable<DateOnly> EachDay() => Enumerable.Range(0, Days).Select(From.AddDays);

    /// <summary>The period asked for, or why it cannot be shown (in words for the person who asked).</summary>
    public static (DashboardPeriod? Period, string? Problem) Parse(string? key, string? from, string? to, DateOnly today)
    {
        var k = string.IsNullOrWhiteSpace(key) ? "quarter" : key.Trim().ToLowerInvariant();
        switch (k)
        {
            case "quarter":
                return (Quarter(today, today, "quarter", "This quarter"), null);
            case "30d" or "90d":
                var days = k == "30d" ? 30 : 90;
                return (new DashboardPeriod(k, today.AddDays(1 - days), today, $"Last {days} days"), null);
            case "custom":
                if (!TryDate(from, out var f) || !TryDate(to, out var t)) return (null, "Give the custom range as two dates, from and to (YYYY-MM-DD).");
                if (f > t) return (null, $"The range starts ({f:yyyy-MM-dd}) after it ends ({t:yyyy-MM-dd}).");
                if (f > today) return (null, $"The range starts in the future ({f:yyyy-MM-dd}); nothing has happened yet.");
                if (f < Earliest) return (null, $"The range starts before {Earliest:yyyy}; there is nothing that old.");
                if (t > today) t = today;
                if (t.DayNumber - f.DayNumber + 1 > MaxDays) return (null, $"A range can cover at most {MaxDays} days.");
                return (new DashboardPeriod("custom", f, t, $"{f:d MMM yyyy} – {t:d MMM yyyy}"), null);
        }
        if (k.Length == 7 && k[4] == '-' && k[5] == 'q' && int.TryParse(k[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var year) && k[6] is >= '1' and <= '4')
        {
            var start = new DateOnly(year, (k[6] - '1') * 3 + 1, 1);
            if (start > today) return (null, $"{year} Q{k[6]} has not started yet.");
            if (start < Earliest) return (null, $"The range starts before {Earliest:yyyy}; there is nothing that old.");
            return (Quarter(start, today, $"{year}-q{k[6]}", $"Q{k[6]} {year}"), null);
        }
        return (null, $"'{Short(key!)}' is not a period: use quarter, 30d, 90d, a quarter like 2026-Q3, or custom with from and to.");
    }

    private static DashboardPeriod Quarter(DateOnly day, DateOnly today, string key, string label)
    {
        var start = new DateOnly(day.Year, (day.Month - 1) / 3 * 3 + 1, 1);
        var end = start.AddMonths(3).AddDays(-1);
        return new DashboardPeriod(key, start, end > today ? today : end, label == "This quarter" ? $"This quarter (Q{(start.Month - 1) / 3 + 1} {start.Year})" : label);
    }

    private static bool TryDate(string? s, out DateOnly d) =>
        DateOnly.TryParseExact(s?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d);

    private static string Short(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
