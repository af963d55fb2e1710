using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;
using static Tcma.UnitTests.Mdf.ClaimScenario;

namespace Tcma.UnitTests.Mdf;

/// <summary>The path the browser test will play, at the domain level: the partner's figures at every step.</summary>
public sealed class FundJourneyTests
{
    private static FundFigures Figures(decimal allocated, decimal accrued, decimal reserved, decimal claimed, decimal paid, decimal expired, decimal available) =>
        new(Usd(allocated), Usd(accrued), Usd(0m), Usd(reserved), Usd(claimed), Usd(paid), Usd(expired), Usd(available));

    [Fact]
    public void From_proposal_to_payout_and_expiry_every_figure_adds_up()
    {
        var r = new RequestScenario(50_000m);
        var revenue = AccrualImport.Read("partner_id,revenue\npartner-7,\"100,000.00\"\n", Q1).Value!.Single();
        r.Fund = Apply(r.Fund, new AccrueFunds(revenue.OperationId("2025-12"), revenue.Accrued, "import", Now));
        Assert.Equal(Figures(50_000m, 2_000m, 0m, 0m, 0m, 0m, 52_000m), r.Fund.Figures);

        r.Submit(8_000m, activity: "events", cost: 16_000m);
        Assert.Equal(Figures(50_000m, 2_000m, 8_000m, 0m, 0m, 0m, 44_000m), r.Fund.Figures);

        r.Approve(ChannelManager);
        r.Approve(Director, 7_000m);
        Assert.Equal(FundRequestStatus.Approved, r.State.Status);
        Assert.Equal(Figures(50_000m, 2_000m, 7_000m, 0m, 0m, 0m, 45_000m), r.Fund.Figures);

        var c = new ClaimScenario(r);
        c.Submit(Submission(12_000m));
        Assert.Equal(Usd(6_000m), c.State.Amount);
        Assert.Equal(Figures(50_000m, 2_000m, 0m, 6_000m, 0m, 0m, 46_000m), r.Fund.Figures);

        c.Approve(Finance, 5_500m);
        Assert.Equal(Figures(50_000m, 2_000m, 0m, 5_500m, 0m, 0m, 46_500m), r.Fund.Figures);

        var export = PayoutExport.Build("exp-1", c.Payouts, new HashSet<string>(), new Dictionary<string, string> { ["partner-7"] = "Contoso" });
        Assert.EndsWith("partner-7,Contoso,5500.00,USD,MDF-claim-1,6100-EVT,claim-1,req-1\r\n", export.Csv);
        c.Do(new MarkClaimPaid("ERP-2026-0042", As(Finance)));
        Assert.Equal(Figures(50_000m, 2_000m, 0m, 0m, 5_500m, 0m, 46_500m), r.Fund.Figures);
        Assert.True(PayoutExport.Build("exp-2", c.Payouts, export.Payouts.Select(p => p.ClaimId).ToHashSet(), new Dictionary<string, string>()).IsEmpty);

        r.Fund = Apply(r.Fund, new ExpireFunds(Q1.Period.ExpiresAt, "timer", Q1.Period.ExpiresAt));
        Assert.Equal(Figures(50_000m, 2_000m, 0m, 0m, 5_500m, 46_500m, 0m), r.Fund.Figures);

        var roi = Roi.Line(r.State, c.State, new Attribution(35, Usd(120_000m), Usd(30_000m)))!;
        Assert.Equal((Usd(12_000m), Usd(5_500m)), (roi.Cost, roi.Reimbursed));
        Assert.Equal(21.8181m, Roi.ByPartner([roi]).Single().PipelinePerMdf);
    }
}
