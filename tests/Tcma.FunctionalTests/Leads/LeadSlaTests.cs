using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;
using static Tcma.FunctionalTests.Leads.LeadRoutingSupport;

namespace Tcma.FunctionalTests.Leads;

/// <summary>
/// The accept-or-lose-it SLA on a fake clock, through the real workflow engine and its sweeper: reminders before the end,
/// a lapse moves the lead to a partner who never had it, the last lapse puts it in the vendor's pool, and the vendor
/// hands it on by hand. A late Accept is refused with the reason.
/// </summary>
public sealed class LeadSlaTests
{
    private const string Vendor = "tailspin";

    [Fact]
    public async Task Reminders_then_a_lapse_reroute_to_a_new_partner_and_the_last_lapse_goes_to_the_vendors_pool()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var tag = Guid.NewGuid().ToString("N")[..8];
        string Email(string partner) => $"{partner}-{tag}@partner.example";
        await SeedAsync(app, Vendor, Partner("alpha", "Alpha GmbH", Email("alpha")), Partner("bravo", "Bravo AG", Email("bravo")));
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing",
            new { slaHours = 48, reminderHoursBeforeEnd = new[] { 24, 4 }, maxHops = 2 })).StatusCode);

        var leadId = await CaptureAsync(await ApiAsync(app, Vendor), Vendor);
        var first = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        var h1 = first.Routing.Holder!;
        var h2 = h1 == "alpha" ? "bravo" : "alpha";
        var acceptLink = await LinkFromEmailAsync(app, Email(h1), "Accept");

        clock.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await SweepAsync(app);
        var mails = await MailsAsync(app, Email(h1), 2);
        Assert.StartsWith("Reminder: accept your lead by", mails[^1].Subject);

        clock.Advance(TimeSpan.FromHours(20));
        await SweepAsync(app);
        await MailsAsync(app, Email(h1), 3);

        // The time is up but the sweeper has not run yet: the partner's Accept is refused, with the reason.
        clock.Advance(TimeSpan.FromHours(4));
        var late = Assert.IsType<LeadAnswer.Refused>(await Routing(app).AnswerFromInboxAsync(Vendor, h1, leadId, accept: true, null, default));
        Assert.Contains("time to accept ended", late.Reason);
        // The emailed link has expired with the offer: it says so and changes nothing.
        var anonymous = app.Anonymous();
        var expired = await anonymous.GetStringAsync(acceptLink);
        Assert.Contains("The time to answer this offer has ended", expired);
        Assert.DoesNotContain("<form", expired);

        await SweepAsync(app);
        var second = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance && s.Routing.Hop == 2);
        Assert.Equal(h2, second.Routing.Holder);
        var withdrawn = await MailsAsync(app, Email(h1), 4);
        Assert.StartsWith("A lead was taken back", withdrawn[^1].Subject);
        await MailsAsync(app, Email(h2));
        var decisions = await app.Services.GetRequiredService<LeadRoutingStore>().DecisionsAsync(Vendor, leadId, default);
        Assert.Contains("already had this lead", string.Join("\n", decisions[1].Trail));
        Assert.Equal(h2, (await LeadWhenAsync(app, Vendor, leadId, l => l.PartnerId == h2)).PartnerId);

        // The second partner lets it lapse too: two partners tried, the lead goes to the vendor's pool.
        clock.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(1));
        await SweepAsync(app);
        var pooled = await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.InVendorPool);
        Assert.Null(pooled.Routing.Holder);
        var lead = await LeadWhenAsync(app, Vendor, leadId, l => l.Status is LeadStatus.Recalled);
        Assert.Null(lead.PartnerId);

        // The partner who lapsed cannot see it any more; the vendor hands it on by hand from the pool.
        Assert.IsType<LeadAnswer.Invalid>(await Routing(app).ProgressAsync(Vendor, h2, leadId, new LeadStatus.Working(), default));
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var (response, page) = await PostFormAsync(manager, $"/console/leads/{leadId}", "assign", new() { ["partner"] = h1 });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"The lead was offered to {h1}", page);
        var third = await StateAsync(app, Vendor, leadId);
        Assert.Equal((RoutingPhase.AwaitingAcceptance, h1, 3), (third.Routing.Phase, third.Routing.Holder, third.Routing.Hop));

        var crm = (await CrmAsync(app)).Select(c => c.Change.EventType).ToList();
        Assert.Equal(
            [CrmEventTypes.Created, CrmEventTypes.Assigned, CrmEventTypes.SlaExpired, CrmEventTypes.Assigned,
             CrmEventTypes.SlaExpired, CrmEventTypes.VendorPool, CrmEventTypes.Assigned], crm);
    }

    [Fact]
    public async Task A_recall_takes_the_lead_back_at_once_and_stale_timers_of_the_old_offer_change_nothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor, Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"));
        var leadId = await CaptureAsync(await ApiAsync(app, Vendor), Vendor);
        await WaitForAsync(app, Vendor, leadId, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);

        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var (_, page) = await PostFormAsync(manager, $"/console/leads/{leadId}", "recall", new() { ["reason"] = "customer asked for us directly" });
        Assert.Contains("The lead was recalled", page);
        var recalled = await StateAsync(app, Vendor, leadId);
        Assert.Equal(RoutingPhase.Recalled, recalled.Routing.Phase);
        await MailsAsync(app, $"alpha-{tag}@partner.example", 2);

        // The old offer's reminder and expiry come due: nothing happens, nobody is emailed again.
        clock.Advance(TimeSpan.FromHours(49));
        await SweepAsync(app);
        var after = await StateAsync(app, Vendor, leadId);
        Assert.Equal(RoutingPhase.Recalled, after.Routing.Phase);
        Assert.Equal(2, Distinct(await app.Inbox.ToAsync($"alpha-{tag}@partner.example")).Count);

        // Only an active partner of the vendor can get it by hand, and a finance user cannot recall. (Sign in again: the clock moved on.)
        manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var (_, empty) = await PostFormAsync(manager, $"/console/leads/{leadId}", "assign", new() { ["partner"] = "nobody-here" });
        Assert.Contains("is not an active partner of yours", empty);
        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);
        Assert.DoesNotContain("Recall the lead", await finance.GetStringAsync($"/console/leads/{leadId}"));
    }
}
