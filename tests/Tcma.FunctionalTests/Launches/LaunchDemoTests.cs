using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Functions.Launches;
using Tcma.Storage.Launches;

namespace Tcma.FunctionalTests.Launches;

/// <summary>
/// The demo partner's real launches, made through the launch service from its invitations: the second and third
/// sample kits launched with their contacts, one of them paused, the first kit's invitation left open for a newcomer;
/// seeding again (a restart) launches nothing more.
/// </summary>
public sealed class LaunchDemoTests
{
    private static readonly string Samples = Path.Combine(RepoPaths.Root, "campaign-templates");

    [Fact]
    public async Task The_demo_partner_launches_two_sample_kits_one_paused_and_seeding_again_launches_nothing_more()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var vendor = "demo" + Guid.NewGuid().ToString("N")[..6];
        var loaded = await app.Services.GetRequiredService<SampleData>().LoadAsync(Samples, vendor);
        var kits = loaded.Select(l => l.Split(' ')).Select(p => (p[0], p[1])).ToList();
        var demo = app.Services.GetRequiredService<LaunchDemo>();
        await demo.SeedAsync(vendor, SampleData.DemoPartnerFolder, kits, default);

        var store = app.Services.GetRequiredService<LaunchStore>();
        var service = app.Services.GetRequiredService<LaunchService>();
        var launched = await store.PartnerLaunchesAsync(vendor, SampleData.DemoPartnerFolder, default);
        Assert.Equal(kits.Skip(1).Select(k => k.Item1).Order(), launched.Select(l => l.KitId).Order());
        var states = new Dictionary<string, LaunchStatus>();
        foreach (var l in launched) states[l.KitId] = (await service.StateAsync(vendor, l.LaunchId, default))!.Status;
        Assert.Equal(LaunchStatus.Running, states[kits[1].Item1]);
        Assert.Equal(LaunchStatus.Paused, states[kits[2].Item1]);
        var record = (await store.LaunchAsync(vendor, launched[0].LaunchId, default))!;
        Assert.Equal(5, record.Contacts);
        Assert.True(record.Email);

        // The first kit is the newcomer's to launch: invited, not launched.
        var invitations = await store.InvitationsAsync(vendor, default);
        Assert.DoesNotContain(invitations, i => i.KitId == kits[0].Item1 && i.LaunchId is not null);

        await demo.SeedAsync(vendor, SampleData.DemoPartnerFolder, kits, default);
        Assert.Equal(launched.Select(l => l.LaunchId).Order(), (await store.PartnerLaunchesAsync(vendor, SampleData.DemoPartnerFolder, default)).Select(l => l.LaunchId).Order());
        Assert.Equal(invitations.Count, (await store.InvitationsAsync(vendor, default)).Count);
        Assert.Equal(LaunchStatus.Paused, (await service.StateAsync(vendor, launched.Single(l => l.KitId == kits[2].Item1).LaunchId, default))!.Status);
    }
}
