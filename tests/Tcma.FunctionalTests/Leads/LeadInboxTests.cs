using System.Net;
using System.Text.RegularExpressions;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using static Tcma.FunctionalTests.Leads.LeadRoutingSupport;

namespace Tcma.FunctionalTests.Leads;

/// <summary>
/// The partner's lead inbox: only the partner's own leads (never another partner's, never another vendor's, even a
/// partner with the same id), and the status moves Accepted, Working, Won or Lost from there, each reaching the CRM queue.
/// </summary>
public sealed partial class LeadInboxTests
{
    private const string Vendor = "contoso";
    private const string OtherVendor = "litware";

    private static string[] LeadsOn(string page) => [.. DataLead().Matches(page).Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task A_partner_sees_only_its_own_leads_and_a_link_for_anything_else_does_not_open_the_inbox()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor,
            Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example", country: "DE"),
            Partner("bravo", "Bravo SARL", $"bravo-{tag}@partner.example", country: "FR"));
        await SeedAsync(app, OtherVendor, Partner("alpha", "Alpha GmbH (other vendor)", $"alpha2-{tag}@partner.example", country: "DE"));
        var mine = await CaptureAsync(await ApiAsync(app, Vendor), Vendor, country: "DE");
        var bravos = await CaptureAsync(await ApiAsync(app, Vendor), Vendor, country: "FR");
        var otherVendors = await CaptureAsync(await ApiAsync(app, OtherVendor), OtherVendor, country: "DE");
        await LeadWhenAsync(app, Vendor, mine, l => l.PartnerId == "alpha");
        await LeadWhenAsync(app, Vendor, bravos, l => l.PartnerId == "bravo");
        await LeadWhenAsync(app, OtherVendor, otherVendors, l => l.PartnerId == "alpha");

        var inbox = "/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "alpha", LeadRoutingService.InboxPurpose));
        var page = await app.Anonymous().GetStringAsync(inbox);
        Assert.Equal([mine], LeadsOn(page));
        Assert.Contains("&lt;b&gt;Silva&lt;/b&gt;", page);

        // A launch link is a partner link too, but it does not open the lead inbox; nor does no link at all.
        var launch = await app.Anonymous().GetAsync("/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "alpha", TokenPurposes.Launch)));
        Assert.Equal(HttpStatusCode.Forbidden, launch.StatusCode);
        Assert.Empty(LeadsOn(await launch.Content.ReadAsStringAsync()));
        var none = await app.Anonymous().GetAsync("/partner/leads");
        Assert.Equal(HttpStatusCode.Redirect, none.StatusCode);

        // Acting on a lead it does not hold is refused the same way as a lead that does not exist.
        var routing = Routing(app);
        Assert.IsType<LeadAnswer.Invalid>(await routing.AnswerFromInboxAsync(Vendor, "alpha", bravos, accept: true, null, default));
        Assert.IsType<LeadAnswer.Invalid>(await routing.AnswerFromInboxAsync(Vendor, "alpha", otherVendors, accept: true, null, default));
        Assert.IsType<LeadAnswer.Invalid>(await routing.ProgressAsync(Vendor, "alpha", "lead-does-not-exist", new LeadStatus.Working(), default));
        Assert.Equal("bravo", (await StateAsync(app, Vendor, bravos)).Routing.Holder);

        // Vendors are just as separate: the other vendor's console neither lists nor opens this vendor's lead.
        var otherConsole = await app.SignedInAsync(OtherVendor, VendorRole.Finance);
        var foreign = await otherConsole.GetAsync($"/console/leads/{mine}");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.DoesNotContain("Silva", await foreign.Content.ReadAsStringAsync());
        var otherList = await otherConsole.GetStringAsync("/console/leads");
        Assert.Contains(otherVendors, otherList);
        Assert.DoesNotContain(mine, otherList);

        // Posting another lead's form through one's own inbox does nothing to it.
        var (_, posted) = await PostFormAsync(app.Anonymous(), inbox, $"lead-{bravos}", new() { ["action"] = "accept" });
        Assert.DoesNotContain(bravos, LeadsOn(posted));
        Assert.Equal(RoutingPhase.AwaitingAcceptance, (await StateAsync(app, Vendor, bravos)).Routing.Phase);
    }

    [Fact]
    public async Task From_the_inbox_a_partner_accepts_works_and_wins_a_lead_and_bad_updates_are_refused_with_the_reason()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor, Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example"));
        var leadId = await CaptureAsync(await ApiAsync(app, Vendor), Vendor);
        await LeadWhenAsync(app, Vendor, leadId, l => l.PartnerId == "alpha");
        var inbox = "/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "alpha", LeadRoutingService.InboxPurpose));
        var browser = app.Anonymous();
        var form = $"lead-{leadId}";

        var (_, accepted) = await PostFormAsync(browser, inbox, form, new() { ["action"] = "accept" });
        Assert.Contains("Saved: the lead is now Accepted", accepted);
        var (_, early) = await PostFormAsync(browser, inbox, form, new() { ["action"] = "lost" });
        Assert.Contains("Lost needs a reason", early);
        var (_, working) = await PostFormAsync(browser, inbox, form, new() { ["action"] = "working" });
        Assert.Contains("Saved: the lead is now Working", working);
        var (badResponse, badCurrency) = await PostFormAsync(browser, inbox, form, new() { ["action"] = "won", ["amount"] = "12500.50", ["currency"] = "E1" });
        Assert.Contains("three-letter currency", badCurrency);
        Assert.Equal(HttpStatusCode.Conflict, badResponse.StatusCode);
        var (_, won) = await PostFormAsync(browser, inbox, form, new() { ["action"] = "won", ["amount"] = "12500.50", ["currency"] = "eur" });
        Assert.Contains("Saved: the lead is now Won", won);
        Assert.Contains("12500.5 EUR", won);

        var lead = await LeadWhenAsync(app, Vendor, leadId, l => l.Status is LeadStatus.Won);
        Assert.Equal(new LeadStatus.Won(12500.50m, "EUR"), lead.Status);
        // Won is final: the inbox offers no more changes, and one sent anyway is refused.
        Assert.DoesNotContain("<form", await browser.GetStringAsync(inbox));
        var late = Assert.IsType<LeadAnswer.Refused>(await Routing(app).ProgressAsync(Vendor, "alpha", leadId, new LeadStatus.Lost("changed mind"), default));
        Assert.Contains("final", late.Reason);
        Assert.Equal(new LeadStatus.Won(12500.50m, "EUR"), (await StateAsync(app, Vendor, leadId)).Status);

        var crm = (await CrmAsync(app)).Select(c => (c.Change.EventType, c.Change.Reason)).ToList();
        Assert.Equal([CrmEventTypes.Created, CrmEventTypes.Assigned, CrmEventTypes.Accepted, CrmEventTypes.Working, CrmEventTypes.Won], crm.Select(c => c.EventType));
        Assert.Equal("12500.50 EUR", crm[^1].Reason);
    }

    [GeneratedRegex("data-lead=\"([^\"]+)\"")]
    private static partial Regex DataLead();
}
