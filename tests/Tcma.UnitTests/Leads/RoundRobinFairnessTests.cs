using Tcma.Domain.Leads;

namespace Tcma.UnitTests.Leads;

public sealed class RoundRobinFairnessTests
{
    private static RoutingPartner P(string id, int weight) => new() { PartnerId = id, Name = id, Weight = weight };

    [Fact]
    public void Over_ten_thousand_assignments_each_partner_gets_its_weights_share()
    {
        var partners = new[] { P("a", 5), P("b", 3), P("c", 1), P("d", 1) };
        var wins = Run(partners, 10_000, _ => partners);
        Assert.Equal(5_000, wins["a"]);
        Assert.Equal(3_000, wins["b"]);
        Assert.Equal(1_000, wins["c"]);
        Assert.Equal(1_000, wins["d"]);
    }

    [Fact]
    public void Shares_stay_within_a_few_percent_of_the_weights_when_the_candidates_change_every_time()
    {
        var partners = Enumerable.Range(0, 20).Select(i => P($"p{i:00}", 1 + i % 4)).ToArray();
        var random = new Random(42);
        // Each partner is a candidate 80% of the time, independently: the share it can expect is its weight's share of the
        // candidates present, which for i.i.d. presence is what this counts.
        var expected = partners.ToDictionary(p => p.PartnerId, _ => 0.0);
        var wins = Run(partners, 10_000, _ =>
        {
            var present = partners.Where(_ => random.NextDouble() < 0.8).ToArray();
            if (present.Length == 0) present = [partners[0]];
            var total = present.Sum(p => p.Weight);
            foreach (var p in present) expected[p.PartnerId] += (double)p.Weight / total;
            return present;
        });
        foreach (var p in partners)
            Assert.InRange(wins.GetValueOrDefault(p.PartnerId), expected[p.PartnerId] * 0.97, expected[p.PartnerId] * 1.03);
    }

    [Fact]
    public void Wins_are_spread_out_not_bunched()
    {
        var partners = new[] { P("a", 2), P("b", 1) };
        var order = new List<string>();
        var state = RoundRobinState.Empty;
        for (var i = 0; i < 6; i++)
        {
            (var winner, state) = RoundRobin.Pick(partners, state);
            order.Add(winner.PartnerId);
        }
        Assert.Equal(["a", "b", "a", "a", "b", "a"], order);
    }

    [Fact]
    public void A_partner_joining_late_is_not_flooded_to_catch_up()
    {
        var a = P("a", 1);
        var b = P("b", 1);
        var state = RoundRobinState.Empty;
        for (var i = 0; i < 100; i++) (_, state) = RoundRobin.Pick([a], state);
        var wins = new Dictionary<string, int>();
        for (var i = 0; i < 10; i++)
        {
            (var w, state) = RoundRobin.Pick([a, b], state);
            wins[w.PartnerId] = wins.GetValueOrDefault(w.PartnerId) + 1;
        }
        Assert.Equal(5, wins["a"]);
        Assert.Equal(5, wins["b"]);
    }

    private static Dictionary<string, int> Run(RoutingPartner[] partners, int n, Func<int, RoutingPartner[]> candidates)
    {
        var wins = new Dictionary<string, int>();
        var state = RoundRobinState.Empty;
        for (var i = 0; i < n; i++)
        {
            (var winner, state) = RoundRobin.Pick(candidates(i), state);
            wins[winner.PartnerId] = wins.GetValueOrDefault(winner.PartnerId) + 1;
        }
        return wins;
    }
}
