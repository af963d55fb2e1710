using Tcma.Domain.Deals;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Deals.DealSamples;

namespace Tcma.UnitTests.Deals;

public sealed class AttributionTests
{
    private static readonly Touch Webinar = new("launch-webinar", "kit-webinar", Now.AddDays(-60));
    private static readonly Touch Launch = new("launch-product", "kit-product", Now.AddDays(-10));

    private static AttributionRecord Won(string id, decimal amount, Touch? first, Touch? last, string partner = "alpha", AttributionSource source = AttributionSource.Registration,
        AttributionStage stage = AttributionStage.Won, string currency = "USD") =>
        new(source, id, partner, "Contoso", stage, Tcma.Domain.Mdf.Money.Of(amount, Tcma.Domain.Mdf.Currency.Of(currency)), Now, first, last,
            Funded(first), Funded(last));

    /// <summary>Each launch was funded by its own MDF request, in its own program.</summary>
    private static MdfLink? Funded(Touch? t) => t is null ? null : new MdfLink("r-" + t.LaunchId, t == Webinar ? "events-q1" : "digital-q1");

    [Fact]
    public void First_touch_credits_the_campaign_that_brought_the_customer_and_last_touch_the_one_before_the_deal()
    {
        var records = new[] { Won("d-1", 40_000m, Webinar, Launch), Won("lead-1", 10_000m, Launch, Launch, source: AttributionSource.Lead) };
        var first = Attribution.Report(records, AttributionModel.FirstTouch);
        Assert.Equal([("kit-webinar", 40_000m), ("kit-product", 10_000m)], first.ByKit.Select(t => (t.Key, t.Revenue.Amount)));
        Assert.Equal([("events-q1", 40_000m), ("digital-q1", 10_000m)], first.ByProgram.Select(t => (t.Key, t.Revenue.Amount)));
        var last = Attribution.Report(records, AttributionModel.LastTouch);
        Assert.Equal([("kit-product", 50_000m)], last.ByKit.Select(t => (t.Key, t.Revenue.Amount)));
        Assert.StartsWith("Last touch", last.Rule);
        Assert.Equal([("deal registrations", 40_000m), ("routed leads", 10_000m)], first.BySource.Select(t => (t.Key, t.Revenue.Amount)));
    }

    [Fact]
    public void Pipeline_and_revenue_are_kept_apart_currencies_never_add_up_and_dropped_pipeline_counts_nowhere()
    {
        var records = new[]
        {
            Won("d-1", 40_000m, Webinar, Webinar),
            Won("d-2", 25_000m, Webinar, Webinar, stage: AttributionStage.Pipeline),
            Won("d-3", 99_000m, Webinar, Webinar, stage: AttributionStage.Dropped),
            Won("d-4", 30_000m, Webinar, Webinar, currency: "EUR"),
            Won("d-5", 5_000m, null, null, partner: "bravo"),
        };
        var report = Attribution.Report(records, AttributionModel.FirstTouch);
        var usd = report.ByKit.Single(t => t.Key == "kit-webinar" && t.Currency.Code == "USD");
        Assert.Equal((1, 40_000m, 1, 25_000m), (usd.WonCount, usd.Revenue.Amount, usd.OpenCount, usd.Pipeline.Amount));
        Assert.Equal(30_000m, report.ByKit.Single(t => t.Currency.Code == "EUR").Revenue.Amount);
        Assert.Equal(5_000m, report.ByKit.Single(t => t.Key == Attribution.NoCampaign).Revenue.Amount);
        Assert.Equal(5_000m, report.ByProgram.Single(t => t.Key == Attribution.NoMdf).Revenue.Amount);
    }

    [Fact]
    public void A_period_counts_what_was_won_or_became_pipeline_in_it()
    {
        var records = new[] { Won("d-1", 40_000m, Webinar, Webinar) with { At = Now.AddDays(-40) }, Won("d-2", 10_000m, Webinar, Webinar) };
        var report = Attribution.Report(records, AttributionModel.FirstTouch, Now.AddDays(-7), Now.AddDays(1));
        Assert.Equal(10_000m, report.ByKit.Single().Revenue.Amount);
    }

    [Fact]
    public void A_lead_touches_its_campaigns_in_the_order_it_submitted_on_their_landing_pages()
    {
        var consent = new Consent("yes", Now, "page", "127.0.0.1");
        var lead = new Lead
        {
            Id = "lead-1", VendorId = "vendor", Person = new LeadPerson { Email = "ana@contoso.com", Country = "GB" }, Consent = consent,
            Source = new LeadSource.LandingPage("alpha", "launch-webinar", "kit-webinar"), CreatedAt = Now.AddDays(-60), LastActivityAt = Now,
            Activities =
            [
                new("s1", ActivityKind.FormSubmitted, Now.AddDays(-60), new LeadSource.LandingPage("alpha", "launch-webinar", "kit-webinar"), consent),
                new("s2", ActivityKind.FormSubmitted, Now.AddDays(-30), new LeadSource.Api("crm"), consent),
                new("s3", ActivityKind.FormSubmitted, Now.AddDays(-10), new LeadSource.LandingPage("alpha", "launch-product", "kit-product"), consent),
            ],
        };
        var (first, last) = Attribution.TouchesOf(lead);
        Assert.Equal(("launch-webinar", "kit-product"), (first!.LaunchId, last!.KitId));
    }
}
