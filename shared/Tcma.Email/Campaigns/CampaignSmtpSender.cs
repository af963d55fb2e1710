using System.Collections.Concurrent;
using System.Diagnostics;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Tcma.Email.Campaigns;

/// <summary>
/// SMTP for campaign emails over a small pool of open connections. A launch sends thousands of emails in a burst, and
/// a connection per email (TCP, EHLO, STARTTLS and AUTH against a real relay) costs more than the email; the workflow
/// emails, a few at a time, keep <see cref="SmtpEmailSender"/>'s connection per message.
/// </summary>
/// <remarks>
/// A connection that failed in any way is closed, never reused; one idle longer than relays usually keep it open is
/// closed instead of tried. A failure on a reused connection is not retried here: the mailer's own retry (with the
/// same Message-ID) handles it, so an email the server may have accepted is never sent twice from this class.
/// </remarks>
public sealed class CampaignSmtpSender(
    IOptionsMonitor<EmailOptions> options, IOptionsMonitor<CampaignEmailOptions> campaignOptions, TimeProvider clock, ILogger<CampaignSmtpSender> logger)
    : IEmailSender, IAsyncDisposable
{
    public const string ServiceKey = "campaign";

    /// <summary>Relays drop idle sessions after a minute or more; well before that, a connection is not worth trusting.</summary>
    private static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(20);

    private readonly ConcurrentBag<Idle> idle = [];

    private sealed record Idle(SmtpClient Client, string Endpoint, long Since);

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var mime = SmtpEmailSender.Build(message, settings, clock.GetUtcNow());
        var endpoint = $"{settings.SmtpHost}:{settings.SmtpPort}:{settings.Security}:{settings.UserName}";
        var client = Take(endpoint) ?? await ConnectAsync(settings, cancellationToken);
        try
        {
            await client.SendAsync(mime, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        logger.LogDebug("Sent campaign email {MessageId}", mime.MessageId);
        if (idle.Count < campaignOptions.CurrentValue.CampaignSmtpConnections) idle.Add(new Idle(client, endpoint, Stopwatch.GetTimestamp()));
        else await CloseAsync(client);
    }

    private SmtpClient? Take(string endpoint)
    {
        while (idle.TryTake(out var candidate))
        {
            // Real time, not the app's clock: this is about a socket's life, and a fake clock must not keep one alive.
            if (candidate.Endpoint == endpoint && candidate.Client.IsConnected && Stopwatch.GetElapsedTime(candidate.Since) < MaxIdle)
                return candidate.Client;
            _ = CloseAsync(candidate.Client);
        }
        return null;
    }

    private static async Task<SmtpClient> ConnectAsync(EmailOptions settings, CancellationToken cancellationToken)
    {
        var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(settings.SmtpHost, settings.SmtpPort, settings.Security, cancellationToken);
            if (!string.IsNullOrEmpty(settings.UserName))
                await client.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static async Task CloseAsync(SmtpClient client)
    {
        try
        {
            if (client.IsConnected) await client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception)
        {
            // Closing a connection we no longer want: nothing to do if it is already gone.
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        while (idle.TryTake(out var connection)) await CloseAsync(connection.Client);
    }
}
