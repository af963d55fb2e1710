using Tcma.Domain.Portal;

namespace Tcma.UnitTests.Portal;

public sealed class QuarterTests
{
    [Fact]
    public void A_quarter_is_three_utc_months_counted_in_weeks_from_its_first_day()
    {
        var q = Quarter.Of(new DateTimeOffset(2026, 12, 31, 23, 30, 0, TimeSpan.FromHours(-5))); // already 2027 in UTC
        Assert.Equal(new Quarter(2027, 1), q);
        Assert.Equal("Q1 2027", q.ToString());
        Assert.Equal(13, q.Weeks);
        Assert.Equal(14, new Quarter(2026, 4).Weeks); // 92 days
        Assert.Equal(0, q.WeekOf(q.Start));
        Assert.Equal(12, q.WeekOf(q.End.AddTicks(-1)));
        Assert.Null(q.WeekOf(q.End));
        Assert.Equal(new DateOnly(2027, 1, 8), q.WeekStart(1));
    }

    [Fact]
    public void Things_are_counted_in_their_week_and_those_outside_the_quarter_left_out()
    {
        var q = new Quarter(2026, 4);
        var at = new[] { q.Start, q.Start.AddDays(6), q.Start.AddDays(7), q.Start.AddDays(-1), q.End };
        var weeks = q.ByWeek(at, t => t);
        Assert.Equal(14, weeks.Count);
        Assert.Equal([2L, 1L], weeks.Take(2));
        Assert.Equal(3, weeks.Sum());
        Assert.Equal(30, q.ByWeek(new[] { (q.Start, 10L), (q.Start.AddDays(1), 20L) }, x => x.Item1, x => x.Item2)[0]);
    }
}
