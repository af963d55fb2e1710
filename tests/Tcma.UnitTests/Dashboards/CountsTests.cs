using Tcma.Domain.Dashboards;

namespace Tcma.UnitTests.Dashboards;

public sealed class CountsTests
{
    private static Activity A(ActivityKind kind, decimal amount = 0, int quantity = 1) =>
        new("v", Guid.NewGuid().ToString(), kind, "p", "kit", "1.0.0", DateTimeOffset.UnixEpoch, amount, quantity);

    [Fact]
    public void Counts_add_up_by_kind_and_only_wins_add_to_the_amount()
    {
        var c = Counts.Zero.Plus(A(ActivityKind.EmailSent)).Plus(A(ActivityKind.EmailSent, quantity: 4)).Plus(A(ActivityKind.LeadWon, 1200.50m)).Plus(A(ActivityKind.LeadCaptured, 99m));
        Assert.Equal(5, c[ActivityKind.EmailSent]);
        Assert.Equal(1, c[ActivityKind.LeadWon]);
        Assert.Equal(1, c[ActivityKind.LeadCaptured]);
        Assert.Equal(0, c[ActivityKind.Launched]);
        Assert.Equal(1200.50m, c.Won);
    }

    [Fact]
    public void Summing_is_the_same_as_adding_one_by_one()
    {
        var parts = Enumerable.Range(0, 10).Select(i => Counts.Zero.Plus(A((ActivityKind)(i % Enum.GetValues<ActivityKind>().Length), i, i + 1))).ToList();
        var sum = Counts.Sum(parts);
        var folded = parts.Aggregate(Counts.Zero, (a, b) => a.Plus(b));
        Assert.All(Enum.GetValues<ActivityKind>(), k => Assert.Equal(folded[k], sum[k]));
        Assert.Equal(55, Enum.GetValues<ActivityKind>().Sum(k => sum[k]));
    }

    [Fact]
    public void A_rate_of_nothing_is_zero() => Assert.Equal(0, Counts.Rate(3, 0));

    [Fact]
    public void The_same_event_has_the_same_key_and_another_kind_another()
    {
        var a = new Activity("v", "send-1", ActivityKind.EmailOpened, "p", null, null, DateTimeOffset.UnixEpoch);
        Assert.Equal(a.Key, (a with { At = DateTimeOffset.UtcNow }).Key);
        Assert.NotEqual(a.Key, (a with { Kind = ActivityKind.EmailClicked }).Key);
    }
}
