using System.Collections.Immutable;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Mdf;

namespace Tcma.UnitTests.Dashboards;

public sealed class MdfBurnDownTests
{
    private static readonly ProgramPeriod Q1 = ProgramPeriod.Quarter(2026, 1); // 1 Jan to 31 Mar: 90 days, expires 1 Apr
    private static DateTimeOffset At(int month, int day, int hour = 12) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    private static ClaimState Claim(params (DateTimeOffset At, string Status, decimal? Amount)[] history) => ClaimState.New("c-1", "p-1") with
    {
        History = history.Select(h => new HistoryEntry(h.At, new Actor("someone"), 1, "what", h.Status, h.Amount is { } a ? Money.Of(a, Currency.USD) : null)).ToImmutableList(),
    };

    [Fact]
    public void The_straight_line_runs_from_everything_on_the_first_day_to_nothing_when_the_funds_expire()
    {
        var points = MdfBurnDown.Build(9_000m, Q1, At(4, 2), []);
        Assert.Equal((new DateOnly(2026, 1, 1), 9_000m), (points[0].Day, points[0].Ideal));
        Assert.Equal((new DateOnly(2026, 4, 1), 0m), (points[^1].Day, points[^1].Ideal));
        // Six weeks in (day 42 of 90), 48/90 of it is left on the line; points are a week apart until the last.
        Assert.Equal(4_800m, points.Single(p => p.Day == new DateOnly(2026, 2, 12)).Ideal);
        Assert.All(points.Zip(points.Skip(1)).SkipLast(1), pair => Assert.Equal(7, pair.Second.Day.DayNumber - pair.First.Day.DayNumber));
        Assert.All(points, p => Assert.Equal(9_000m, p.Remaining));
    }

    [Fact]
    public void What_claims_hold_is_taken_off_from_the_day_after_and_days_ahead_have_no_point()
    {
        // Claimed 1,500 on 10 Jan, approved at 1,200 on 20 Jan, paid 5 Feb (still spent); now is 10 Feb 15:00.
        var claim = Claim((At(1, 10), "PendingApproval", 1_500m), (At(1, 20), "Approved", 1_200m), (At(2, 5), "Paid", 1_200m));
        var points = MdfBurnDown.Build(10_000m, Q1, At(2, 10, 15), MdfBurnDown.SpentChanges(claim));

        Assert.Equal(10_000m, points.Single(p => p.Day == new DateOnly(2026, 1, 8)).Remaining);
        Assert.Equal(8_500m, points.Single(p => p.Day == new DateOnly(2026, 1, 15)).Remaining);
        Assert.Equal(8_800m, points.Single(p => p.Day == new DateOnly(2026, 1, 22)).Remaining);
        var now = Assert.Single(points, p => p.IsNow);
        Assert.Equal((new DateOnly(2026, 2, 10), 8_800m), (now.Day, now.Remaining));
        Assert.All(points.Where(p => p.Day > now.Day), p => Assert.Null(p.Remaining));
        Assert.Equal(points.OrderBy(p => p.Day).Select(p => p.Day), points.Select(p => p.Day));
    }

    [Fact]
    public void A_rejected_claim_gives_everything_back_and_an_unchanged_amount_changes_nothing()
    {
        var claim = Claim((At(1, 10), "PendingApproval", 2_000m), (At(1, 11), "PendingApproval", null), (At(1, 12), "Rejected", null));
        Assert.Equal([(At(1, 10), 2_000m), (At(1, 12), -2_000m)], MdfBurnDown.SpentChanges(claim).ToList());
    }

    [Fact]
    public void Now_on_a_week_day_of_the_grid_marks_that_point_with_everything_until_now()
    {
        var claim = Claim((At(1, 8, 9), "PendingApproval", 500m));
        var points = MdfBurnDown.Build(1_000m, Q1, At(1, 8, 10), MdfBurnDown.SpentChanges(claim));
        var now = Assert.Single(points, p => p.IsNow);
        Assert.Equal((new DateOnly(2026, 1, 8), 500m), (now.Day, now.Remaining));
        Assert.Equal(points.Select(p => p.Day).Distinct().Count(), points.Count);
    }

    [Fact]
    public void Before_the_period_starts_nothing_is_drawn_but_the_line()
    {
        var points = MdfBurnDown.Build(1_000m, Q1, At(1, 1).AddDays(-10), []);
        Assert.All(points, p => Assert.Null(p.Remaining));
        Assert.DoesNotContain(points, p => p.IsNow);
    }
}
