using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Launches;
using Tcma.Storage.Launches;

namespace Tcma.FunctionalTests.Launches;

/// <summary>
/// Sending rates on the fake clock: emails over the rate are not dropped but re-queued for their booked slot, and go
/// as the clock reaches it.
/// </summary>
public sealed class CampaignMailThrottleTests
{
    private static async Task<int> SentAsync(CampaignMailTestApp app, string launchId) =>
        (await app.Services.GetRequiredService<CampaignSendLog>().SummariseAsync(CampaignMailTestApp.Vendor, launchId)).Count(CampaignSendState.Sent);

    private static async Task WaitForSentAsync(CampaignMailTestApp app, string launchId, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await SentAsync(app, launchId) < count)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{await SentAsync(app, launchId)} of {count} sent");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task A_partner_over_its_rate_is_held_back_until_the_clock_reaches_each_email_slot()
    {
        await using var app = await CampaignMailTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Email:CampaignRatePerSecond"] = "1000",
            ["Email:CampaignPartnerRatePerSecond"] = "2",
        });
        var launchId = "L" + Guid.NewGuid().ToString("N")[..10];
        var emails = Enumerable.Range(0, 6).Select(_ => CampaignMailTestApp.Email(launchId: launchId, partnerId: "p-busy")).ToList();
        foreach (var email in emails) await app.SendAsync(email);

        // A burst of one second's worth; the other four come back to the queue while the clock stands still.
        await WaitForSentAsync(app, launchId, 2);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(2, await SentAsync(app, launchId));

        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForSentAsync(app, launchId, 4);
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForSentAsync(app, launchId, 6);
        foreach (var email in emails) Assert.Single(await app.Inbox.WaitForAsync(email.RecipientEmail, timeout: TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public async Task The_overall_rate_holds_across_partners()
    {
        await using var app = await CampaignMailTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Email:CampaignRatePerSecond"] = "3",
            ["Email:CampaignPartnerRatePerSecond"] = "1000",
        });
        var launchId = "L" + Guid.NewGuid().ToString("N")[..10];
        var emails = Enumerable.Range(0, 5).Select(i => CampaignMailTestApp.Email(launchId: launchId, partnerId: $"p-{i}")).ToList();
        foreach (var email in emails) await app.SendAsync(email);

        await WaitForSentAsync(app, launchId, 3);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(3, await SentAsync(app, launchId));
        app.Clock.Advance(TimeSpan.FromSeconds(1));
        await WaitForSentAsync(app, launchId, 5);
    }
}
