using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using Tcma.Domain.Launches;
using Tcma.Email;
using Tcma.Email.Campaigns;
using Tcma.Storage.Launches;
using Tcma.Storage.Messaging;

namespace Tcma.Functions.Launches;

/// <summary>What became of one delivery of a campaign message.</summary>
public enum CampaignMailOutcome
{
    Sent,
    Suppressed,
    Stopped,
    Failed,
    /// <summary>SMTP trouble: the record says Retrying and a delayed copy of the message will try again.</summary>
    WillRetry,
    /// <summary>Over the sending rate: a delayed copy goes when its booked slot comes.</summary>
    Throttled,
    /// <summary>Another delivery of the same send is at work (or a retry came early): a delayed copy looks again.</summary>
    Deferred,
    /// <summary>A redelivered message of a send already settled: nothing done.</summary>
    Duplicate,
}

/// <summary>
/// Sends one campaign email exactly once, or records why not.
/// </summary>
/// <remarks>
/// Exactly once: the send's record (CampaignSends, keyed by SendId) moves Sending -> Sent|Retrying|Failed by conditional
/// writes, and only the delivery that wrote "Sending" talks to SMTP, under a lease. A redelivery of a settled send does
/// nothing; one that finds a live lease looks again when it ends. The residual window: the process dies after the SMTP
/// server accepted the email and before "Sent" was written. Nothing can close it (SMTP has no idempotent submit), so
/// when a lease ends without an outcome the email is sent again with the same Message-ID, derived from the SendId:
/// mailbox providers that see a Message-ID twice (Gmail does) keep one, and threads show one message. The window is
/// the time between the server's 250 and one table write: milliseconds, against the SMTP round trips before it.
/// </remarks>
public sealed class CampaignMailer(
    CampaignSendLog log,
    SuppressionList suppressions,
    ClickTracking clicks,
    [FromKeyedServices(CampaignSmtpSender.ServiceKey)] IEmailSender sender,
    IMessageSender queue,
    CampaignMailThrottle throttle,
    ICampaignLinks links,
    IServiceProvider services,
    IOptionsMonitor<CampaignEmailOptions> options,
    TimeProvider clock,
    ILogger<CampaignMailer> logger)
{
    /// <summary>
    /// Resolved when first needed, not at construction: the launch capability registers it, and an app without one must
    /// still start (a missing gate fails the send loudly instead of sending past a pause).
    /// </summary>
    private ILaunchSendGate Gate => services.GetRequiredService<ILaunchSendGate>();

    private Dashboards.DashboardService Dashboard => services.GetRequiredService<Dashboards.DashboardService>();

    /// <summary>Counted after "Sent" is written, and again on a duplicate delivery of a sent email: named by the send, it counts once.</summary>
    private Task CountSentAsync(CampaignSendRecord sent, CancellationToken ct) =>
        Dashboard.CountLaunchEventAsync(sent.VendorId, sent.LaunchId, sent.SendId, Tcma.Domain.Dashboards.ActivityKind.EmailSent, sent.SentAt ?? sent.UpdatedAt, ct);

    /// <summary>A re-queued copy never comes back sooner than this, so waiting never spins.</summary>
    private static readonly TimeSpan MinRequeueDelay = TimeSpan.FromMilliseconds(500);

    public async Task<CampaignMailOutcome> SendAsync(CampaignEmail email, CancellationToken ct)
    {
        for (var round = 1; ; round++)
        {
            var outcome = await TryOnceAsync(email, ct);
            if (outcome is not null) return outcome.Value;
            // Someone else wrote the record between our read and our write: decide again on what is there now.
            if (round == 5) throw new InvalidOperationException($"the record of send {email.SendId} kept changing under us");
        }
    }

    /// <summary>Null when the record changed under us.</summary>
    private async Task<CampaignMailOutcome?> TryOnceAsync(CampaignEmail email, CancellationToken ct)
    {
        var settings = options.CurrentValue;
        var policy = settings.RetryPolicy;
        var now = clock.GetUtcNow();
        var stored = await log.GetAsync(email.VendorId, email.LaunchId, email.SendId, ct);
        var previous = stored?.Record;
        var etag = stored?.ETag ?? default;

        bool maybeSentBefore;
        switch (policy.Next(previous, now))
        {
            case CampaignSendStep.AlreadyDone done:
                logger.LogInformation("Send {SendId} of launch {LaunchId} is already {State}; duplicate delivery ignored", email.SendId, email.LaunchId, done.State);
                if (previous is { State: CampaignSendState.Sent }) await CountSentAsync(previous, ct);
                return CampaignMailOutcome.Duplicate;
            case CampaignSendStep.ComeBackLater later:
                await RequeueAsync(email, later.After, ct);
                return CampaignMailOutcome.Deferred;
            case CampaignSendStep.Attempt attempt:
                maybeSentBefore = attempt.MaybeSentBefore;
                break;
            default:
                throw new InvalidOperationException("unknown step");
        }

        var record = previous ?? new CampaignSendRecord(email.VendorId, email.PartnerId, email.LaunchId, email.TouchId, email.SendId,
            email.RecipientEmail ?? "", email.FromName ?? "", CampaignSendState.Sending, 0, now);

        var problems = CampaignContent.Problems(email);
        if (problems.Count > 0)
        {
            var reason = "the message cannot be sent: " + string.Join("; ", problems);
            logger.LogError("Send {SendId} of launch {LaunchId}: {Reason}", email.SendId, email.LaunchId, reason);
            return await SettleAsync(record with { State = CampaignSendState.Failed, LastError = reason, UpdatedAt = now, LeaseUntil = null }, etag, CampaignMailOutcome.Failed, ct);
        }

        // A suppressed send keeps no address: the suppression list already says why, and for a person who was erased
        // this row (written after the erasure, from a message queued before it) must not bring the address back.
        if (await suppressions.IsSuppressedAsync(email.VendorId, email.PartnerId, email.RecipientEmail!, ct))
            return await SettleAsync(record with { Recipient = "", State = CampaignSendState.Suppressed, UpdatedAt = now, LeaseUntil = null }, etag, CampaignMailOutcome.Suppressed, ct);

        var wait = throttle.Book(email.PartnerId, email.SendId, settings.Rates, now);
        if (wait > TimeSpan.Zero)
        {
            await RequeueAsync(email, wait, ct);
            return CampaignMailOutcome.Throttled;
        }

        // Asked last, right before sending: a pause clicked while this email waited for its slot still counts.
        if (!await Gate.MaySendAsync(email.VendorId, email.LaunchId, email.TouchId, ct))
            return await SettleAsync(record with { State = CampaignSendState.Stopped, UpdatedAt = now, LeaseUntil = null }, etag, CampaignMailOutcome.Stopped, ct);

        var messageId = CampaignEmailComposer.MessageIdFor(email, settings);
        var sending = record with
        {
            State = CampaignSendState.Sending, Attempts = record.Attempts + 1, UpdatedAt = now, LeaseUntil = now + policy.Lease, MessageId = messageId,
        };
        var sendingETag = await log.TryWriteAsync(sending, etag, ct);
        if (sendingETag is null) return null;
        if (maybeSentBefore)
            logger.LogWarning("Send {SendId} of launch {LaunchId}: an earlier attempt ended without an outcome; sending again with the same Message-ID", email.SendId, email.LaunchId);

        var composed = CampaignEmailComposer.Compose(email, settings, links);
        await clicks.SaveLinksAsync(email, composed.TrackedUrls, ct);
        try
        {
            await sender.SendAsync(composed.Message, ct);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            return await FailedAttemptAsync(email, sending, sendingETag.Value, e, ct);
        }
        var sent = sending with { State = CampaignSendState.Sent, SentAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(), LeaseUntil = null, LastError = null };
        if (await log.TryWriteAsync(sent, sendingETag.Value, ct) is null)
            logger.LogWarning("Send {SendId} of launch {LaunchId} went out but its record had changed (a lease taken over?)", email.SendId, email.LaunchId);
        await CountSentAsync(sent, ct);
        return CampaignMailOutcome.Sent;
    }

    private async Task<CampaignMailOutcome?> FailedAttemptAsync(CampaignEmail email, CampaignSendRecord sending, Azure.ETag etag, Exception e, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var policy = options.CurrentValue.RetryPolicy;
        // What the status page shows: the server's reply code where there is one, as mail people read it.
        var error = e is SmtpCommandException command
            ? $"SMTP {(int)command.StatusCode} ({command.ErrorCode}): {command.Message}"
            : $"{e.GetType().Name}: {e.Message}";
        if (IsPermanent(e, out var recipientRefused))
        {
            logger.LogError("Send {SendId} of launch {LaunchId} was refused for good: {Error}", email.SendId, email.LaunchId, error);
            if (recipientRefused)
                await suppressions.SuppressAsync(email.VendorId, email.PartnerId, email.RecipientEmail, SuppressionReason.HardBounce, $"send {email.SendId}", now, ct);
            return await SettleAsync(sending with { State = CampaignSendState.Failed, LastError = error, UpdatedAt = now, LeaseUntil = null }, etag, CampaignMailOutcome.Failed, ct);
        }

        var firstFailure = sending.FirstFailureAt ?? now;
        if (policy.ShouldGiveUp(firstFailure, now))
        {
            logger.LogError("Send {SendId} of launch {LaunchId} failed after {Attempts} attempts since {FirstFailure}: {Error}",
                email.SendId, email.LaunchId, sending.Attempts, firstFailure, error);
            return await SettleAsync(sending with { State = CampaignSendState.Failed, LastError = error, UpdatedAt = now, LeaseUntil = null, FirstFailureAt = firstFailure },
                etag, CampaignMailOutcome.Failed, ct);
        }

        var delay = policy.DelayAfter(sending.Attempts);
        logger.LogWarning("Send {SendId} of launch {LaunchId} attempt {Attempt} failed ({Error}); retrying in {Delay}", email.SendId, email.LaunchId, sending.Attempts, error, delay);
        var retrying = sending with { State = CampaignSendState.Retrying, LastError = error, UpdatedAt = now, LeaseUntil = now + delay, FirstFailureAt = firstFailure };
        // Recorded before the copy is queued: if we die in between, this message is not deleted, comes back, finds
        // "Retrying" and queues the copy then.
        if (await log.TryWriteAsync(retrying, etag, ct) is null) return null;
        await RequeueAsync(email, delay, ct);
        return CampaignMailOutcome.WillRetry;
    }

    /// <summary>
    /// 5xx replies are final (550 no such mailbox: suppressed as a hard bounce); everything else, a refused connection,
    /// a timeout, a 4xx, is an outage or a greylist and is worth retrying. A message we built badly is final too.
    /// </summary>
    internal static bool IsPermanent(Exception e, out bool recipientRefused)
    {
        recipientRefused = false;
        switch (e)
        {
            case SmtpCommandException command when (int)command.StatusCode >= 500:
                recipientRefused = command.ErrorCode == SmtpErrorCode.RecipientNotAccepted;
                return true;
            case ArgumentException or FormatException:
                return true;
            default:
                return false;
        }
    }

    private async Task<CampaignMailOutcome?> SettleAsync(CampaignSendRecord record, Azure.ETag etag, CampaignMailOutcome outcome, CancellationToken ct)
    {
        if (await log.TryWriteAsync(record, etag, ct) is null) return null;
        logger.LogInformation("Send {SendId} of launch {LaunchId}: {State}", record.SendId, record.LaunchId, record.State);
        return outcome;
    }

    private Task RequeueAsync(CampaignEmail email, TimeSpan delay, CancellationToken ct)
    {
        var after = delay < MinRequeueDelay ? MinRequeueDelay : delay > QueueMessageSender.MaxDelay ? QueueMessageSender.MaxDelay : delay;
        return queue.SendAsync(CampaignEmail.Queue, email, after, ct);
    }
}
