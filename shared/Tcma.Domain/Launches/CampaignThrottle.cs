namespace Tcma.Domain.Launches;

/// <summary>
/// A token bucket: <see cref="Tokens"/> available at <see cref="At"/>, refilled at a rate up to a capacity (the burst).
/// Tokens go negative when sends are booked ahead: -3 means three sends already hold the next three slots. Pure: the
/// caller keeps the state and passes the time.
/// </summary>
public sealed record TokenBucket(double Tokens, DateTimeOffset At)
{
    public static TokenBucket Full(double capacity, DateTimeOffset now) => new(capacity, now);

    public TokenBucket Refilled(double perSecond, double capacity, DateTimeOffset now) =>
        now <= At ? this : new(Math.Min(capacity, Tokens + (now - At).TotalSeconds * perSecond), now);

    /// <summary>Takes one token, now or booked ahead; returns how long until the booked slot comes (zero: now).</summary>
    public (TokenBucket Bucket, TimeSpan Wait) Book(double perSecond)
    {
        var left = Tokens - 1;
        return (this with { Tokens = left }, left >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-left / perSecond));
    }
}

/// <summary>Sending rates: overall and per partner, each with a burst of one second's worth (at least one email).</summary>
public sealed record CampaignRates(double PerSecond, double PerPartnerPerSecond)
{
    public double Burst => Math.Max(1, PerSecond);
    public double PartnerBurst => Math.Max(1, PerPartnerPerSecond);
}

/// <summary>
/// Books a send a slot in both buckets. A send over the rate is not refused but booked ahead: its message is re-queued
/// to come back when its slot comes, and then goes without asking again. Refusing instead would send every over-rate
/// message round the queue again and again, at queue speed, until it happened to find a free token.
/// </summary>
public static class CampaignThrottle
{
    public static (TokenBucket Overall, TokenBucket Partner, TimeSpan Wait) Book(
        TokenBucket overall, TokenBucket partner, CampaignRates rates, DateTimeOffset now)
    {
        var (o, overallWait) = overall.Refilled(rates.PerSecond, rates.Burst, now).Book(rates.PerSecond);
        var (p, partnerWait) = partner.Refilled(rates.PerPartnerPerSecond, rates.PartnerBurst, now).Book(rates.PerPartnerPerSecond);
        return (o, p, overallWait > partnerWait ? overallWait : partnerWait);
    }
}
