using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Functions.Deals;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;

namespace Tcma.UnitTests.Deals;

/// <summary>The MDF request a touch is credited to: the approved request whose proposal linked the touch's launch.</summary>
public sealed class DealAttributionLinkTests
{
    private static RoiActivity Activity(string requestId, string program, params string[] launches)
    {
        var proposal = new Proposal("events", "Roadshow", new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 3), DealSamples.Usd(4_000m), DealSamples.Usd(2_000m), 10,
            DealSamples.Usd(50_000m), launches);
        return new RoiActivity(FundRequestState.New(requestId, "alpha", new FundKey("vendor", program, "alpha").FundId) with { Proposal = proposal }, null);
    }

    [Fact]
    public void Each_touch_is_credited_to_the_request_that_linked_its_launch_and_a_launch_no_request_linked_to_none()
    {
        var activities = new[] { Activity("r-1", "q1-2026", "L-spring"), Activity("r-2", "q2-2026", "L-summer", "L-autumn") };
        var (first, last) = DealAttribution.MdfOf(activities, new Touch("L-spring", "kit-a", DealSamples.Now), new Touch("L-autumn", "kit-b", DealSamples.Now));
        Assert.Equal(new MdfLink("r-1", "q1-2026"), first);
        Assert.Equal(new MdfLink("r-2", "q2-2026"), last);
        Assert.Equal((null, null), DealAttribution.MdfOf(activities, new Touch("L-other", "kit-c", DealSamples.Now), null));
    }
}
