using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>Approvals from the email's buttons: a confirm page that a GET never acts on, links that work once, for one approver and one step.</summary>
public sealed class MdfApprovalTests
{
    [Fact]
    public async Task An_approver_approves_from_the_email_through_the_confirm_page_and_the_link_then_works_no_more()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        var links = await kit.LinksAsync(kit.ChannelManager, request.Id);

        // Mail scanners open links: a GET shows the confirm page and changes nothing.
        var client = kit.App.Anonymous();
        for (var i = 0; i < 2; i++)
        {
            var page = await client.GetAsync(links["Approve"]);
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("Confirm: Approve", await page.Content.ReadAsStringAsync());
        }
        Assert.Equal(FundRequestStatus.PendingApproval, (await kit.RequestAsync(request.Id)).Status);

        client.DefaultRequestHeaders.UserAgent.ParseAdd("ApproverPhone/1.0");
        var (status, html) = await kit.ConfirmAsync(links["Approve"], client: client);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("Approved", html);
        var approved = await kit.RequestAsync(request.Id);
        Assert.Equal(FundRequestStatus.Approved, approved.Status);
        Assert.Equal(new DateOnly(2026, 4, 4), approved.ClaimDeadline);

        // The vendor's view records who, when and from where.
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var audit = await admin.GetFromJsonAsync<RequestView>($"/api/vendors/{kit.Vendor}/mdf/requests/{request.Id}", MdfJson.Options);
        var decision = audit!.History.Single(h => h.What.StartsWith("approved"));
        Assert.Equal(kit.ChannelManager.UserId, decision.By);
        Assert.Equal(MdfTestKit.Start, decision.At);
        Assert.Contains("ApproverPhone/1.0", decision.From);

