using Tcma.Domain.Launches;

namespace Tcma.Functions.Launches;

/// <summary>
/// The sending rates of this instance: one overall bucket and one per partner (see <see cref="CampaignThrottle"/>), and
/// the slots booked ahead for sends that came over the rate, by SendId, so a re-queued message goes when its slot
/// comes instead of queueing for a token again.
/// </summary>
/// <remarks>
/// In memory, per instance: n instances send up to n times the configured rate. The Flex plan's instance limit (and
/// the queue's batch size) bound that; a shared bucket in a table row would put a contended ETag write in front of
/// every email, which is the very throughput this protects.
/// </remarks>
public sealed class CampaignMailThrottle
{
    private const int MaxBookings = 100_000;
    private readonly Lock gate = new();
    private readonly Dictionary<string, TokenBucket> partners = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> booked = new(StringComparer.Ordinal);
    private TokenBucket? overall;

    /// <summary>Zero: send now. Otherwise the send holds a slot that far ahead; re-queue it for then.</summary>
    public TimeSpan Book(string partnerId, string sendId, CampaignRates rates, DateTimeOffset now)
    {
        lock (gate)
        {
            if (booked.TryGetValue(sendId, out var slot))
            {
                if (slot > now) return slot - now;
                booked.Remove(sendId);
                return TimeSpan.Zero;
            }
            var current = overall ?? TokenBucket.Full(rates.Burst, now);
            var partner = partners.TryGetValue(partnerId, out var p) ? p : TokenBucket.Full(rates.PartnerBurst, now);
            var (nextOverall, nextPartner, wait) = CampaignThrottle.Book(current, partner, rates, now);
            overall = nextOverall;
            partners[partnerId] = nextPartner;
            if (wait > TimeSpan.Zero)
            {
                if (booked.Count >= MaxBookings) Forget(now);
                booked[sendId] = now + wait;
            }
            if (partners.Count > 10_000) ForgetIdlePartners(rates, now);
            return wait;
        }
    }

    /// <summary>Slots long past were used by another instance or never came back: drop them.</summary>
    private void Forget(DateTimeOffset now)
    {
        foreach (var (id, slot) in booked.Where(b => b.Value < now - TimeSpan.FromHours(1)).ToList()) booked.Remove(id);
    }

    private void ForgetIdlePartners(CampaignRates rates, DateTimeOffset now)
    {
        foreach (var (id, bucket) in partners.ToList())
            if (bucket.Refilled(rates.PerPartnerPerSecond, rates.PartnerBurst, now).Tokens >= rates.PartnerBurst) partners.Remove(id);
    }
}
