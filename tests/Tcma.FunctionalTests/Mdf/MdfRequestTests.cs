using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>Fund requests from the partner: reserved at submission, refused with the exact reason, one request however often it is sent.</summary>
public sealed class MdfRequestTests
{
    [Fact]
    public async Task A_proposal_reserves_its_amount_emails_the_approver_and_a_second_submission_finds_the_same_request()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var first = await kit.ProposeAsync(MdfTestKit.Proposal());
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var request = (await first.Content.ReadFromJsonAsync<RequestView>(MdfJson.Options))!;
        Assert.Equal(FundRequestStatus.PendingApproval, request.Status);
        Assert.Equal("Channel manager", request.WaitingFor);

        var again = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => kit.ProposeAsync(MdfTestKit.Proposal())));
        foreach (var response in again)
        {
            Assert.True(response.IsSuccessStatusCode);
            Assert.Equal(request.Id, (await response.Content.ReadFromJsonAsync<RequestView>(MdfJson.Options))!.Id);
        }
        var figures = await kit.FiguresAsync();
        Assert.Equal(MdfTestKit.Usd(2_000m), figures.Reserved);
        Assert.Equal(MdfTestKit.Usd(18_000m), figures.Available);
        Assert.Single((await kit.OverviewAsync()).Requests);

        var links = await kit.LinksAsync(kit.ChannelManager, request.Id);
        Assert.Equal(["Approve", "Approve a lower amount", "Reject with reason", "Ask for information"], links.Keys);
        var partnerMail = await kit.App.Inbox.WaitForAsync(kit.PartnerEmail);
        Assert.Contains("reserved", partnerMail[0].Text);
        Assert.Contains("/partner/mdf?t=", partnerMail[0].Text);
        await kit.AssertLedgerExactAsync();
    }

    [Theory]
    [InlineData("2001", "4000", "2026-02-02", "2026-02-03", "events", "request.above_rate")]
    [InlineData("12000", "30000", "2026-02-02", "2026-02-03", "events", "request.above_cap")]
    [InlineData("2000", "4000", "2026-01-10", "2026-01-11", "events", "request.too_late")]
    [InlineData("2000", "4000", "2026-01-01", "2026-01-02", "events", "request.start_in_past")]
    [InlineData("2000", "4000", "2026-02-05", "2026-02-03", "events", "request.dates_reversed")]
    [InlineData("2000", "4000", "2026-04-05", "2026-04-06", "events", "request.outside_period")]
    [InlineData("25000", "25000", "2026-02-02", "2026-02-03", "digital", "request.over_available")]
    [InlineData("-5", "4000", "2026-02-02", "2026-02-03", "events", "money.negative")]
    [InlineData("0", "4000", "2026-02-02", "2026-02-03", "events", "money.zero")]
    [InlineData("lots", "4000", "2026-02-02", "2026-02-03", "events", "money.not_a_number")]
    [InlineData("5,00", "4000", "2026-02-02", "2026-02-03", "events", "money.not_a_number")]
    [InlineData("2000 EUR", "4000", "2026-02-02", "2026-02-03", "events", "money.wrong_currency")]
    [InlineData("2000", "99999999999", "2026-02-02", "2026-02-03", "events", "money.too_large")]
    [InlineData("2000.001", "4000", "2026-02-02", "2026-02-03", "events", "money.too_many_decimals")]
    [InlineData("2000", "4000", "02/02/2026", "2026-02-03", "events", "request.bad_date")]
    [InlineData("2000", "4000", "2026-02-02", "2026-02-03", "yachting", "request.unknown_activity_type")]
    public async Task A_proposal_that_breaks_a_rule_is_refused_with_that_reason_and_reserves_nothing(string requested, string cost, string start, string end, string activity, string code)
    {
        await using var kit = await MdfTestKit.StartAsync();
        var response = await kit.ProposeAsync(MdfTestKit.Proposal(requested, cost, start, end, activity));
        Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict, $"{response.StatusCode}");
        Assert.Contains($"\"{code}\"", await response.Content.ReadAsStringAsync());
        var figures = await kit.FiguresAsync();
        Assert.True(figures.Reserved.IsZero);
        Assert.Empty((await kit.OverviewAsync()).Requests);
    }

    [Fact]
    public async Task Malformed_oversized_and_foreign_submissions_are_refused()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var url = $"/api/partner/mdf/programs/{MdfTestKit.ProgramId}/requests";
        Assert.Equal(HttpStatusCode.BadRequest, (await kit.PartnerClient.PostAsync(url, new StringContent("{not json", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await kit.PartnerClient.PostAsync(url, new StringContent("{\"expectedLeads\":\"ten\"}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await kit.PartnerClient.PostAsync(url, new StringContent(new string(' ', 70_000), Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await kit.PartnerClient.PostAsync(url, new StringContent("x", Encoding.UTF8, "text/plain"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await kit.PartnerClient.PostAsync($"/api/partner/mdf/programs/nope/requests", MdfTestKit.Json(MdfTestKit.Proposal()))).StatusCode);

        // A launch link lets the partner in, but not into MDF; no link at all is a 401.
        var launch = kit.App.Anonymous();
        launch.DefaultRequestHeaders.Add("X-Tcma-Link", kit.App.PartnerLink(kit.Vendor, kit.Partner));
        Assert.Equal(HttpStatusCode.Forbidden, (await launch.PostAsync(url, MdfTestKit.Json(MdfTestKit.Proposal()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await kit.App.Anonymous().PostAsync(url, MdfTestKit.Json(MdfTestKit.Proposal()))).StatusCode);

        // Another partner of the same vendor cannot see or act on this partner's request.
        var mine = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        await kit.AddPartnerAsync("quay", $"owner@quay.{kit.Vendor}.example");
        var other = kit.App.Anonymous();
        other.DefaultRequestHeaders.Add("X-Tcma-Link", kit.App.PartnerLink(kit.Vendor, "quay", MdfLinkPurposes.Partner));
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/partner/mdf/requests/{mine.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/partner/mdf/requests/{mine.Id}/cancel", MdfTestKit.Json(new { text = "mine now" }))).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<PartnerMdfView>("/api/partner/mdf", MdfJson.Options))!.Requests);
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task Concurrent_proposals_never_reserve_more_than_the_fund_holds()
    {
        await using var kit = await MdfTestKit.StartAsync(allocation: 10_000m);
        // Twelve different 1,000 requests against 10,000: ten are reserved, two are refused (or recorded as not funded).
        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            kit.ProposeAsync(MdfTestKit.Proposal("1000", "2000", description: $"Roadshow stop {i}"))));
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        var figures = await kit.FiguresAsync();
        Assert.Equal(MdfTestKit.Usd(10_000m), figures.Reserved);
        Assert.True(figures.Available.IsZero);
        var overview = await kit.OverviewAsync();
        Assert.Equal(10, overview.Requests.Count(r => r.Status == FundRequestStatus.PendingApproval));
        Assert.All(overview.Requests.Where(r => r.Status != FundRequestStatus.PendingApproval), r => Assert.Equal(FundRequestStatus.NotFunded, r.Status));
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task A_crash_between_the_reservation_and_the_commit_is_repaired_by_sending_again_with_one_reservation_and_one_email()
    {
        await using var kit = await MdfTestKit.StartAsync();
        const string key = "proposal-7f3a";
        // The first attempt reserved on the ledger and died before the workflow committed (no email, no request).
        var requestId = MdfWorkflowTypes.StableId('r', kit.Vendor, MdfTestKit.ProgramId, kit.Partner, key);
        await kit.Ledger.ExecuteAsync(kit.FundId, Currency.USD, new ReserveFunds(requestId, MdfTestKit.Usd(2_000m), $"partner:{kit.Partner}", MdfTestKit.Start));
        Assert.Null(await kit.Engine.GetRequestAsync(requestId));

        var retried = await kit.ProposeAsync(MdfTestKit.Proposal(), key);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(requestId, (await retried.Content.ReadFromJsonAsync<RequestView>(MdfJson.Options))!.Id);
        Assert.Equal(MdfTestKit.Usd(2_000m), (await kit.FiguresAsync()).Reserved);
        Assert.Single(await kit.Ledger.EntriesAsync(kit.FundId), e => e.Kind == LedgerEntryKind.Reserved);
        await kit.LinksAsync(kit.ChannelManager, requestId);
        Assert.Single(await kit.App.Inbox.ToAsync(kit.ChannelManager.Email));
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task A_submission_that_died_after_its_reservation_and_was_never_retried_is_finished_by_the_resume_timer()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var service = kit.App.Services.GetRequiredService<MdfService>();
        var index = kit.App.Services.GetRequiredService<MdfRequestIndex>();
        // What SubmitAsync had done when the process died: the intent recorded and the money reserved, no workflow.
        var proposal = new Proposal("events", "Partner breakfast", new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 3), MdfTestKit.Usd(4_000m), MdfTestKit.Usd(2_000m), 25, MdfTestKit.Usd(0m), []);
        var requestId = MdfWorkflowTypes.StableId('r', kit.Vendor, MdfTestKit.ProgramId, kit.Partner, "died");
        var fund = await kit.Ledger.GetAsync(kit.FundId, Currency.USD);
        var intent = new RequestEventData(kit.Vendor, requestId, kit.Partner, kit.FundId, new SubmitRequest(proposal, kit.Program(), fund, new Actor($"partner:{kit.Partner}", kit.Partner)));
        await index.AddAsync(kit.Vendor, new MdfSubject(MdfSubjectKind.Request, requestId, kit.Partner, MdfTestKit.ProgramId, MdfTestKit.Start), MdfJson.Write(intent));
        await kit.Ledger.ExecuteAsync(kit.FundId, Currency.USD, new ReserveFunds(requestId, MdfTestKit.Usd(2_000m), $"partner:{kit.Partner}", MdfTestKit.Start));

        Assert.Equal(0, await service.ResumeAsync(TimeSpan.FromMinutes(2), CancellationToken.None)); // too fresh: it may still be in flight
        kit.Clock.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(1, await service.ResumeAsync(TimeSpan.FromMinutes(2), CancellationToken.None));
        Assert.Equal(0, await service.ResumeAsync(TimeSpan.FromMinutes(2), CancellationToken.None));

        Assert.Equal(FundRequestStatus.PendingApproval, (await kit.RequestAsync(requestId)).Status);
        await kit.LinksAsync(kit.ChannelManager, requestId);
        Assert.Single(await kit.Ledger.EntriesAsync(kit.FundId), e => e.Kind == LedgerEntryKind.Reserved);
        Assert.Equal(MdfTestKit.Usd(2_000m), (await kit.FiguresAsync()).Reserved);
        await kit.AssertLedgerExactAsync();
    }
}
