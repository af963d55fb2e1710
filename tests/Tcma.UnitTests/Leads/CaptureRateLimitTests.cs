using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class CaptureRateLimitTests
{
    private static readonly RateLimit ThreePerMinute = new(3, TimeSpan.FromMinutes(1));

    [Fact]
    public void The_limit_is_allowed_and_the_next_one_refused_until_the_window_ends()
    {
        var clock = new FakeTimeProvider(Now.AddSeconds(10));
        RateWindow? window = null;
        for (var i = 0; i < 3; i++)
        {
            var ok = CaptureRateLimit.Check(window, clock.GetUtcNow(), ThreePerMinute);
            Assert.True(ok.Allowed);
            window = ok.Next;
        }
        var refused = CaptureRateLimit.Check(window, clock.GetUtcNow(), ThreePerMinute);
        Assert.False(refused.Allowed);
        Assert.Equal(TimeSpan.FromSeconds(50), refused.RetryAfter);
        Assert.Equal(window, refused.Next);

        clock.Advance(TimeSpan.FromSeconds(50));
        var fresh = CaptureRateLimit.Check(window, clock.GetUtcNow(), ThreePerMinute);
        Assert.True(fresh.Allowed);
        Assert.Equal(new RateWindow(Now.AddMinutes(1), 1), fresh.Next);
    }

    [Fact]
    public void Windows_are_aligned_to_the_clock_so_every_instance_counts_in_the_same_row()
    {
        Assert.Equal(Now, CaptureRateLimit.WindowStart(Now.AddSeconds(59.9), TimeSpan.FromMinutes(1)));
        Assert.Equal(Now.AddMinutes(1), CaptureRateLimit.WindowStart(Now.AddSeconds(60), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void A_stored_window_from_the_future_after_a_clock_step_back_is_replaced_not_trusted()
    {
        var future = new RateWindow(Now.AddMinutes(5), 3);
        Assert.True(CaptureRateLimit.Check(future, Now, ThreePerMinute).Allowed);
    }
}
