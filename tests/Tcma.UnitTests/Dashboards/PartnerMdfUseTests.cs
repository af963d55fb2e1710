using Tcma.Domain.Dashboards;
using Tcma.Domain.Mdf;

namespace Tcma.UnitTests.Dashboards;

public sealed class PartnerMdfUseTests
{
    private static readonly DateOnly Today = new(2026, 3, 10);
    private static Money Usd(decimal amount) => Money.Of(amount, Currency.USD);

    private static FundFigures Figures(decimal allocated, decimal reserved = 0, decimal claimed = 0, decimal paid = 0, decimal expired = 0) =>
        new(Usd(allocated), Usd(0), Usd(0), Usd(reserved), Usd(claimed), Usd(paid), Usd(expired), Usd(allocated - reserved - claimed - paid - expired));

    [Fact]
    public void A_fund_says_how_much_is_unused_and_how_long_is_left_or_how_it_ended()
    {
        var running = PartnerMdfUse.Fund("Q1", Figures(5_000, reserved: 1_000, claimed: 1_000, paid: 1_000), new DateOnly(2026, 3, 31), Today);
        Assert.Equal(0.6, running.Utilisation!.Value, 6);
        Assert.Equal("40% of USD 5,000.00 unused with 21 days left", running.Why);
        Assert.Equal("all of USD 5,000.00 used", PartnerMdfUse.Fund("Q1", Figures(5_000, paid: 5_000), new DateOnly(2026, 3, 31), Today).Why);
        Assert.Equal("40% of USD 5,000.00 used; the program ended 31 Dec 2025, USD 3,000.00 expired unused",
            PartnerMdfUse.Fund("Q4", Figures(5_000, paid: 2_000, expired: 3_000), new DateOnly(2025, 12, 31), Today).Why);
        var nothing = PartnerMdfUse.Fund("Q1", Figures(0), new DateOnly(2026, 3, 31), Today);
        Assert.Null(nothing.Utilisation);
        Assert.Equal("no funds allocated", nothing.Why);
    }

    [Fact]
    public void An_approved_activity_is_claimed_missed_once_its_deadline_passed_or_still_due_and_other_requests_do_not_count()
    {
        var claims = PartnerMdfUse.Claims([
            (FundRequestStatus.Claimed, "c-1", Today.AddDays(-5)),
            (FundRequestStatus.Approved, null, Today.AddDays(-1)),
            (FundRequestStatus.Approved, null, Today),
            (FundRequestStatus.PendingApproval, null, null),
            (FundRequestStatus.Rejected, null, null),
            (FundRequestStatus.Expired, null, null),
        ], Today);
        Assert.Equal(new ClaimTimeliness(1, 1, 1), claims);
        Assert.Equal("claimed 1 of 2 approved activities whose window closed or was used; 1 more due", claims.Why);
        Assert.Equal("no approved activity to claim", PartnerMdfUse.Claims([], Today).Why);
        Assert.Equal("2 claims due, none missed", new ClaimTimeliness(0, 0, 2).Why);
    }
}
