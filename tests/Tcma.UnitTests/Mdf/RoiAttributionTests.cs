using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Functions.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

/// <summary>What an activity is credited with: measured leads of its launches first, won revenue in its own currency only, never rounded up.</summary>
public sealed class RoiAttributionTests
{
    private static FundRequestState Request(params string[] launches) => new()
    {
        RequestId = "FR-1", PartnerId = "p1", FundId = FundId, Status = FundRequestStatus.Claimed, ClaimId = "CL-1",
        Proposal = new Proposal("events", "Roadshow", Today.AddDays(20), Today.AddDays(21), Usd(4_000m), Usd(2_000m), 10, Usd(20_000m), launches),
    };

    private static ClaimState Claim(int leads, Money pipeline) => new()
    {
        ClaimId = "CL-1", PartnerId = "p1", Status = ClaimStatus.Approved, Amount = Usd(1_500m),
        Submission = new ClaimSubmission(Usd(3_000m), null, [], leads, pipeline, ""),
    };

    private static Lead From(string launch, LeadStatus status) => new()
    {
        Id = Guid.NewGuid().ToString("N"), VendorId = "v", Person = new LeadPerson { Email = "a@b.example", Country = "GB" }, Consent = new Consent("ok", Now, "page", "::1"),
        Source = new LeadSource.LandingPage("p1", launch, "kit"), Status = status, CreatedAt = Now, LastActivityAt = Now,
    };

    [Fact]
    public void Leads_of_the_linked_launches_count_and_only_won_revenue_in_the_request_currency_rounded_down()
    {
        Lead[] leads =
        [
            From("L1", new LeadStatus.Won(1_000.019m, "USD")), From("L2", new LeadStatus.New()), From("L2", new LeadStatus.Won(900m, "EUR")),
            From("L3", new LeadStatus.Won(50_000m, "USD")),
        ];
        var a = RoiAttribution.For(Request("L1", "L2"), Claim(leads: 40, Usd(12_000m)), leads);
        Assert.Equal((3, Usd(12_000m), Usd(1_000.01m)), (a.Leads, a.Pipeline, a.WonRevenue));
    }

    [Fact]
    public void Without_linked_launches_the_claim_reported_leads_count_and_other_currencies_count_as_nothing()
    {
        var a = RoiAttribution.For(Request(), Claim(leads: 12, Eur(5_000m)), [From("L1", new LeadStatus.Won(10m, "USD"))]);
        Assert.Equal((12, Usd(0m), Usd(0m)), (a.Leads, a.Pipeline, a.WonRevenue));
        var unclaimed = RoiAttribution.For(Request(), null, []);
        Assert.Equal((0, Usd(0m), Usd(0m)), (unclaimed.Leads, unclaimed.Pipeline, unclaimed.WonRevenue));
    }

    [Fact]
    public void The_report_leaves_out_requests_that_are_not_approved()
    {
        var report = RoiAttribution.Build(
        [
            new RoiActivity(Request("L1"), Claim(1, Usd(100m))),
            new RoiActivity(Request() with { RequestId = "FR-2", Status = FundRequestStatus.Rejected }, null),
            new RoiActivity(Request() with { RequestId = "FR-3", Proposal = null }, null),
        ], []);
        Assert.Equal(["FR-1"], report.Lines.Select(l => l.RequestId));
        Assert.Equal(Usd(1_500m), Assert.Single(report.ByPartner).Reimbursed);
    }
}
