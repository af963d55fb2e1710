using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Launches;

namespace Tcma.FunctionalTests.Launches;

/// <summary>
/// The SMTP server away: the mailer points at a port where nothing listens, keeps retrying with back-off for well over
/// an hour (on the fake clock), then records the send Failed and shows it on the launch's summary; an outage that ends
/// in time loses nothing and sends once.
/// </summary>
public sealed class CampaignMailRetryTests
{
    [Fact]
    public async Task SMTP_down_is_retried_for_over_an_hour_then_recorded_failed_and_when_it_comes_back_the_email_goes_once()
    {
        var mail = await LocalServices.MailDev();
        await using var app = await CampaignMailTestApp.StartAsync(new Dictionary<string, string?>
        {
            ["Email:SmtpPort"] = LocalServices.FreePort().ToString(),
            ["Email:CampaignRetryFirstDelay"] = "00:00:01",
            ["Email:CampaignRetryMaxDelay"] = "00:00:02",
            ["Email:CampaignRetryFor"] = "03:00:00",
        });
        var log = app.Services.GetRequiredService<CampaignSendLog>();

        var lost = CampaignMailTestApp.Email();
        await app.SendAsync(lost);
        var first = await app.WaitForStateAsync(lost, CampaignSendState.Retrying, r => r.Attempts == 1);
        Assert.NotNull(first.LastError);

        // An hour later SMTP is still down: still retrying, not given up.
        app.Clock.Advance(TimeSpan.FromMinutes(59));
        await app.WaitForStateAsync(lost, CampaignSendState.Retrying, r => r.Attempts == 2);
        app.Clock.Advance(TimeSpan.FromMinutes(62));
        await app.WaitForStateAsync(lost, CampaignSendState.Retrying, r => r.Attempts == 3);

        // Past the retry window: Failed, with the reason, on the launch's summary.
        app.Clock.Advance(TimeSpan.FromMinutes(60));
        var failed = await app.WaitForStateAsync(lost, CampaignSendState.Failed);
        Assert.Equal(4, failed.Attempts);
        var summary = await log.SummariseAsync(lost.VendorId, lost.LaunchId);
        Assert.Equal(1, summary.Count(CampaignSendState.Failed));
        var failure = Assert.Single(summary.Failures);
        Assert.Equal((lost.SendId, lost.RecipientEmail, 4), (failure.SendId, failure.Recipient, failure.Attempts));
        Assert.False(string.IsNullOrEmpty(failure.Reason));

        // A shorter outage: the email waits, and goes exactly once when SMTP is back.
        var saved = CampaignMailTestApp.Email();
        await app.SendAsync(saved);
        await app.WaitForStateAsync(saved, CampaignSendState.Retrying, r => r.Attempts == 1);
        app.Reconfigure("Email:SmtpPort", mail.SmtpPort.ToString());
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        var sent = await app.WaitForStateAsync(saved, CampaignSendState.Sent);
        Assert.Equal(2, sent.Attempts);
        Assert.Single(await app.Inbox.WaitForAsync(saved.RecipientEmail, timeout: TimeSpan.FromSeconds(60)));
        Assert.Empty(await app.Inbox.ToAsync(lost.RecipientEmail));
    }
}