        // Replayed: the same link again, and another button of the same (decided) step.
        var replay = await client.PostAsync(links["Approve"], new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.GetAsync(links["Reject with reason"])).StatusCode);
        var late = await client.PostAsync(links["Reject with reason"], new FormUrlEncodedContent(new Dictionary<string, string> { ["text"] = "changed my mind" }));
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal(FundRequestStatus.Approved, (await kit.RequestAsync(request.Id)).Status);
        Assert.Equal(MdfTestKit.Usd(2_000m), (await kit.FiguresAsync()).Reserved);
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task Forged_expired_and_wrong_approver_links_are_refused_and_change_nothing()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        var links = await kit.LinksAsync(kit.ChannelManager, request.Id);
        var client = kit.App.Anonymous();

        var token = links["Approve"]["/mdf/act/".Length..];
        var forged = "/mdf/act/" + token[..^3] + (token[^3..] == "AAA" ? "BBB" : "AAA");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync(forged, new FormUrlEncodedContent([]))).StatusCode);
        // A partner's own link is signed by us too, but not for this purpose.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/mdf/act/" + kit.PartnerToken, new FormUrlEncodedContent([]))).StatusCode);

        // Someone who is not the approver of this step, even signed in as an MDF approver of the vendor.
        var links2 = kit.App.Services.GetRequiredService<MdfLinks>();
        var intruder = links2.ActionPath(kit.Vendor, new ActionLink(MdfSubjectKind.Request, request.Id, request.Step, LinkPurpose.Approve, kit.Director.UserId));
        var (status, html) = await kit.ConfirmAsync(intruder);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("approval.wrong_approver", html);
        var backup = links2.ActionPath(kit.Vendor, new ActionLink(MdfSubjectKind.Request, request.Id, request.Step, LinkPurpose.Approve, kit.ChannelManagerBackup.UserId));
        Assert.Contains("approval.backup_not_escalated", (await kit.ConfirmAsync(backup)).Html);
        var director = await kit.App.SignedInAsync(kit.Vendor, VendorRole.MdfApprover, kit.Director.Email);
        var api = await director.PostAsync($"/api/vendors/{kit.Vendor}/mdf/requests/{request.Id}/decisions", MdfTestKit.Json(new { step = request.Step, action = "approve" }));
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);

        // Expired: the clock moves past the link's life (approval links live 14 days; the request expires first at its start).
        kit.Clock.Advance(TimeSpan.FromDays(15));
        Assert.Equal(HttpStatusCode.Gone, (await client.GetAsync(links["Approve"])).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await client.PostAsync(links["Approve"], new FormUrlEncodedContent([]))).StatusCode);
        Assert.Equal(FundRequestStatus.PendingApproval, (await kit.RequestAsync(request.Id)).Status);
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task Reminder_then_escalation_to_the_backup_and_when_both_act_at_once_one_wins()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        await kit.LinksAsync(kit.ChannelManager, request.Id);

        kit.Clock.Advance(TimeSpan.FromDays(2));
        await kit.SweepAsync();
        var reminders = await kit.App.Inbox.WaitForAsync(kit.ChannelManager.Email, 2);
        Assert.Contains(reminders, m => m.Subject!.StartsWith("Reminder:"));

        kit.Clock.Advance(TimeSpan.FromDays(3));
        await kit.SweepAsync();
        var backupLinks = await kit.LinksAsync(kit.ChannelManagerBackup, request.Id);
        var mainLinks = await kit.LinksAsync(kit.ChannelManager, request.Id, 2);

        // The approver approves 1,500 while the backup rejects, at the same moment: exactly one decision lands.
        var results = await Task.WhenAll(
            kit.ConfirmAsync(mainLinks["Approve a lower amount"], new() { ["amount"] = "1500" }),
            kit.ConfirmAsync(backupLinks["Reject with reason"], new() { ["text"] = "Budget moved to Q2" }));
        Assert.Single(results, r => r.Status == HttpStatusCode.OK);
        Assert.Single(results, r => r.Status == HttpStatusCode.Conflict);
        var after = await kit.RequestAsync(request.Id);
        Assert.Single(after.History, h => h.What.StartsWith("approved") || h.What.StartsWith("rejected"));
        Assert.Contains(after.History, h => h.What.StartsWith("escalated to Cleo Backup"));
        var figures = await kit.FiguresAsync();
        Assert.Equal(after.Status == FundRequestStatus.Approved ? MdfTestKit.Usd(1_500m) : MdfTestKit.Usd(0m), figures.Reserved);
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task Partial_approval_releases_the_difference_and_a_question_goes_to_the_partner_and_resumes_the_step()
    {
        await using var kit = await MdfTestKit.StartAsync();
        // 6,000 of digital advertising needs the channel manager and then the marketing director.
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal("6000", "6000", activity: "digital"));
        var cm = await kit.LinksAsync(kit.ChannelManager, request.Id);

        var (asked, _) = await kit.ConfirmAsync(cm["Ask for information"], new() { ["text"] = "Which publications?" });
        Assert.Equal(HttpStatusCode.OK, asked);
        var waiting = await kit.RequestAsync(request.Id);
        Assert.Equal(FundRequestStatus.InformationRequested, waiting.Status);
        Assert.Equal("Which publications?", waiting.Question);
        Assert.Equal(MdfTestKit.Usd(6_000m), (await kit.FiguresAsync()).Reserved);
        // The old step's links are spent: the approver must wait for the partner.
        Assert.Equal(HttpStatusCode.Conflict, (await kit.ConfirmAsync(cm["Approve"])).Status);

        var answer = await kit.PartnerClient.PostAsync($"/api/partner/mdf/requests/{request.Id}/answer", MdfTestKit.Json(new { text = "The Register and Computing" }));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        var cm2 = await kit.LinksAsync(kit.ChannelManager, request.Id, 2);
        Assert.NotEqual(cm["Approve"], cm2["Approve"]);

        // The channel manager approves 5,000: the 1,000 difference is available again and 5,000 needs no director.
        var (lowered, html) = await kit.ConfirmAsync(cm2["Approve a lower amount"], new() { ["amount"] = "5,000.00" });
        Assert.Equal(HttpStatusCode.OK, lowered);
        var approved = await kit.RequestAsync(request.Id);
        Assert.Equal(FundRequestStatus.Approved, approved.Status);
        Assert.Equal(MdfTestKit.Usd(5_000m), approved.Amount);
        var figures = await kit.FiguresAsync();
        Assert.Equal(MdfTestKit.Usd(5_000m), figures.Reserved);
        Assert.Equal(MdfTestKit.Usd(15_000m), figures.Available);
        Assert.Empty(await kit.App.Inbox.ToAsync(kit.Director.Email));
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task An_approver_acts_from_the_console_through_the_same_confirm_page()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        var cm = await kit.App.SignedInAsync(kit.Vendor, VendorRole.MdfApprover, kit.ChannelManager.Email);
        var console = await cm.GetStringAsync("/console/mdf");
        Assert.Contains(request.Id, console);
        var open = await cm.GetAsync($"/console/mdf/review/request/{request.Id}/Reject");
        Assert.Equal(HttpStatusCode.Redirect, open.StatusCode);
        var (status, _) = await kit.ConfirmAsync(open.Headers.Location!.OriginalString, new() { ["text"] = "Not in our target segment" });
        Assert.Equal(HttpStatusCode.OK, status);
        var rejected = await kit.RequestAsync(request.Id);
        Assert.Equal(FundRequestStatus.Rejected, rejected.Status);
        var figures = await kit.FiguresAsync();
        Assert.True(figures.Reserved.IsZero);
        Assert.Equal(MdfTestKit.Usd(20_000m), figures.Available);
        var mails = await kit.App.Inbox.WaitForAsync(kit.PartnerEmail, 2);
        Assert.Contains(mails, m => m.Text!.Contains("Not in our target segment"));
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task A_crash_after_the_commit_before_the_release_is_booked_is_repaired_by_the_outbox_message()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var request = await kit.ProposeOkAsync(MdfTestKit.Proposal());
        // The decision commits (as MdfService does) but the process dies before it books the release itself.
        var approve = new ApproveRequest(request.Step, MdfTestKit.Usd(1_200m), new Actor(kit.ChannelManager.UserId));
        var data = new RequestEventData(kit.Vendor, request.Id, kit.Partner, kit.FundId, approve);
        await kit.Engine.RaiseAsync(MdfWorkflowTypes.FundRequest, request.Id,
            new Tcma.Domain.Workflows.WorkflowEvent("crash-1", "approve", kit.ChannelManager.UserId, MdfJson.Write(data)));
        Assert.Equal(FundRequestStatus.Approved, (await kit.RequestAsync(request.Id)).Status);

        // The release left on the outbox reaches mdf-commands and is booked there, once.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await kit.FiguresAsync()).Reserved != MdfTestKit.Usd(1_200m) && DateTime.UtcNow < deadline) await Task.Delay(200);
        var figures = await kit.FiguresAsync();
        Assert.Equal((MdfTestKit.Usd(1_200m), MdfTestKit.Usd(18_800m)), (figures.Reserved, figures.Available));
        Assert.Single(await kit.Ledger.EntriesAsync(kit.FundId), e => e.Kind == LedgerEntryKind.ReservationReleased);
        await kit.AssertLedgerExactAsync();
    }
}
