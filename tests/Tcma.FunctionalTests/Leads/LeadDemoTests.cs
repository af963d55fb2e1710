using System.Net;
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
/// The demo's leads are made by the lead services as customers and partners would make them: recorded and routed,
/// accepted after the hours each story says, rejected and re-routed, lapsed when the SLA ran out, won and lost; and a
/// second run (a restart of <c>./tcma run</c>) repeats nothing.
/// </summary>
public sealed class LeadDemoTests
{
    [Fact]
    public async Task The_demo_leads_are_in_every_state_through_the_real_workflow_and_seeding_again_repeats_nothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var vendor = "demo" + Guid.NewGuid().ToString("N")[..6];
        // Partners where the demo's customers are; two in Germany and France, where a lead moves on to a second partner.
        await SeedAsync(app, vendor, [.. new[] { "DE", "DE", "FR", "FR", "GB", "NL", "CA", "US" }.Select((country, i) =>
            Partner($"p{i}-{country.ToLowerInvariant()}", $"Partner {i} {country}", $"sales{i}@partner{i}.example", country: country))]);
        var demo = app.Services.GetRequiredService<LeadDemo>();
        await demo.SeedAsync(vendor, default);
        string Id(int story) => LeadStore.LeadId(vendor, LeadDemo.SubmissionId(story));

        // Won and lost after acceptance, at the amounts and reasons of their stories.
        var won = await WaitForAsync(app, vendor, Id(0), s => s.Status is LeadStatus.Won);
        Assert.Equal(new LeadStatus.Won(15_000m, "USD"), won.Status);
        var acceptance = (await CrmAsync(app)).Single(n => n.Change.LeadId == Id(0) && n.Change.EventType == CrmEventTypes.Accepted);
        Assert.Equal(TimeSpan.FromHours(1.5), acceptance.Change.At - acceptance.Change.OfferedAt);
        Assert.IsType<LeadStatus.Lost>((await WaitForAsync(app, vendor, Id(1), s => s.Status is LeadStatus.Lost)).Status);
        Assert.IsType<LeadStatus.Accepted>((await StateAsync(app, vendor, Id(2))).Status);

        // Rejected by the first partner with its reason, then accepted by the next one.
        var rerouted = await WaitForAsync(app, vendor, Id(3), s => s.Status is LeadStatus.Accepted);
        Assert.Equal(2, rerouted.Routing.Hop);
        Assert.NotEqual(rerouted.Routing.Offers[0].PartnerId, rerouted.PartnerId);

        // Captured 2.2 days ago and never answered: the 48-hour SLA has run out, so the sweeper moves it on.
        Assert.Equal(1, (await StateAsync(app, vendor, Id(6))).Routing.Hop);
        await SweepAsync(app);
        var lapsed = await WaitForAsync(app, vendor, Id(6), s => s.Routing is { Hop: 2, Phase: RoutingPhase.AwaitingAcceptance });
        Assert.NotEqual(lapsed.Routing.Offers[0].PartnerId, lapsed.Routing.Holder);

        // Hours old: still waiting for the partner's answer, with most of the SLA left.
        var waiting = await StateAsync(app, vendor, Id(8));
        Assert.Equal(RoutingPhase.AwaitingAcceptance, waiting.Routing.Phase);
        Assert.True(waiting.Routing.SlaDueAt > clock.GetUtcNow().AddHours(40));

        var before = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => StateAsync(app, vendor, Id(i))));
        var notifications = (await CrmAsync(app)).Count;
        await demo.SeedAsync(vendor, default);
        var after = await Task.WhenAll(Enumerable.Range(0, 9).Select(i => StateAsync(app, vendor, Id(i))));
        Assert.Equal(before.Select(s => (s.Status, s.Routing.Hop, s.Routing.Offers.Count)), after.Select(s => (s.Status, s.Routing.Hop, s.Routing.Offers.Count)));
        Assert.Equal(9, (await app.Services.GetRequiredService<LeadStore>().ListAsync(vendor, null, 100, default)).Count);
        Assert.Equal(notifications, (await CrmAsync(app)).Count);

        // The console's lead list shows them.
        var console = await app.SignedInAsync(vendor, VendorRole.ChannelManager);
        var page = WebUtility.HtmlDecode(await console.GetStringAsync("/console/leads"));
        Assert.Contains("Contoso GmbH", page);
        Assert.Contains("Woodgrove Ltd", page);
    }
}
