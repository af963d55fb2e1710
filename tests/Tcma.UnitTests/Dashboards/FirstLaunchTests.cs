using Tcma.Domain.Dashboards;

namespace Tcma.UnitTests.Dashboards;

public sealed class FirstLaunchTests
{
    private static readonly DateOnly From = new(2026, 10, 1), To = new(2026, 12, 31);
    private static DateTimeOffset Day(int month, int day, int hour = 9) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);
    private static DateOnly Utc(DateTimeOffset t) => DateOnly.FromDateTime(t.UtcDateTime);

    [Fact]
    public void The_median_is_the_middle_wait_or_the_mean_of_the_two_middle_ones()
    {
        Assert.Null(FirstLaunch.Median([]));
        Assert.Equal(TimeSpan.FromHours(5), FirstLaunch.Median([TimeSpan.FromHours(1), TimeSpan.FromHours(5), TimeSpan.FromDays(9)]));
        Assert.Equal(TimeSpan.FromHours(3), FirstLaunch.Median([TimeSpan.FromHours(1), TimeSpan.FromHours(5)]));
    }

    [Fact]
    public void Partners_first_invited_in_the_period_count_from_their_first_invitation_to_their_first_launch_of_any_kit()
    {
        var summary = FirstLaunch.Summarise(
        [
            new("fast", Day(10, 5), Day(10, 5, 15)),              // 6 hours
            new("slow", Day(10, 5), null),
            new("slow", Day(10, 20), Day(10, 25)),                // a second kit launched: 20 days after the first invitation
            new("never", Day(11, 2), null),
            new("old", Day(9, 1), null),                          // first invited before the period: not new here
            new("old", Day(10, 10), Day(10, 11)),
            new("week", Day(12, 1), Day(12, 4)),                  // 3 days
        ], From, To, Utc);

        Assert.Equal((4, 3), (summary.Invited, summary.Launched));
        Assert.Equal(TimeSpan.FromDays(3), summary.Median);
        Assert.Equal([("Within a day", 1), ("2-7 days", 1), ("8-30 days", 1), ("Over 30 days", 0), (FirstLaunch.NotYet, 1)],
            summary.Bands.Select(b => (b.Label, b.Partners)));
    }

    [Fact]
    public void The_period_is_counted_in_the_days_it_is_given_and_no_invitation_is_no_median()
    {
        // 23:30 UTC on 30 Sep is 1 Oct in a zone two hours ahead.
        var late = new InvitationTiming("p", new DateTimeOffset(2026, 9, 30, 23, 30, 0, TimeSpan.Zero), null);
        Assert.Equal(0, FirstLaunch.Summarise([late], From, To, Utc).Invited);
        Assert.Equal(1, FirstLaunch.Summarise([late], From, To, t => DateOnly.FromDateTime(t.ToOffset(TimeSpan.FromHours(2)).DateTime)).Invited);
        var none = FirstLaunch.Summarise([], From, To, Utc);
        Assert.Equal((0, 0, (TimeSpan?)null), (none.Invited, none.Launched, none.Median));
    }
}
