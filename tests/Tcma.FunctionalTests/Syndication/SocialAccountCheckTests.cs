using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain;
using Tcma.Functions.Syndication;
using Tcma.Storage.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// The hourly token check, driven by a fake clock: a revoked connection is found before any post is due, the
/// partner gets one email with a reconnect link (not one an hour), and after reconnecting a later failure emails again.
/// The trigger host is off here, so the test sends what the email outbox holds (<see cref="SocialApp.SendQueuedEmailsAsync"/>).
/// </summary>
public sealed class SocialAccountCheckTests : IAsyncLifetime
{
    private const string Partner = "fabrikam";
    private SocialApp app = null!;
    private string partnerEmail = "";

    public async Task InitializeAsync()
    {
        app = await SocialApp.StartAsync(triggers: false);
        partnerEmail = await app.AddPartnerAsync(Partner);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private Task<SocialAccountChecks.Report> RunCheckAsync() =>
        app.Services.GetRequiredService<SocialAccountChecks>().RunAsync(default);

    [Theory]
    [InlineData(SocialNetwork.LinkedIn)]
    [InlineData(SocialNetwork.X)]
    [InlineData(SocialNetwork.Facebook)]
    public async Task A_revoked_token_emails_one_reconnect_link_and_a_later_failure_after_reconnecting_emails_again(SocialNetwork network)
    {
        await app.ConnectAsync(Partner, network);
        Assert.Equal(1, (await RunCheckAsync()).Healthy);

        app.Fake(network).TokenRevoked = true;
        for (var hour = 0; hour < 30; hour++)
        {
            app.Clock.Advance(TimeSpan.FromHours(1));
            await RunCheckAsync();
        }

        // Thirty failed checks, one email queued (the connection's notice key).
        Assert.Equal(1, await app.SendQueuedEmailsAsync());
        var email = Assert.Single(await app.Factory.Inbox.WaitForAsync(partnerEmail));
        Assert.Contains($"Reconnect your {Tcma.Syndication.SocialOAuthClient.Name(network)} account", email.Subject);
        var link = System.Text.RegularExpressions.Regex.Match(email.Text ?? "", @"http://localhost/partner/social\?t=\S+").Value;
        Assert.NotEmpty(link);
        var stored = await app.Services.GetRequiredService<SocialAccountStore>().GetAsync(SocialApp.Vendor, Partner, network);
        Assert.True(stored!.NeedsReconnect);

        // The partner follows the link and reconnects; the page no longer says it needs reconnecting.
        var page = await app.Client().GetStringAsync(new Uri(link).PathAndQuery);
        Assert.Contains("Needs reconnecting", page);
        app.Fake(network).TokenRevoked = false;
        await app.ConnectAsync(Partner, network, System.Web.HttpUtility.ParseQueryString(new Uri(link).Query)["t"]);
        Assert.False((await app.Services.GetRequiredService<SocialAccountStore>().GetAsync(SocialApp.Vendor, Partner, network))!.NeedsReconnect);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await RunCheckAsync()).Healthy);

        app.Fake(network).TokenRevoked = true;
        app.Clock.Advance(TimeSpan.FromDays(1));
        await RunCheckAsync();
        await RunCheckAsync();
        Assert.Equal(1, await app.SendQueuedEmailsAsync());
        Assert.Equal(2, (await app.Factory.Inbox.WaitForAsync(partnerEmail, 2)).Count);
    }

    [Fact]
    public async Task A_check_the_network_cannot_answer_now_emails_nobody_and_is_asked_again()
    {
        await app.ConnectAsync(Partner, SocialNetwork.LinkedIn);
        app.LinkedIn.FailNextCheck(Fakes.FakeFailure.ServerError);

        Assert.Equal(1, (await RunCheckAsync()).Transient);
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await RunCheckAsync()).Healthy);
        // Healthy now: not asked again within the day.
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, (await RunCheckAsync()).Checked);
        Assert.Equal(0, await app.SendQueuedEmailsAsync());
        Assert.Empty(await app.Factory.Inbox.ToAsync(partnerEmail));
    }

    [Fact]
    public async Task An_x_token_whose_refresh_is_refused_is_reported_before_it_expires_but_a_token_endpoint_outage_is_not()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);
        app.X.TokenEndpointFails = true;
        Assert.Equal(1, (await RunCheckAsync()).Transient);
        Assert.Equal(0, await app.SendQueuedEmailsAsync());
        Assert.Empty(await app.Factory.Inbox.ToAsync(partnerEmail));

        app.X.TokenEndpointFails = false;
        app.X.RefreshRevoked = true;
        app.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, (await RunCheckAsync()).ReconnectNeeded);

        Assert.Equal(1, await app.SendQueuedEmailsAsync());
        var email = Assert.Single(await app.Factory.Inbox.WaitForAsync(partnerEmail));
        Assert.Contains("Reconnect your X account", email.Subject);
    }

    [Fact]
    public async Task An_x_token_near_its_two_hour_expiry_is_refreshed_instead_of_reported()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);

        Assert.Equal(1, (await RunCheckAsync()).Healthy);

        Assert.Equal(1, app.X.RefreshCount);
        var stored = await app.Services.GetRequiredService<SocialAccountStore>().GetAsync(SocialApp.Vendor, Partner, SocialNetwork.X);
        Assert.Equal(app.Clock.GetUtcNow().AddHours(2), stored!.ExpiresAt);
        Assert.Equal(0, await app.SendQueuedEmailsAsync());
        Assert.Empty(await app.Factory.Inbox.ToAsync(partnerEmail));
    }
}
