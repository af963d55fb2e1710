using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

/// <summary>
/// Thousands of random command sequences (fixed seed, so a failure replays) against one fund: whatever the
/// order, duplicates and nonsense, the ledger never goes negative, never creates or loses a cent, and the balance
/// is always exactly the fold of its entries.
/// </summary>
public sealed class FundLedgerInvariantTests
{
    private const int Sequences = 2_000;
    private const int CommandsPerSequence = 60;

    [Fact]
    public void Random_command_sequences_keep_every_invariant()
    {
        var random = new Random(20261125);
        var end = Q1.Period.ExpiresAt;
        int accepted = 0, refused = 0, noOps = 0;

        for (var s = 0; s < Sequences; s++)
        {
            var balance = FundBalance.Empty(FundId, Currency.USD);
            var log = new List<LedgerEntry>();
            for (var i = 0; i < CommandsPerSequence; i++)
            {
                var command = RandomCommand(random, balance, end);
                var decision = FundLedger.Decide(balance, command);
                if (decision.IsRefused) { refused++; Assert.Empty(decision.Entries); continue; }
                if (decision.IsNoOp) { noOps++; continue; }
                accepted++;

                Assert.Equal(Enumerable.Range(1, decision.Entries.Count).Select(n => balance.Sequence + n), decision.Entries.Select(e => e.Sequence));
                balance = decision.ApplyTo(balance);
                log.AddRange(decision.Entries);

                AssertInvariants(balance, log);
                var replay = FundLedger.Decide(balance, command);
                Assert.True(replay.Entries.Count == 0, $"replaying {command} appended {replay.Entries.Count} entries");
            }
            AssertSameBalance(balance, FundBalance.Fold(FundId, Currency.USD, log));
        }

        // The generator must exercise all three outcomes, or the test proves less than it claims.
        Assert.True(accepted > Sequences * 10 && refused > Sequences && noOps > Sequences, $"accepted {accepted}, refused {refused}, no-ops {noOps}");
    }

    private static void AssertInvariants(FundBalance b, IReadOnlyList<LedgerEntry> log)
    {
        var zero = Usd(0m);
        Assert.True(b.Available >= zero, $"available went negative: {FundLedger.Explain(b)}");
        foreach (var figure in new[] { b.Allocated, b.Accrued, b.Reserved, b.Claimed, b.Paid, b.Expired })
            Assert.True(figure >= zero, FundLedger.Explain(b));
        Assert.All(b.ReservedByRequest.Values, m => Assert.True(m >= zero));
        Assert.All(b.Claims.Values, c => Assert.True(c.Outstanding >= zero));

        // Every figure recomputed from the entries alone, independently of FundBalance.Apply.
        Money Sum(LedgerEntryKind kind) => log.Where(e => e.Kind == kind).Aggregate(zero, (t, e) => t + e.Amount);
        Assert.Equal(Sum(LedgerEntryKind.Allocated), b.Allocated);
        Assert.Equal(Sum(LedgerEntryKind.Accrued), b.Accrued);
        Assert.Equal(Sum(LedgerEntryKind.Adjusted), b.Adjusted);
        Assert.Equal(Sum(LedgerEntryKind.Reserved) - Sum(LedgerEntryKind.ReservationReleased) - Sum(LedgerEntryKind.Claimed), b.Reserved);
        Assert.Equal(Sum(LedgerEntryKind.Claimed) - Sum(LedgerEntryKind.ClaimReleased) - Sum(LedgerEntryKind.Paid), b.Claimed);
        Assert.Equal(Sum(LedgerEntryKind.Paid), b.Paid);
        Assert.Equal(Sum(LedgerEntryKind.Expired), b.Expired);

        // No cent created or lost: what came in is exactly what is available, held, owed, paid or expired.
        Assert.Equal(b.TotalIn(), b.Available + b.Reserved + b.Claimed + b.Paid + b.Expired);
        Assert.Equal(b.Reserved, b.ReservedByRequest.Values.Aggregate(zero, (t, m) => t + m));
        Assert.Equal(b.Claimed, b.Claims.Values.Where(c => !c.Paid).Aggregate(zero, (t, c) => t + c.Outstanding));
    }

    private static void AssertSameBalance(FundBalance expected, FundBalance folded)
    {
        Assert.Equal(expected.Figures, folded.Figures);
        Assert.Equal(expected.Sequence, folded.Sequence);
        Assert.Equal(expected.IsExpired, folded.IsExpired);
        Assert.Equal(expected.ReservedByRequest.OrderBy(p => p.Key), folded.ReservedByRequest.OrderBy(p => p.Key));
        Assert.Equal(expected.Claims.OrderBy(p => p.Key), folded.Claims.OrderBy(p => p.Key));
        Assert.Equal(expected.Operations.Order(), folded.Operations.Order());
    }

    private static FundCommand RandomCommand(Random r, FundBalance b, DateTimeOffset end)
    {
        // Small id pools so the same request, claim and operation come back often (duplicates, replays, races).
        var request = $"r{r.Next(8)}";
        var claim = $"c{r.Next(8)}";
        var op = $"op{r.Next(12)}";
        var at = r.Next(10) == 0 ? end.AddDays(r.Next(-2, 3)) : Now;
        var held = b.ReservedFor(request);
        var outstanding = b.Claims.TryGetValue(claim, out var c) ? c.Outstanding : Usd(0m);
        return r.Next(11) switch
        {
            0 => new AllocateFunds(op, Cents(r, 0, 2_000_000), "vendor", at),
            1 => new AccrueFunds(op, Cents(r, -100, 500_000), "import", at),
            2 => new AdjustFunds(op, Cents(r, -300_000, 300_000), r.Next(5) == 0 ? "" : "correction", "finance", at),
            3 or 4 => new ReserveFunds(request, Cents(r, -100, 2_000_000), "partner", at),
            5 => new ReleaseReservation(request, r.Next(4) == 0 ? Usd(0m) : Part(r, held, 1.2), "decision", "approver", at),
            6 or 7 => new ConvertToClaim(request, claim, Part(r, held, 1.1), "partner", at),
            8 => new ReleaseClaim(claim, r.Next(3) == 0 ? Usd(0m) : Part(r, outstanding, 1.2), "claim decision", "finance", at),
            9 => new PayClaim(claim, r.Next(5) == 0 ? outstanding + Usd(0.01m) : outstanding, "ERP", "finance", at),
            _ => new ExpireFunds(end, "timer", at),
        };
    }

    private static Money Cents(Random r, int min, int max) => Usd(r.Next(min, max) / 100m);

    private static Money Part(Random r, Money of, double upTo) =>
        Usd(Math.Round(of.Amount * (decimal)(r.NextDouble() * upTo), 2, MidpointRounding.ToZero));
}

internal static class FundBalanceTestExtensions
{
    public static Money TotalIn(this FundBalance b) => b.Allocated + b.Accrued + b.Adjusted;
}
