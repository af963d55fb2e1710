using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using static Tcma.FunctionalTests.Leads.LeadRoutingSupport;

namespace Tcma.FunctionalTests.Dashboards;

/// <summary>
/// The home page's leads and SLA figures come from the lead workflow's own announcements, on a fake clock through the
/// real engine and sweeper: an acceptance two hours after its offer is timed in the 1-4 hour band for its partner's
/// tier, a lapse is counted as lapsed and re-routed, and the pool as the pool.
/// </summary>
public sealed partial class LeadSlaDashboardTests
{
    private const string Vendor = "tailspin";

    [GeneratedRegex("""data-figure="([\w-]+)">([^<]+)<""")]
    private static partial Regex FigureRegex();

    private static async Task<Dictionary<string, string>> FiguresAsync(HttpClient console) =>
        FigureRegex().Matches(WebUtility.HtmlDecode(await console.GetStringAsync("/console"))).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    private static async Task<Dictionary<string, string>> EventuallyAsync(HttpClient console, Func<Dictionary<string, string>, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var figures = await FiguresAsync(console);
            if (done(figures) || i == 150) return figures;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task An_acceptance_is_timed_from_its_offer_and_a_lapse_and_the_pool_are_counted_once_each()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var tag = Guid.NewGuid().ToString("N")[..8];
        await SeedAsync(app, Vendor, Partner("alpha", "Alpha GmbH", $"alpha-{tag}@partner.example", tier: "Gold"));
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync($"/api/vendors/{Vendor}/lead-routing",
            new { slaHours = 48, reminderHoursBeforeEnd = Array.Empty<int>(), maxHops = 1 })).StatusCode);
        var api = await ApiAsync(app, Vendor);

        var accepted = await CaptureAsync(api, Vendor);
        await WaitForAsync(app, Vendor, accepted, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        clock.Advance(TimeSpan.FromHours(2));
        Assert.IsType<LeadAnswer.Done>(await Routing(app).AnswerFromInboxAsync(Vendor, "alpha", accepted, accept: true, null, default));
        var figures = await EventuallyAsync(admin, f => f.GetValueOrDefault("lead-LeadAccepted") == "1" && f.ContainsKey("accept-median"));
        Assert.Equal("1", figures["lead-LeadCaptured"]);
        Assert.Equal("1", figures["lead-LeadAccepted"]);
        Assert.Equal("1 to 4 hours", figures["accept-median"]);
        Assert.Equal("0", figures["lead-LeadLapsed"]);

        // One partner, one hop: the next lead lapses and goes to the vendor's pool.
        var lapsed = await CaptureAsync(api, Vendor);
        await WaitForAsync(app, Vendor, lapsed, s => s.Routing.Phase == RoutingPhase.AwaitingAcceptance);
        clock.Advance(TimeSpan.FromHours(48) + TimeSpan.FromMinutes(1));
        await SweepAsync(app);
        await WaitForAsync(app, Vendor, lapsed, s => s.Routing.Phase == RoutingPhase.InVendorPool);
        admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin); // two days on, the first console session has expired
        figures = await EventuallyAsync(admin, f => f.GetValueOrDefault("lead-LeadPooled") == "1" && f.GetValueOrDefault("lead-LeadLapsed") == "1");
        Assert.Equal("2", figures["lead-LeadCaptured"]);
        Assert.Equal("1", figures["lead-LeadLapsed"]);
        Assert.Equal("1", figures["lead-LeadPooled"]);
        Assert.Equal("1", figures["lead-LeadAccepted"]);

        // The Gold tier's row: both offers were Alpha's, one accepted in 1-4 hours, one lapsed.
        var html = WebUtility.HtmlDecode(await admin.GetStringAsync("/console"));
        var gold = Regex.Match(html, "<tr data-tier=\"Gold\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(["Gold", "1", "0", "1", "50%", "1 to 4 hours"], Regex.Matches(gold, "<t[hd][^>]*>([^<]*)</t[hd]>").Select(m => m.Groups[1].Value).ToArray());

        // Announcements are delivered at least once: the dashboards count the acceptance's notification once however often.
        var notifications = await CrmAsync(app);
        var acceptance = notifications.Single(n => n.Change.EventType == CrmEventTypes.Accepted);
        Assert.Equal(TimeSpan.FromHours(2), acceptance.Change.At - acceptance.Change.OfferedAt);
        var dashboards = app.Services.GetService(typeof(Tcma.Functions.Dashboards.DashboardService)) as Tcma.Functions.Dashboards.DashboardService;
        Assert.False(await dashboards!.CountLeadChangeAsync(Vendor, acceptance.EventId, acceptance.Change, default));
        Assert.Equal("1", (await FiguresAsync(admin))["lead-LeadAccepted"]);
    }
}
