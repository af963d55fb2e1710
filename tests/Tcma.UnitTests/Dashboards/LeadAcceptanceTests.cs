using Tcma.Domain.Dashboards;

namespace Tcma.UnitTests.Dashboards;

public sealed class LeadAcceptanceTests
{
    private static Counts Histogram(long hour, long four, long day, long later) => new(new Dictionary<ActivityKind, long>
    {
        [ActivityKind.AcceptedWithinHour] = hour, [ActivityKind.AcceptedWithin4Hours] = four,
        [ActivityKind.AcceptedWithinDay] = day, [ActivityKind.AcceptedAfterDay] = later, [ActivityKind.LeadAccepted] = 99,
    }, 0);

    [Theory]
    [InlineData(0, ActivityKind.AcceptedWithinHour)]
    [InlineData(60, ActivityKind.AcceptedWithinHour)]
    [InlineData(61, ActivityKind.AcceptedWithin4Hours)]
    [InlineData(240, ActivityKind.AcceptedWithin4Hours)]
    [InlineData(241, ActivityKind.AcceptedWithinDay)]
    [InlineData(1440, ActivityKind.AcceptedWithinDay)]
    [InlineData(1441, ActivityKind.AcceptedAfterDay)]
    [InlineData(-5, ActivityKind.AcceptedWithinHour)]
    public void An_acceptance_falls_in_the_band_of_its_minutes_since_the_offer(int minutes, ActivityKind band) =>
        Assert.Equal(band, LeadAcceptance.Band(TimeSpan.FromMinutes(minutes)));

    [Fact]
    public void The_median_is_the_band_holding_the_middle_acceptance()
    {
        Assert.Equal("1 to 4 hours", LeadAcceptance.MedianBand(Histogram(2, 1, 0, 2)));
        // An even count takes the lower middle one: 2 of 4 within the hour.
        Assert.Equal("within an hour", LeadAcceptance.MedianBand(Histogram(2, 0, 0, 2)));
        Assert.Equal("over a day", LeadAcceptance.MedianBand(Histogram(0, 0, 1, 2)));
        Assert.Equal(5, LeadAcceptance.Timed(Histogram(2, 1, 0, 2)));
    }

    [Fact]
    public void Acceptances_counted_before_they_were_timed_give_no_median() =>
        Assert.Null(LeadAcceptance.MedianBand(Histogram(0, 0, 0, 0)));

    [Fact]
    public void Histograms_of_partners_add_up_to_the_tiers()
    {
        var tier = Counts.Sum([Histogram(3, 0, 0, 0), Histogram(0, 0, 0, 4)]);
        Assert.Equal("over a day", LeadAcceptance.MedianBand(tier));
    }
}
