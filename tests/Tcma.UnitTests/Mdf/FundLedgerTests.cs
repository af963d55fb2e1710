using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class FundLedgerTests
{
    private static ReserveFunds Reserve(string request, decimal amount) => new(request, Usd(amount), "partner-7", Now);

    [Fact]
    public void A_reservation_moves_money_from_available_to_reserved()
    {
        var fund = Apply(FundWith(50_000m), Reserve("r1", 12_000m));
        Assert.Equal(new FundFigures(Usd(50_000m), Usd(0m), Usd(0m), Usd(12_000m), Usd(0m), Usd(0m), Usd(0m), Usd(38_000m)), fund.Figures);
        Assert.Equal(2, fund.Sequence);
    }

    [Fact]
    public void A_reservation_over_available_is_refused_with_the_figures()
    {
        var fund = Apply(FundWith(10_000m), Reserve("r1", 6_000m));
        var decision = FundLedger.Decide(fund, Reserve("r2", 4_000.01m));
        Assert.Equal("fund.insufficient", decision.Refusal!.Code);
        Assert.Contains("USD 4,000.01", decision.Refusal.Message);
        Assert.Contains("only USD 4,000.00 is available", decision.Refusal.Message);
        Assert.False(FundLedger.Decide(fund, Reserve("r2", 4_000m)).IsRefused);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Zero_or_negative_reservations_are_refused(decimal amount) =>
        Assert.Equal("fund.amount_not_positive", FundLedger.Decide(FundWith(100m), Reserve("r1", amount)).Refusal!.Code);

    [Fact]
    public void Another_currency_is_refused() =>
        Assert.Equal("fund.currency", FundLedger.Decide(FundWith(100m), new ReserveFunds("r1", Eur(10m), "p", Now)).Refusal!.Code);

    [Fact]
    public void Reserving_twice_for_the_same_request_reserves_once()
    {
        var fund = Apply(FundWith(100m), Reserve("r1", 60m));
        var again = FundLedger.Decide(fund, Reserve("r1", 60m));
        Assert.True(again.IsNoOp);
        Assert.Equal(Usd(40m), fund.Available);
    }

    [Fact]
    public void Partial_approval_keeps_the_approved_amount_and_releases_the_difference_once()
    {
        var fund = Apply(FundWith(10_000m), Reserve("r1", 8_000m));
        var partial = new ReleaseReservation("r1", Usd(4_999.99m), "approved a lower amount", "md-1", Now);
        fund = Apply(fund, partial);
        Assert.Equal(Usd(4_999.99m), fund.Reserved);
        Assert.Equal(Usd(5_000.01m), fund.Available);
        Assert.True(FundLedger.Decide(fund, partial).IsNoOp);
        Assert.Equal("fund.release_increase", FundLedger.Decide(fund, partial with { KeepReserved = Usd(5_000m) }).Refusal!.Code);
    }

    [Fact]
    public void Releasing_for_an_unknown_request_is_refused() =>
        Assert.Equal("fund.unknown_request", FundLedger.Decide(FundWith(100m), new ReleaseReservation("nope", Usd(0m), "x", "p", Now)).Refusal!.Code);

    [Fact]
    public void A_claim_takes_from_the_reservation_and_returns_the_unclaimed_rest()
    {
        var fund = Apply(FundWith(10_000m), Reserve("r1", 5_000m));
        var decision = FundLedger.Decide(fund, new ConvertToClaim("r1", "c1", Usd(3_200m), "partner-7", Now));
        Assert.Equal([LedgerEntryKind.Claimed, LedgerEntryKind.ReservationReleased], decision.Entries.Select(e => e.Kind));
        Assert.Equal([3L, 4L], decision.Entries.Select(e => e.Sequence));
        fund = decision.ApplyTo(fund);
        Assert.Equal(Usd(0m), fund.Reserved);
        Assert.Equal(Usd(3_200m), fund.Claimed);
        Assert.Equal(Usd(6_800m), fund.Available);
    }

    [Fact]
    public void A_claim_above_the_reservation_is_refused()
    {
        var fund = Apply(FundWith(10_000m), Reserve("r1", 5_000m));
        Assert.Equal("fund.claim_over_reservation", FundLedger.Decide(fund, new ConvertToClaim("r1", "c1", Usd(5_000.01m), "p", Now)).Refusal!.Code);
    }

    [Fact]
    public void Paying_a_claim_moves_it_to_paid_once_and_only_for_its_exact_amount()
    {
        var fund = Apply(Apply(FundWith(10_000m), Reserve("r1", 5_000m)), new ConvertToClaim("r1", "c1", Usd(5_000m), "p", Now));
        fund = Apply(fund, new ReleaseClaim("c1", Usd(4_000m), "finance approved 4,000", "fin-1", Now));
        Assert.Equal("fund.payment_mismatch", FundLedger.Decide(fund, new PayClaim("c1", Usd(5_000m), "ERP-1", "fin-1", Now)).Refusal!.Code);
        var pay = new PayClaim("c1", Usd(4_000m), "ERP-1", "fin-1", Now);
        fund = Apply(fund, pay);
        Assert.True(FundLedger.Decide(fund, pay).IsNoOp);
        Assert.Equal(new FundFigures(Usd(10_000m), Usd(0m), Usd(0m), Usd(0m), Usd(0m), Usd(4_000m), Usd(0m), Usd(6_000m)), fund.Figures);
        Assert.Equal("fund.claim_paid", FundLedger.Decide(fund, new ReleaseClaim("c1", Usd(0m), "x", "fin-1", Now)).Refusal!.Code);
    }

    [Fact]
    public void A_rejected_claim_cannot_be_paid()
    {
        var fund = Apply(Apply(FundWith(100m), Reserve("r1", 50m)), new ConvertToClaim("r1", "c1", Usd(50m), "p", Now));
        fund = Apply(fund, new ReleaseClaim("c1", Usd(0m), "rejected", "fin-1", Now));
        Assert.Equal(Usd(100m), fund.Available);
        Assert.Equal("fund.claim_nothing_to_pay", FundLedger.Decide(fund, new PayClaim("c1", Usd(50m), "x", "fin-1", Now)).Refusal!.Code);
    }

    [Fact]
    public void Expiry_takes_only_what_is_available_and_happens_once()
    {
        var end = Q1.Period.ExpiresAt;
        var fund = Apply(FundWith(10_000m), Reserve("r1", 3_000m));
        Assert.Equal("fund.period_not_ended", FundLedger.Decide(fund, new ExpireFunds(end, "timer", end.AddTicks(-1))).Refusal!.Code);
        var expire = new ExpireFunds(end, "timer", end);
        fund = Apply(fund, expire);
        Assert.Equal(Usd(7_000m), fund.Expired);
        Assert.Equal(Usd(3_000m), fund.Reserved);
        Assert.Equal(Usd(0m), fund.Available);
        Assert.True(FundLedger.Decide(fund, expire).IsNoOp);
        Assert.Equal("fund.expired", FundLedger.Decide(fund, Reserve("r2", 1m)).Refusal!.Code);
        Assert.Equal("fund.expired", FundLedger.Decide(fund, new AllocateFunds("alloc-2", Usd(1m), "x", end)).Refusal!.Code);
    }

    [Fact]
    public void Money_released_after_expiry_expires_instead_of_coming_back()
    {
        var end = Q1.Period.ExpiresAt;
        var fund = Apply(Apply(FundWith(10_000m), Reserve("r1", 3_000m)), new ExpireFunds(end, "timer", end));
        fund = Apply(fund, new ReleaseReservation("r1", Usd(1_000m), "approved 1,000", "cm-1", end.AddDays(1)));
        Assert.Equal(Usd(0m), fund.Available);
        Assert.Equal(Usd(9_000m), fund.Expired);
        fund = Apply(fund, new ConvertToClaim("r1", "c1", Usd(1_000m), "p", end.AddDays(20)));
        fund = Apply(fund, new PayClaim("c1", Usd(1_000m), "ERP-9", "fin-1", end.AddDays(30)));
        Assert.Equal(new FundFigures(Usd(10_000m), Usd(0m), Usd(0m), Usd(0m), Usd(0m), Usd(1_000m), Usd(9_000m), Usd(0m)), fund.Figures);
    }

    [Fact]
    public void An_empty_fund_expires_with_a_zero_entry_that_closes_it()
    {
        var end = Q1.Period.ExpiresAt;
        var decision = FundLedger.Decide(FundWith(0m), new ExpireFunds(end, "timer", end));
        Assert.Equal(Usd(0m), Assert.Single(decision.Entries).Amount);
        Assert.True(decision.ApplyTo(FundWith(0m)).IsExpired);
    }

    [Fact]
    public void Allocations_and_accruals_count_once_per_operation()
    {
        var accrue = new AccrueFunds("import-5|partner-7", Usd(812.40m), "import", Now);
        var fund = Apply(FundWith(1_000m), accrue);
        Assert.True(FundLedger.Decide(fund, accrue).IsNoOp);
        Assert.True(FundLedger.Decide(fund, new AllocateFunds("alloc-1", Usd(1_000m), "x", Now)).IsNoOp);
        Assert.Equal(Usd(1_812.40m), fund.Available);
    }

    [Fact]
    public void A_negative_adjustment_cannot_take_more_than_is_available_and_needs_a_reason()
    {
        var fund = Apply(FundWith(1_000m), Reserve("r1", 600m));
        Assert.Equal("fund.insufficient", FundLedger.Decide(fund, new AdjustFunds("adj-1", Usd(-400.01m), "correction", "fin-1", Now)).Refusal!.Code);
        Assert.Equal("fund.adjust_reason", FundLedger.Decide(fund, new AdjustFunds("adj-1", Usd(-4m), " ", "fin-1", Now)).Refusal!.Code);
        fund = Apply(fund, new AdjustFunds("adj-1", Usd(-400m), "correction of Q4 carry-over", "fin-1", Now));
        Assert.Equal(Usd(0m), fund.Available);
        Assert.Equal(Usd(-400m), fund.Adjusted);
    }

    [Fact]
    public void Entries_must_be_folded_in_order_and_for_their_own_fund()
    {
        var entries = FundLedger.Decide(FundWith(100m), Reserve("r1", 10m)).Entries;
        Assert.Throws<InvalidOperationException>(() => FundWith(0m).Apply(entries[0]));
        Assert.Throws<InvalidOperationException>(() => FundBalance.Empty("other", Currency.USD).Apply(entries[0] with { Sequence = 1 }));
    }

    [Fact]
    public void Two_decisions_from_the_same_balance_claim_the_same_sequence_numbers_so_storage_can_let_only_one_win()
    {
        var fund = FundWith(10_000m);
        var first = FundLedger.Decide(fund, Reserve("r1", 7_000m));
        var second = FundLedger.Decide(fund, Reserve("r2", 7_000m));
        Assert.Equal(first.Entries.Select(e => e.Sequence), second.Entries.Select(e => e.Sequence));

        // The loser reloads and decides again: now it sees the winner's reservation and is refused.
        var afterWinner = first.ApplyTo(fund);
        Assert.Throws<InvalidOperationException>(() => second.ApplyTo(afterWinner));
        Assert.Equal("fund.insufficient", FundLedger.Decide(afterWinner, Reserve("r2", 7_000m)).Refusal!.Code);
    }
}
