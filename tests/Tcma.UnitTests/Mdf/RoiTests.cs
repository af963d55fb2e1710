using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class RoiTests
{
    private static RoiLine Line(string partner, string activity, decimal reimbursed, int leads, decimal pipeline, decimal won, Currency? currency = null)
    {
        var c = currency ?? Currency.USD;
        return new("req", "claim", partner, activity, Money.Of(reimbursed * 2, c), Money.Of(reimbursed, c), leads, Money.Of(pipeline, c), Money.Of(won, c));
    }

    [Fact]
    public void Spend_pipeline_and_revenue_add_up_per_partner_and_per_activity_type()
    {
        RoiLine[] lines = [Line("p1", "events", 1_000m, 10, 30_000m, 5_000m), Line("p1", "digital", 3_000m, 20, 60_000m, 0m), Line("p2", "events", 500m, 0, 0m, 0m)];
        var p1 = Roi.ByPartner(lines)[0];
        Assert.Equal(("p1", 2, Usd(8_000m), Usd(4_000m), 30, Usd(90_000m), Usd(5_000m)), (p1.Key, p1.Activities, p1.Cost, p1.Reimbursed, p1.Leads, p1.Pipeline, p1.WonRevenue));
        Assert.Equal(22.5m, p1.PipelinePerMdf);
        Assert.Equal(1.25m, p1.RevenuePerMdf);
        Assert.Equal(Usd(133.33m), p1.MdfPerLead);
        Assert.Equal(["digital", "events"], Roi.ByActivityType(lines).Select(s => s.Key));
        Assert.Equal(Usd(1_500m), Roi.ByActivityType(lines)[1].Reimbursed);
    }

    [Fact]
    public void Ratios_never_divide_by_zero()
    {
        var s = Roi.ByPartner([Line("p2", "events", 0m, 0, 1_000m, 0m)]).Single();
        Assert.Null(s.PipelinePerMdf);
        Assert.Null(s.RevenuePerMdf);
        Assert.Null(s.MdfPerLead);
    }

    [Fact]
    public void Currencies_are_summarised_apart()
    {
        var summaries = Roi.ByPartner([Line("p1", "events", 100m, 1, 1m, 1m), Line("p1", "events", 100m, 1, 1m, 1m, Currency.EUR)]);
        Assert.Equal(["EUR", "USD"], summaries.Select(s => s.Currency.Code));
    }
}
