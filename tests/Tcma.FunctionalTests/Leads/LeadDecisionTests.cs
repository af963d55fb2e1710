using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Workflows;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Workflows;
using static Tcma.FunctionalTests.Leads.LeadRoutingSupport;

namespace Tcma.FunctionalTests.Leads;

/// <summary>
/// Accept and Reject links: a GET only asks (mail scanners follow links), the POST acts once; replayed, forged and
/// other partners' links get a page that says nothing; and when two partners click at the same moment only the holder wins.
/// </summary>
public sealed class LeadDecisionTests
{
    private const string Vendor = "wingtip";

    private static async Task<(TcmaAppFactory App, string LeadId, string Holder, string Other, string Tag)> OfferedAsync()
    {
        var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor,
            Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"),
            Partner("bravo", "Bravo AG", $"bravo-{tag}@partner.example"));
        var leadId = await CaptureAsync(await ApiAsync(app, Vendor), Vendor);
        var state = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        var holder = state.Routing.Holder!;
        return (app, leadId, holder, holder == "alpha" ? "bravo" : "alpha", tag);
    }

    [Fact]
    public async Task Opening_the_accept_link_changes_nothing_the_button_accepts_and_a_replay_learns_nothing()
    {
        var (app, leadId, holder, _, tag) = await OfferedAsync();
        await using var _ = app;
        var link = await LinkFromEmailAsync(app, $"{holder}-{tag}@partner.example", "Accept");
        var browser = app.Anonymous();

        // A mail scanner (or the partner) opens the link twice: a question, not an answer.
        for (var i = 0; i < 2; i++)
        {
            var page = await browser.GetStringAsync(link);
            Assert.Contains("Accept this lead?", page);
        }
        Assert.Equal(RoutingPhase.AwaitingAcceptance, (await StateAsync(app, Vendor, leadId)).Routing.Phase);

        var (response, body) = await PostFormAsync(browser, link, "answer");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The lead is yours", body);
        Assert.Contains("/partner/leads?t=", body);
        Assert.Equal((RoutingPhase.Accepted, holder), ((await StateAsync(app, Vendor, leadId)).Routing.Phase, (await StateAsync(app, Vendor, leadId)).Routing.Holder));
        Assert.IsType<LeadStatus.Accepted>((await LeadWhenAsync(app, Vendor, leadId, l => l.Status is LeadStatus.Accepted)).Status);

        // The same link again: spent.
        var (replay, replayBody) = await PostFormAsync(browser, link, "answer");
        Assert.Contains("This link can't be used", replayBody);
        Assert.Equal(HttpStatusCode.Forbidden, replay.StatusCode);
        Assert.Single(await CrmAsync(app), c => c.Change.EventType == CrmEventTypes.Accepted);

        // Forged (one character changed) and purpose-swapped links: the same neutral page, no form.
        var forged = link[..^2] + (link[^2] == 'A' ? 'B' : 'A') + link[^1];
        Assert.Contains("This link can't be used", await browser.GetStringAsync(forged));
        var launch = "/partner/leads/answer?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, holder, TokenPurposes.Launch));
        var launchPage = await browser.GetStringAsync(launch);
        Assert.Contains("This link can't be used", launchPage);
        Assert.DoesNotContain("<form", launchPage);
    }

    [Fact]
    public async Task A_reject_link_needs_a_reason_and_sends_the_lead_to_a_partner_who_never_had_it()
    {
        var (app, leadId, holder, other, tag) = await OfferedAsync();
        await using var _ = app;
        var link = await LinkFromEmailAsync(app, $"{holder}-{tag}@partner.example", "Reject");
        var browser = app.Anonymous();
        Assert.Contains("Reject this lead?", await browser.GetStringAsync(link));

        var (_, noReason) = await PostFormAsync(browser, link, "answer", new() { ["reason"] = "  " });
        Assert.Contains("A rejection needs a reason", noReason);
        Assert.Equal(RoutingPhase.AwaitingAcceptance, (await StateAsync(app, Vendor, leadId)).Routing.Phase);

        var (_, body) = await PostFormAsync(browser, link, "answer", new() { ["reason"] = "<script>alert(1)</script> not our region" });
        Assert.Contains("You rejected the lead", body);
        var next = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance && s.Routing.Hop == 2);
        Assert.Equal(other, next.Routing.Holder);
        var rejected = Assert.Single(await CrmAsync(app), c => c.Change.EventType == CrmEventTypes.Rejected);
        Assert.Equal("<script>alert(1)</script> not our region", rejected.Change.Reason);

        // The console shows the reason as text.
        var console = await app.SignedInAsync(Vendor, VendorRole.Finance);
        var page = await console.GetStringAsync($"/console/leads/{leadId}");
        Assert.Contains("already had this lead", page);
        Assert.DoesNotContain("<script>alert(1)</script>", page);
    }

    [Fact]
    public async Task Two_partners_clicking_accept_at_the_same_moment_only_the_holder_gets_the_lead()
    {
        var (app, leadId, first, second, tag) = await OfferedAsync();
        await using var _ = app;
        var firstLink = await LinkFromEmailAsync(app, $"{first}-{tag}@partner.example", "Accept");
        var routing = Routing(app);

        // The first partner opens its confirm page and leaves it open; meanwhile the vendor takes the lead back and gives
        // it to the other partner. The first partner's link is still unexpired.
        var firstBrowser = app.Anonymous();
        var firstForm = await OpenFormAsync(firstBrowser, firstLink);
        Assert.IsType<LeadAnswer.Done>(await routing.RecallAsync(Vendor, leadId, "manager", "reassigning", default));
        Assert.IsType<LeadAnswer.Done>(await routing.AssignAsync(Vendor, leadId, second, "manager", default));
        var secondLink = await LinkFromEmailAsync(app, $"{second}-{tag}@partner.example", "Accept");

        // Both confirm pages are open; both buttons are pressed at once, and each partner also races the engine directly.
        var secondBrowser = app.Anonymous();
        var secondForm = await OpenFormAsync(secondBrowser, secondLink);
        var engine = app.Services.GetRequiredService<WorkflowEngine>();
        var go = new TaskCompletionSource();
        Task<WorkflowResult> Raw(string partner, int i) => Task.Run(async () =>
        {
            await go.Task;
            return await engine.RaiseAsync(LeadRoutingWorkflow.TypeName, leadId, new WorkflowEvent($"race:{partner}:{i}", LeadRoutingEvents.Accept,
                $"partner:{partner}", JsonSerializer.Serialize(new LeadRoutingEvents.AnswerData(partner, partner), WorkflowJson.Options)));
        });
        Task<(HttpResponseMessage, string)> Click(HttpClient browser, string link, string form) =>
            Task.Run(async () => { await go.Task; return await SubmitAsync(browser, link, form, "answer"); });
        var clicks = new[] { Click(firstBrowser, firstLink, firstForm), Click(secondBrowser, secondLink, secondForm) };
        var raw = Enumerable.Range(0, 4).SelectMany(i => new[] { Raw(first, i), Raw(second, i) }).ToArray();
        go.SetResult();
        await Task.WhenAll(raw);
        var (_, firstPage) = await clicks[0];
        var (_, secondPage) = await clicks[1];

        Assert.Contains("The lead is yours", secondPage);
        Assert.Contains("This offer has ended", firstPage);
        // Opened now, the first partner's link says so before anything is pressed.
        var reopened = await app.Anonymous().GetStringAsync(firstLink);
        Assert.Contains("This offer has ended", reopened);
        Assert.DoesNotContain("<form", reopened);
        var state = await StateAsync(app, Vendor, leadId);
        Assert.Equal((RoutingPhase.Accepted, second), (state.Routing.Phase, state.Routing.Holder));
        var accepted = Assert.Single(await CrmAsync(app), c => c.Change.EventType == CrmEventTypes.Accepted);
        Assert.Equal(second, accepted.Change.PartnerId);
        var lead = await LeadWhenAsync(app, Vendor, leadId, l => l.Status is LeadStatus.Accepted);
        Assert.Equal(second, lead.PartnerId);
    }
}
