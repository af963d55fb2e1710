using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Mdf;
using Tcma.Storage;
using Tcma.Storage.Leads;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// The vendor's MDF return on Azurite: approved requests and claims read from their workflow instances, leads and won
/// revenue from the leads captured on the linked launches, totals per partner and per activity type.
/// The request and claim workflows are written by the MDF flow capability; this test seeds their state rows and
/// request index exactly as those store them, so it does not depend on driving a whole approval here.
/// </summary>
public sealed class RoiTests
{
    private const string Vendor = "northwind";
    private static readonly Currency Usd = Currency.Of("USD");
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static FundRequestState Request(string id, string partner, string activity, decimal cost, FundRequestStatus status, string? claimId = null, params string[] launches) => new()
    {
        RequestId = id, PartnerId = partner, FundId = $"{Vendor}~q4~{partner}", Status = status, ClaimId = claimId,
        Proposal = new Proposal(activity, "Webinar series", new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 3), Money.Of(cost, Usd), Money.Of(cost / 2, Usd), 20, Money.Of(10_000m, Usd), launches),
        Amount = Money.Of(cost / 2, Usd),
    };

    private static ClaimState Claim(string id, string partner, ClaimStatus status, decimal actualCost, decimal amount, int leads, decimal pipeline) => new()
    {
        ClaimId = id, PartnerId = partner, Status = status, Amount = Money.Of(amount, Usd),
        Submission = new ClaimSubmission(Money.Of(actualCost, Usd), null, [], leads, Money.Of(pipeline, Usd), ""),
    };

    private static Lead ALead(string id, string launch, LeadStatus status) => new()
    {
        Id = id, VendorId = Vendor, Person = new LeadPerson { Email = $"{id}@buyers.example", Country = "GB" }, Consent = new Consent("yes", At, "page", "127.0.0.1"),
        Source = new LeadSource.LandingPage("harbour", launch, "kit-1"), Status = status, CreatedAt = At, LastActivityAt = At,
    };

    private static async Task SeedAsync(TcmaAppFactory app, IEnumerable<FundRequestState> requests, IEnumerable<ClaimState> claims, IEnumerable<Lead> leads)
    {
        var storage = app.Services.GetRequiredService<StorageAccount>();
        var workflows = await storage.TableAsync(WorkflowEngine.InstancesTable);
        var index = await storage.TableAsync(RoiService.RequestIndexTable);
        async Task StateAsync(string type, string id, string json) =>
            await workflows.AddEntityAsync(new TableEntity(WorkflowEngine.PartitionKeyOf(type, id), "state")
            {
                ["Type"] = type, ["InstanceId"] = id, ["Version"] = 3L, ["State"] = json, ["Timers"] = "[]", ["Completed"] = false,
            });
        foreach (var r in requests)
        {
            await index.AddEntityAsync(new TableEntity(Vendor, "r~" + r.RequestId) { ["Kind"] = "Request", ["PartnerId"] = r.PartnerId, ["ProgramId"] = "q4", ["CreatedAt"] = At });
            await StateAsync(RoiService.FundRequestType, r.RequestId, MdfJson.Write(r));
        }
        foreach (var c in claims)
        {
            await index.AddEntityAsync(new TableEntity(Vendor, "c~" + c.ClaimId) { ["Kind"] = "Claim", ["PartnerId"] = c.PartnerId, ["ProgramId"] = "q4", ["CreatedAt"] = At });
            await StateAsync(RoiService.ClaimType, c.ClaimId, MdfJson.Write(c));
        }
        var leadTable = await storage.TableAsync(LeadStore.LeadsTable);
        foreach (var l in leads)
            await leadTable.AddEntityAsync(new TableEntity(TableKeys.Safe(Vendor), l.Id) { ["Json"] = JsonSerializer.Serialize(l, JsonSerializerOptions.Web), ["Status"] = l.Status.ToString() });
        // An index row whose workflow never started is skipped, never an error.
        await index.AddEntityAsync(new TableEntity(Vendor, "r~FR-orphan") { ["Kind"] = "Request", ["PartnerId"] = "harbour", ["ProgramId"] = "q4", ["CreatedAt"] = At });
    }

    [Fact]
    public async Task The_report_shows_each_approved_activity_and_totals_per_partner_and_activity_type()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await SeedAsync(app,
            [
                Request("FR-1", "harbour", "webinar", 4_000m, FundRequestStatus.Claimed, "CL-1", "launch-a", "launch-b"),
                Request("FR-2", "harbour", "event", 10_000m, FundRequestStatus.Approved),
                Request("FR-3", "bay", "webinar", 2_000m, FundRequestStatus.Claimed, "CL-3"),
                Request("FR-4", "bay", "webinar", 9_000m, FundRequestStatus.Rejected),
                Request("FR-5", "bay", "event", 1_000m, FundRequestStatus.PendingApproval),
            ],
            [
                Claim("CL-1", "harbour", ClaimStatus.Paid, actualCost: 3_800m, amount: 1_900m, leads: 99, pipeline: 40_000m),
                Claim("CL-3", "bay", ClaimStatus.PendingApproval, actualCost: 2_100m, amount: 1_000m, leads: 7, pipeline: 5_000m),
            ],
            [
                ALead("l1", "launch-a", new LeadStatus.Won(12_000.555m, "USD")),
                ALead("l2", "launch-b", new LeadStatus.Working()),
                ALead("l3", "launch-b", new LeadStatus.Won(5_000m, "EUR")),
                ALead("l4", "launch-other", new LeadStatus.Won(70_000m, "USD")),
            ]);

        var report = await app.Services.GetRequiredService<RoiService>().BuildAsync(Vendor);

        Assert.Equal(["FR-1", "FR-2", "FR-3"], report.Lines.Select(l => l.RequestId).Order());
        var fr1 = report.Lines.Single(l => l.RequestId == "FR-1");
        // Measured leads win over the claim's reported 99; won revenue counts only the request's currency, rounded down.
        Assert.Equal(("CL-1", Money.Of(3_800m, Usd), Money.Of(1_900m, Usd), 3, Money.Of(40_000m, Usd), Money.Of(12_000.55m, Usd)),
            (fr1.ClaimId, fr1.Cost, fr1.Reimbursed, fr1.Leads, fr1.Pipeline, fr1.WonRevenue));
        var fr2 = report.Lines.Single(l => l.RequestId == "FR-2");
        Assert.Equal((Money.Of(10_000m, Usd), Money.Zero(Usd), 0), (fr2.Cost, fr2.Reimbursed, fr2.Leads));
        var fr3 = report.Lines.Single(l => l.RequestId == "FR-3");
        // No linked launch: the claim's reported leads; a pending claim has reimbursed nothing yet.
        Assert.Equal((7, Money.Zero(Usd), Money.Of(5_000m, Usd)), (fr3.Leads, fr3.Reimbursed, fr3.Pipeline));

        var harbour = report.ByPartner.Single(s => s.Key == "harbour");
        Assert.Equal((2, Money.Of(1_900m, Usd), 3, Money.Of(40_000m, Usd)), (harbour.Activities, harbour.Reimbursed, harbour.Leads, harbour.Pipeline));
        Assert.Equal(21.0526m, harbour.PipelinePerMdf);
        var bay = report.ByPartner.Single(s => s.Key == "bay");
        Assert.Null(bay.PipelinePerMdf);
        Assert.Equal(["event", "webinar"], report.ByActivityType.Select(s => s.Key));
        Assert.Equal(2, report.ByActivityType.Single(s => s.Key == "webinar").Activities);
    }

    [Fact]
    public async Task The_api_and_console_show_the_report_to_vendor_users_only_and_refuse_a_bad_filter()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await SeedAsync(app, [Request("FR-1", "harbour", "webinar", 4_000m, FundRequestStatus.Claimed, "CL-1", "launch-a")],
            [Claim("CL-1", "harbour", ClaimStatus.Approved, 4_000m, 2_000m, 3, 8_000m)], [ALead("l1", "launch-a", new LeadStatus.Won(6_000m, "USD"))]);
        var user = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);

        var body = await user.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/mdf/roi", JsonSerializerOptions.Web);
        var partner = body.GetProperty("byPartner")[0];
        Assert.Equal(("harbour", "2000.00", 4m, 3m), (partner.GetProperty("key").GetString(), partner.GetProperty("reimbursed").GetProperty("amount").GetString(),
            partner.GetProperty("pipelinePerMdf").GetDecimal(), partner.GetProperty("revenuePerMdf").GetDecimal()));
        Assert.Equal("2000.00", partner.GetProperty("mdfPerLead").GetProperty("amount").GetString());
        Assert.Equal(0, (await user.GetFromJsonAsync<JsonElement>($"/api/vendors/{Vendor}/mdf/roi?partner=bay", JsonSerializerOptions.Web)).GetProperty("activities").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, (await user.GetAsync($"/api/vendors/{Vendor}/mdf/roi?partner={new string('p', 101)}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await user.GetAsync($"/api/vendors/{Vendor}/mdf/roi?partner=a%23b")).StatusCode);

        var page = await user.GetStringAsync("/console/mdf/roi");
        Assert.Contains("By partner", page);
        Assert.Contains("USD 6,000.00", page);
        Assert.Contains("3.00", page);

        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignedInAsync("contoso", VendorRole.ChannelManager)).GetAsync($"/api/vendors/{Vendor}/mdf/roi")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"/api/vendors/{Vendor}/mdf/roi")).StatusCode);
    }
}
