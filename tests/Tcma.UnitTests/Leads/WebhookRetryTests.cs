using Tcma.Domain.Leads;

namespace Tcma.UnitTests.Leads;

public sealed class WebhookRetryTests
{
    private static readonly WebhookRetryPolicy Policy = new();

    [Fact]
    public void Delays_double_within_their_jitter_band_and_stop_at_the_cap()
    {
        for (ulong seed = 0; seed < 200; seed++)
        {
            for (var attempt = 1; attempt < Policy.MaxAttempts; attempt++)
            {
                var retry = Assert.IsType<RetryDecision.RetryAfter>(WebhookRetry.AfterFailure(attempt, seed, Policy));
                var step = TimeSpan.FromTicks(Math.Min(Policy.FirstDelay.Ticks << (attempt - 1), Policy.MaxDelay.Ticks));
                Assert.InRange(retry.Delay, step / 2, step);
                Assert.Equal(attempt + 1, retry.NextAttempt);
            }
        }
    }

    [Fact]
    public void The_same_seed_gives_the_same_schedule_and_different_seeds_spread_out()
    {
        Assert.Equal(WebhookRetry.AfterFailure(3, 99, Policy), WebhookRetry.AfterFailure(3, 99, Policy));
        var delays = Enumerable.Range(0, 100).Select(s => ((RetryDecision.RetryAfter)WebhookRetry.AfterFailure(3, (ulong)s, Policy)).Delay).Distinct().Count();
        Assert.True(delays > 90, $"only {delays} distinct delays for 100 seeds");
    }

    [Fact]
    public void After_the_last_attempt_the_delivery_is_dead_lettered()
    {
        var dead = Assert.IsType<RetryDecision.DeadLetter>(WebhookRetry.AfterFailure(10, 1, Policy));
        Assert.Equal("gave up after 10 attempts", dead.Reason);
        Assert.IsType<RetryDecision.DeadLetter>(WebhookRetry.AfterFailure(3, 1, Policy with { MaxAttempts = 3 }));
    }

    [Fact]
    public void A_huge_attempt_number_never_overflows_past_the_cap()
    {
        var retry = Assert.IsType<RetryDecision.RetryAfter>(WebhookRetry.AfterFailure(5_000, 1, Policy with { MaxAttempts = int.MaxValue }));
        Assert.InRange(retry.Delay, Policy.MaxDelay / 2, Policy.MaxDelay);
    }

    [Fact]
    public void The_whole_default_schedule_spans_hours_not_days()
    {
        var total = Enumerable.Range(1, Policy.MaxAttempts - 1)
            .Select(a => ((RetryDecision.RetryAfter)WebhookRetry.AfterFailure(a, 7, Policy)).Delay)
            .Aggregate(TimeSpan.Zero, (x, y) => x + y);
        Assert.InRange(total, TimeSpan.FromHours(1), TimeSpan.FromDays(1));
    }
}
