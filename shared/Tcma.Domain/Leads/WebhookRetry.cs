namespace Tcma.Domain.Leads;

/// <summary>How a failed CRM delivery is retried: doubling delays from FirstDelay, capped at MaxDelay, dead-lettered after MaxAttempts.</summary>
public sealed record WebhookRetryPolicy
{
    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Well under the 7-day limit of a queue message's visibility delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromHours(6);
    public int MaxAttempts { get; init; } = 10;
}

public abstract record RetryDecision
{
    private RetryDecision() { }

    public sealed record RetryAfter(TimeSpan Delay, int NextAttempt) : RetryDecision;

    /// <summary>Given up: the delivery is kept in the dead-letter list, visible in the console, and can be replayed by hand.</summary>
    public sealed record DeadLetter(string Reason) : RetryDecision;
}

public static class WebhookRetry
{
    /// <summary>
    /// After attempt number <paramref name="failedAttempt"/> (1 = the first delivery) failed. The delay is half the capped
    /// exponential step plus a jitter of up to the other half, drawn from the seed (e.g. a hash of the event id) so many
    /// deliveries failing together spread out, yet the same delivery always gets the same schedule.
    /// </summary>
    public static RetryDecision AfterFailure(int failedAttempt, ulong seed, WebhookRetryPolicy? policy = null)
    {
        policy ??= new WebhookRetryPolicy();
        if (failedAttempt >= policy.MaxAttempts)
            return new RetryDecision.DeadLetter($"gave up after {failedAttempt} attempts");

        var exponent = Math.Min(failedAttempt - 1, 40);
        var step = Math.Min(policy.FirstDelay.Ticks * Math.Pow(2, exponent), policy.MaxDelay.Ticks);
        var unit = (SplitMix64(seed + (ulong)failedAttempt) >> 11) * (1.0 / (1UL << 53));
        var delay = TimeSpan.FromTicks((long)(step / 2 + step / 2 * unit));
        return new RetryDecision.RetryAfter(delay, failedAttempt + 1);
    }

    private static ulong SplitMix64(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
