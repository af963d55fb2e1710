using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Deals;
using Tcma.Domain.Identity;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Deals;
using Tcma.Storage.Deals;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Deals;

/// <summary>The demo's deals against real Azurite: every state once, through the deal services, and a second run that changes nothing.</summary>
public sealed class DealDemoTests
{
    // Nine partners, so the one last by id is left without a registration; the tiers are mixed like the demo's.
    private static readonly (string Id, string Tier)[] Partners =
    [
        ("alder", "Silver"), ("birch", "Registered"), ("cedar", "Platinum"), ("dogwood", "Gold"), ("elm", "Silver"),
        ("fir", "Registered"), ("ginkgo", "Gold"), ("hazel", "Platinum"), ("ivy", "Gold"),
    ];

    [Fact]
    public async Task The_demo_registers_deals_in_every_state_once_and_running_it_again_changes_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var vendor = "v" + Guid.NewGuid().ToString("N")[..10];
        var directory = app.Services.GetRequiredService<PartnerDirectory>();
        foreach (var (id, tier) in Partners)
            await directory.SaveAsync(vendor, new Partner(id, $"{char.ToUpperInvariant(id[0])}{id[1..]} Systems", tier, "EMEA", "GB", [],
                [new PartnerContact("Pat Partner", $"owner@{id}.{vendor}.example", "Owner", true)], PartnerStatus.Active), "test", DateTimeOffset.UtcNow);
        var demo = app.Services.GetRequiredService<DealDemo>();
        var engine = app.Services.GetRequiredService<WorkflowEngine>();
        string Id(int n) => DealWorkflowTypes.StableId(vendor, Partners[n - 1].Id, $"demo-deal-{n}");

        var started = DateTime.UtcNow;
        await demo.SeedAsync(vendor, default);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(20), $"the demo took {DateTime.UtcNow - started}");

        // The queue tells the first Northwind registration that the second waits behind it; then nothing moves any more.
        await DealTestKit.EventuallyAsync(() => engine.GetDealAsync(Id(1)), s => s!.Waiters.Contains(Id(6)));
        var before = await SnapshotAsync(engine, Id);

        var s = before.Select(x => x.State).ToList();
        Assert.Equal([DealStatus.PendingApproval, DealStatus.PendingApproval, DealStatus.Approved, DealStatus.Won, DealStatus.Lost,
            DealStatus.Queued, DealStatus.Approved, DealStatus.PendingApproval], s.Select(x => x.Status));
        Assert.Equal(Partners.Take(8).Select(p => p.Id), s.Select(x => x.PartnerId));
        Assert.All(s, x => Assert.Equal(1, x.Rules!.Version));
        Assert.All(s, x => Assert.True(x.Registration!.ExpectedClose > Tcma.Domain.Mdf.Days.Of(DateTimeOffset.UtcNow)));
        Assert.All(s.Where(x => x.Status == DealStatus.PendingApproval), x => Assert.Contains(x.Approval!.Approvers, a => a.UserId == "dev:" + DealDemo.Approver));
        Assert.Equal(DealStage.Qualified, s[2].Stage);
        Assert.NotNull(s[2].ProtectedUntil);
        Assert.Equal(DealTestKit.Usd(68_500m), s[3].WonAmount);
        Assert.Equal("The customer kept its current firewall vendor for another year.", s[4].Reason);
        Assert.Equal(Id(1), s[5].BlockedBy);
        Assert.Contains(s[5].Evidence, e => e.Id == Id(1) && e.SameOpportunity);
        Assert.Equal(DealStage.Proposal, s[6].Stage);
        Assert.Equal(DealTestKit.Usd(1_250_000m), s[7].Registration!.EstimatedValue);

        await demo.SeedAsync(vendor, default);
        await Task.Delay(TimeSpan.FromSeconds(2)); // anything a second run left on the queue would have moved by now
        Assert.Equal(before.Select(x => (x.State.Status, x.Version, x.State.History.Count)), (await SnapshotAsync(engine, Id)).Select(x => (x.State.Status, x.Version, x.State.History.Count)));
        var versions = await app.Services.GetRequiredService<DealRulesStore>().VersionsAsync(vendor);
        Assert.Equal([1], versions.Select(v => v.Version));
        Assert.Equal(DealDemo.PublishedBy, versions[0].PublishedBy);

        var listed = await DealTestKit.EventuallyAsync(() => app.Services.GetRequiredService<DealList>().ListAsync(vendor),
            l => l.Count == 8 && l.All(d => d.Status == before.Single(b => b.State.RegistrationId == d.RegistrationId).State.Status));
        Assert.DoesNotContain(listed, d => d.PartnerId == "ivy");

        using var manager = await app.SignedInAsync(vendor, VendorRole.ChannelManager);
        var page = await manager.GetStringAsync("/console/deals");
        Assert.Contains("Rules of engagement, version 1", page);
        Assert.Contains("Registrations (8)", page);
        foreach (var n in Enumerable.Range(1, 8)) Assert.Contains($"data-deal=\"{Id(n)}\"", page);
        foreach (var company in new[] { "Northwind Traders", "Fabrikam Inc", "Contoso Pharmaceuticals", "Adventure Works Cycles", "Litware Inc", "Tailspin Toys", "Woodgrove Bank" })
            Assert.Contains(company, page);
        Assert.Contains("waiting behind another registration", page);
        Assert.Contains("68,500", page);
    }

    private static async Task<List<(DealState State, long Version)>> SnapshotAsync(WorkflowEngine engine, Func<int, string> id)
    {
        var list = new List<(DealState, long)>();
        foreach (var n in Enumerable.Range(1, 8))
            list.Add(await engine.GetDealWithVersionAsync(id(n)) ?? throw new Xunit.Sdk.XunitException($"no registration demo-deal-{n}"));
        return list;
    }
}
