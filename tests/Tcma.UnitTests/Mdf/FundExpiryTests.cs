using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class FundExpiryTests
{
    private static readonly ProgramPeriod Period = Q1.Period;
    private static readonly DateTimeOffset Expiry = new(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Periods_end_on_their_last_day_and_funds_expire_at_the_next_midnight_utc()
    {
        Assert.Equal(new DateOnly(2026, 3, 31), Period.End);
        Assert.Equal(Expiry, Period.ExpiresAt);
        Assert.Equal(new DateOnly(2026, 12, 31), ProgramPeriod.Half(2026, 2).End);
        Assert.Equal(new DateOnly(2026, 12, 31), ProgramPeriod.Year(2026).End);
        Assert.Equal("Q1 2026", Period.ToString());
    }

    [Fact]
    public void Reminders_are_due_30_and_7_days_before_expiry()
    {
        Assert.Equal([(30, Expiry.AddDays(-30)), (7, Expiry.AddDays(-7))], FundExpiry.Schedule(Period));
        var fund = FundWith(1_200m);
        Assert.Empty(FundExpiry.Due(fund, Period, Expiry.AddDays(-30).AddTicks(-1), null));
        var first = Assert.Single(FundExpiry.Due(fund, Period, Expiry.AddDays(-30), null));
        Assert.Equal((30, Usd(1_200m)), (first.DaysBefore, first.Available));
        Assert.Empty(FundExpiry.Due(fund, Period, Expiry.AddDays(-10), lastSentDaysBefore: 30));
        Assert.Equal(7, FundExpiry.Due(fund, Period, Expiry.AddDays(-7), lastSentDaysBefore: 30).Single().DaysBefore);
        Assert.Empty(FundExpiry.Due(fund, Period, Expiry.AddDays(-1), lastSentDaysBefore: 7));
    }

    [Fact]
    public void A_late_timer_sends_only_the_latest_reminder_and_never_after_expiry_or_for_an_empty_fund()
    {
        var fund = FundWith(1_200m);
        Assert.Equal(7, FundExpiry.Due(fund, Period, Expiry.AddDays(-2), null).Single().DaysBefore);
        Assert.Empty(FundExpiry.Due(fund, Period, Expiry, null));
        Assert.Empty(FundExpiry.Due(FundWith(0m), Period, Expiry.AddDays(-7), null));
        var spent = Apply(fund, new ReserveFunds("r1", Usd(1_200m), "p", Now));
        Assert.Empty(FundExpiry.Due(spent, Period, Expiry.AddDays(-7), null));
    }

    [Fact]
    public void Funds_at_risk_list_the_largest_unused_balances_in_the_last_30_days()
    {
        var funds = new[]
        {
            ("partner-a", FundBalance.Empty("fa", Currency.USD) with { Allocated = Usd(500m) }),
            ("partner-b", FundBalance.Empty("fb", Currency.USD) with { Allocated = Usd(9_000m) }),
            ("partner-c", FundBalance.Empty("fc", Currency.USD)),
        };
        Assert.Empty(FundExpiry.AtRisk(funds, Period, Expiry.AddDays(-31)));
        var risk = FundExpiry.AtRisk(funds, Period, Expiry.AddDays(-6.5));
        Assert.Equal([("partner-b", 9_000m, 7), ("partner-a", 500m, 7)], risk.Select(r => (r.PartnerId, r.Available.Amount, r.DaysLeft)));
        Assert.Empty(FundExpiry.AtRisk(funds, Period, Expiry));
    }

    [Fact]
    public void Expiring_at_period_end_is_idempotent_through_the_ledger()
    {
        var fund = Apply(FundWith(1_000m), new ReserveFunds("r1", Usd(400m), "p", Now));
        var expire = new ExpireFunds(Period.ExpiresAt, "timer", Period.ExpiresAt.AddMinutes(1));
        fund = Apply(fund, expire);
        var again = FundLedger.Decide(fund, expire with { At = Period.ExpiresAt.AddDays(1) });
        Assert.True(again.IsNoOp);
        Assert.Equal((Usd(600m), Usd(400m), Usd(0m)), (fund.Expired, fund.Reserved, fund.Available));
    }
}
