using Tcma.Domain.Dashboards;

namespace Tcma.UnitTests.Dashboards;

public sealed class DashboardPeriodTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);

    [Fact]
    public void No_period_is_this_quarter_up_to_today()
    {
        var (p, problem) = DashboardPeriod.Parse(null, null, null, Today);
        Assert.Null(problem);
        Assert.Equal((new DateOnly(2026, 10, 1), Today), (p!.From, p.To));
        Assert.Equal("This quarter (Q4 2026)", p.Label);
    }

    [Theory]
    [InlineData("30d", "2026-11-08", "2026-12-07")]
    [InlineData("90d", "2026-09-09", "2026-12-07")]
    [InlineData("2026-Q3", "2026-07-01", "2026-09-30")]
    [InlineData("2026-q1", "2026-01-01", "2026-03-31")]
    [InlineData(" QUARTER ", "2026-10-01", "2026-12-07")]
    public void Named_periods_cover_the_days_they_say(string key, string from, string to)
    {
        var (p, problem) = DashboardPeriod.Parse(key, null, null, Today);
        Assert.Null(problem);
        Assert.Equal((DateOnly.Parse(from), DateOnly.Parse(to)), (p!.From, p.To));
    }

    [Fact]
    public void A_custom_range_that_ends_in_the_future_ends_today()
    {
        var (p, _) = DashboardPeriod.Parse("custom", "2026-11-01", "2027-03-01", Today);
        Assert.Equal((new DateOnly(2026, 11, 1), Today), (p!.From, p.To));
        Assert.Equal(37, p.Days);
    }

    [Theory]
    [InlineData("custom", "2026-12-01", "2026-11-01", "starts (2026-12-01) after it ends")]
    [InlineData("custom", "2027-01-01", "2027-02-01", "starts in the future")]
    [InlineData("custom", "1999-01-01", "1999-02-01", "before 2020")]
    [InlineData("custom", "2024-01-01", "2026-01-01", "at most 366 days")]
    [InlineData("custom", "yesterday", "2026-12-01", "two dates")]
    [InlineData("custom", null, null, "two dates")]
    [InlineData("2027-Q1", null, null, "has not started yet")]
    [InlineData("2026-Q5", null, null, "is not a period")]
    [InlineData("forever", null, null, "'forever' is not a period")]
    public void Reversed_absurd_future_and_unknown_ranges_are_refused_in_words(string key, string? from, string? to, string expected)
    {
        var (p, problem) = DashboardPeriod.Parse(key, from, to, Today);
        Assert.Null(p);
        Assert.Contains(expected, problem);
    }

    [Fact]
    public void An_overlong_period_key_is_shortened_in_the_answer()
    {
        var (_, problem) = DashboardPeriod.Parse(new string('x', 5000), null, null, Today);
        Assert.True(problem!.Length < 200);
    }

    [Fact]
    public void The_previous_period_is_as_many_days_just_before()
    {
        var (quarter, _) = DashboardPeriod.Parse("quarter", null, null, new DateOnly(2026, 12, 7));
        var previous = quarter!.Previous;
        Assert.Equal((new DateOnly(2026, 7, 25), new DateOnly(2026, 9, 30)), (previous.From, previous.To));
        Assert.Equal(quarter.Days, previous.Days);
    }
}
