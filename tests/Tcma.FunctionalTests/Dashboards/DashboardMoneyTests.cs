using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Mdf;
using Tcma.Functions.Mdf;

namespace Tcma.FunctionalTests.Dashboards;

/// <summary>
/// The console home's MDF figures are the MDF capability's own: made through the real request, approval and claim
/// endpoints, and equal to what the fund and ROI APIs say for the same program; never shown to another vendor.
/// </summary>
public sealed partial class DashboardMoneyTests
{
    [GeneratedRegex("""data-mdf="([^":]+):([a-z-]+)" data-amount="([\d.\-]+)">""")]
    private static partial Regex MdfFigure();

    [GeneratedRegex("""data-figure="(mdf-waiting-requests|mdf-waiting-claims)">(\d+) """)]
    private static partial Regex Waiting();

    [GeneratedRegex("""<th scope="row">Today, [^<]+</th><td>([\d,.]+)</td>""")]
    private static partial Regex BurnDownNow();

    private static Dictionary<string, decimal> Figures(string html, string programId) => MdfFigure().Matches(html)
        .Where(m => m.Groups[1].Value == programId)
        .ToDictionary(m => m.Groups[2].Value, m => decimal.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));

    [Fact]
    public async Task The_home_pages_mdf_figures_equal_the_fund_and_roi_apis_for_the_program_and_another_vendor_never_sees_them()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var vendor = kit.Vendor;
        // A second partner, allocated through the program API as a vendor admin would.
        await kit.AddPartnerAsync("quay", $"owner@quay.{vendor}.example");
        var admin = await kit.App.SignedInAsync(vendor, VendorRole.VendorAdmin);
        var allocated = await admin.PostAsync($"/api/vendors/{vendor}/mdf/programs/{MdfTestKit.ProgramId}/allocations", MdfTestKit.Json(new { partnerIds = new[] { "quay" } }));
        Assert.Equal(HttpStatusCode.OK, allocated.StatusCode);

        // One request approved, claimed and approved by finance; a second claimed and waiting; a third waiting for its approver.
        var cm = await kit.App.SignedInAsync(vendor, VendorRole.MdfApprover, kit.ChannelManager.Email);
        async Task<RequestView> ApprovedAsync(object proposal)
        {
            var request = await kit.ProposeOkAsync(proposal);
            var approved = await cm.PostAsync($"/api/vendors/{vendor}/mdf/requests/{request.Id}/decisions", MdfTestKit.Json(new { step = request.Step, action = "approve" }));
            Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
            return request;
        }
        var first = await ApprovedAsync(MdfTestKit.Proposal());
        var second = await ApprovedAsync(MdfTestKit.Proposal(requested: "1000", cost: "2000", description: "Second breakfast"));
        kit.Clock.Advance(TimeSpan.FromDays(30)); // 2026-02-04: both activities are over

        async Task<ClaimView> ClaimAsync(RequestView request, string cost)
        {
            var claimed = await kit.PartnerClient.PostAsync($"/api/partner/mdf/requests/{request.Id}/claim",
                MdfClaimTests.ClaimForm(cost, null, ("invoice.pdf", "application/pdf", MdfClaimTests.Pdf)));
            Assert.Equal(HttpStatusCode.Created, claimed.StatusCode);
            return (await claimed.Content.ReadFromJsonAsync<ClaimView>(MdfJson.Options))!;
        }
        var paidClaim = await ClaimAsync(first, "3000");
        await ClaimAsync(second, "1800");
        var finance = await kit.App.SignedInAsync(vendor, VendorRole.Finance, kit.Finance.Email);
        var decided = await finance.PostAsync($"/api/vendors/{vendor}/mdf/claims/{paidClaim.Id}/decisions", MdfTestKit.Json(new { step = paidClaim.Step, action = "approveLower", amount = "1200" }));
        Assert.Equal(HttpStatusCode.OK, decided.StatusCode);
        var waiting = await kit.ProposeOkAsync(MdfTestKit.Proposal(requested: "500", cost: "1000", start: "2026-03-02", end: "2026-03-02", description: "Webinar"));
        kit.Clock.Advance(TimeSpan.FromDays(3));

        // Signed in now: sessions from a month ago on the fake clock have expired.
        var viewer = await kit.App.SignedInAsync(vendor, VendorRole.ChannelManager);
        var home = await viewer.GetStringAsync("/console");
        var shown = Figures(home, MdfTestKit.ProgramId);
        Assert.Equal(["allocated", "accrued", "reserved", "claimed", "paid", "expired", "available", "at-risk"], shown.Keys);

        // The fund API, per partner, added up: the same money, figure by figure.
        var funds = new List<FundFigures>();
        foreach (var partner in new[] { kit.Partner, "quay" })
            funds.Add((await viewer.GetFromJsonAsync<FundView>($"/api/vendors/{vendor}/mdf/programs/{MdfTestKit.ProgramId}/funds/{partner}", MdfJson.Options))!.Figures);
        decimal Total(Func<FundFigures, Money> figure) => funds.Sum(f => figure(f).Amount);
        Assert.Equal(Total(f => f.Allocated), shown["allocated"]);
        Assert.Equal(40_000m, shown["allocated"]);
        Assert.Equal(Total(f => f.Accrued), shown["accrued"]);
        Assert.Equal(Total(f => f.Reserved), shown["reserved"]);
        Assert.Equal(500m, shown["reserved"]);
        Assert.Equal(Total(f => f.Claimed), shown["claimed"]);
        Assert.Equal(1_200m + 900m, shown["claimed"]);
        Assert.Equal(Total(f => f.Paid), shown["paid"]);
        Assert.Equal(Total(f => f.Expired), shown["expired"]);
        Assert.Equal(Total(f => f.Available), shown["available"]);
        // 55 days before the end: nothing is at risk yet.
        Assert.Equal(0m, shown["at-risk"]);

        // The burn-down's point for now leaves what claims do not hold.
        var now = BurnDownNow().Match(home);
        Assert.True(now.Success, "the burn-down has a point for today");
        Assert.Equal(Total(f => f.Allocated) + Total(f => f.Accrued) - Total(f => f.Claimed) - Total(f => f.Paid), decimal.Parse(now.Groups[1].Value, CultureInfo.InvariantCulture));

        // What waits: the webinar request for its approver, the second claim for finance.
        var counts = Waiting().Matches(home).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal((1, 1), (counts["mdf-waiting-requests"], counts["mdf-waiting-claims"]));
        Assert.Contains($"data-waiting=\"{waiting.Id}\"", home);

        // The ROI API's totals for the same activities: cost, reimbursed (only the approved claim) and reported pipeline.
        var roi = (await viewer.GetFromJsonAsync<RoiView>($"/api/vendors/{vendor}/mdf/roi"))!;
        decimal Sum(Func<RoiLineView, MoneyView> pick) => roi.Activities.Sum(a => decimal.Parse(pick(a).Amount, CultureInfo.InvariantCulture));
        Assert.Equal(2, roi.Activities.Count);
        Assert.Contains($"<td>USD {Sum(a => a.Cost).ToString("N2", CultureInfo.InvariantCulture)}</td>", home);
        Assert.Contains($"<td>USD {Sum(a => a.Reimbursed).ToString("N2", CultureInfo.InvariantCulture)}</td>", home);
        Assert.Equal(1_200m, Sum(a => a.Reimbursed));
        Assert.Contains($"<td>USD {Sum(a => a.Pipeline).ToString("N2", CultureInfo.InvariantCulture)}</td>", home);

        // The partner's scorecard: its own fund as the fund API has it, its claims, and its social accounts' health.
        var social = kit.App.Services.GetRequiredService<Tcma.Storage.Syndication.SocialAccountStore>();
        var at = kit.Clock.GetUtcNow();
        await social.ConnectAsync(vendor, kit.Partner, new(SocialNetwork.LinkedIn, "li-1", "Harbour on LinkedIn", "protected", null, at.AddDays(5), ["w_member_social"]), at);
        var broken = await social.ConnectAsync(vendor, kit.Partner, new(SocialNetwork.X, "x-1", "@harbour", "protected", null, at.AddDays(60), ["tweet.write"]), at);
        await social.ClaimReconnectNoticeAsync(broken, "the network refused the token", at, TimeSpan.FromMinutes(5));
        await social.ConnectAsync(vendor, kit.Partner, new(SocialNetwork.Facebook, "fb-1", "Harbour Ltd", "protected", null, null, ["pages_manage_posts"]), at);
        var card = WebUtility.HtmlDecode(await viewer.GetStringAsync($"/console/partners/{kit.Partner}"));
        var harbour = funds[0];
        Assert.Contains($"<strong>Partner MDF Q1 2026</strong>: {PartnerMdfUse.Fund("Partner MDF Q1 2026", harbour, new DateOnly(2026, 3, 31), new DateOnly(2026, 2, 7)).Why}", card);
        Assert.Contains("unused with 52 days left", card);
        Assert.Contains("Claims: claimed 2 of 2 approved activities whose window closed or was used.", card);
        Assert.Contains("<strong>LinkedIn</strong> Harbour on LinkedIn: <span class=\"at-risk-text\">its access expires in 5 days</span>", card);
        Assert.Contains("<strong>X</strong> @harbour: <span class=\"at-risk-text\">broken, needs reconnecting (the network refused the token)</span>", card);
        Assert.Contains("<strong>Facebook</strong> Harbour Ltd: <span>connected</span>", card);
        Assert.Contains("No fund in a program of this period.", WebUtility.HtmlDecode(await viewer.GetStringAsync("/console/partners/quay?period=2025-q4")));

        // Another vendor's user sees none of it, and no figure of this program.
        var other = await kit.App.SignedInAsync("fabrikam", VendorRole.VendorAdmin);
        var theirs = await other.GetStringAsync("/console");
        Assert.Empty(Figures(theirs, MdfTestKit.ProgramId));
        Assert.DoesNotContain("Partner MDF Q1 2026", theirs);
        Assert.DoesNotContain(waiting.Id, theirs);
        Assert.Contains("No MDF program runs in this period.", theirs);
    }
}
