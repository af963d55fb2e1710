using System.Collections.Immutable;

namespace Tcma.Domain.Leads;

/// <summary>
/// The vendor's round-robin memory: each partner's running credit. Stored with the vendor and passed back in,
/// so the same state and candidates always pick the same partner.
/// </summary>
public sealed record RoundRobinState(ImmutableDictionary<string, long> Credit)
{
    public static readonly RoundRobinState Empty = new(ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal));

    public long CreditOf(string partnerId) => Credit.GetValueOrDefault(partnerId);
}

/// <summary>
/// Smooth weighted round-robin (as in nginx): every candidate earns its weight, the one with the most credit wins and pays
/// back the candidates' total weight. Over any run with the same candidates each partner's share equals its weight's share,
/// and wins are spread out rather than bunched. Partners not among the candidates keep their credit untouched.
/// </summary>
public static class RoundRobin
{
    public static (RoutingPartner Winner, RoundRobinState State) Pick(IReadOnlyList<RoutingPartner> candidates, RoundRobinState state)
    {
        if (candidates.Count == 0)
            throw new ArgumentException("round-robin needs at least one candidate", nameof(candidates));

        var credit = state.Credit.ToBuilder();
        long total = 0;
        RoutingPartner? winner = null;
        foreach (var partner in candidates.OrderBy(p => p.PartnerId, StringComparer.Ordinal))
        {
            var weight = Math.Max(1, partner.Weight);
            total += weight;
            var earned = credit.GetValueOrDefault(partner.PartnerId) + weight;
            credit[partner.PartnerId] = earned;
            if (winner is null || earned > credit[winner.PartnerId])
                winner = partner;
        }
        credit[winner!.PartnerId] -= total;
        return (winner, new RoundRobinState(credit.ToImmutable()));
    }
}
