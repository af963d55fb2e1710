using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tcma.Storage.Messaging;

namespace Tcma.Email.Outbox;

/// <summary>The <c>Email:Outbox</c> section.</summary>
public sealed class EmailOutboxOptions
{
    public const string Section = "Email:Outbox";

    /// <summary>Longer than one SMTP conversation can take (connect, send, quit, each bounded by Email:Timeout).</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>A copy that finds another delivery at work looks again after this (or when its lease ends, if sooner).</summary>
    public TimeSpan RecheckAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>SMTP down: the first retry comes after this, then twice as long each time, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>After failing this long the email is given up: recorded Failed and moved to <c>email-outbox-poison</c>.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromDays(2);

    public TimeSpan DelayAfter(int attempts) => Tcma.Domain.RetryDelay.Doubling(FirstRetryDelay, MaxRetryDelay, attempts);
}

public enum OutboxEmailOutcome
{
    Sent,
    /// <summary>Already sent under this key: a redelivery or a second enqueue; nothing done.</summary>
    Duplicate,
    /// <summary>Another delivery holds the lease, or a retry copy came early: a delayed copy looks again.</summary>
    Deferred,
    /// <summary>SMTP failed; recorded Retrying and a delayed copy is queued.</summary>
    WillRetry,
}

/// <summary>
/// Sends one outbox email at most once per key, or keeps it until it can.
/// </summary>
/// <remarks>
/// The key's row moves Sending -> Sent | Retrying | Failed by conditional writes; only the delivery that wrote
/// "Sending" talks to SMTP, under a lease. The one window nothing closes (SMTP has no idempotent submit): the process
/// dies after the server's 250 and before "Sent" is written. The lease then runs out, the message comes back and the
/// email goes again with the same Message-ID (from the key), which mail clients and Gmail show as one message.
/// Retries: the Functions host retries a failed message at once (visibilityTimeout 0) five times in about a second
/// and then poisons it, which is no back-off for an SMTP outage. So an SMTP failure is recorded and a delayed copy of
/// the message is queued (30 s, doubling, up to 15 min); only after <see cref="EmailOutboxOptions.RetryFor"/> (two
/// days) is it recorded Failed and thrown, and the host's five immediate retries move it to
/// <c>email-outbox-poison</c>, each logging the reason. A 5xx reply or an email that cannot be built is final at once.
/// </remarks>
public sealed class OutboxEmailDispatcher(
    OutboxEmailLog log, IEmailSender sender, IMessageSender queue, IOptionsMonitor<EmailOptions> email,
    IOptionsMonitor<EmailOutboxOptions> options, TimeProvider clock, ILogger<OutboxEmailDispatcher> logger)
{
    /// <summary>A copy never comes back sooner than this, so waiting never spins.</summary>
    private static readonly TimeSpan MinRequeueDelay = TimeSpan.FromMilliseconds(500);

    /// <exception cref="InvalidDataException">The email cannot be sent, now or ever: the message belongs in the poison queue.</exception>
    public async Task<OutboxEmailOutcome> SendAsync(QueuedEmail queued, CancellationToken ct)
    {
        if (QueuedEmail.Problem(queued) is { } problem) throw new InvalidDataException($"email-outbox message cannot be sent: {problem}");
        var settings = email.CurrentValue;
        var message = queued.Email with { MessageId = EmailMessage.StableMessageId(queued.Key, queued.Email.FromAddress ?? settings.From) };
        try
        {
            SmtpEmailSender.Build(message, settings, clock.GetUtcNow());
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"email-outbox message cannot be sent: {e.Message}", e);
        }
        for (var round = 1; round <= 5; round++)
        {
            if (await TryOnceAsync(queued, message, ct) is { } outcome) return outcome;
        }
        throw new InvalidOperationException("the outbox record kept changing under us");
    }

    /// <summary>Null when the record changed between our read and our write.</summary>
    private async Task<OutboxEmailOutcome?> TryOnceAsync(QueuedEmail queued, EmailMessage message, CancellationToken ct)
    {
        var policy = options.CurrentValue;
        var now = clock.GetUtcNow();
        var stored = await log.GetAsync(queued.Key, ct);
        var previous = stored?.Record;
        switch (previous)
        {
            case { State: OutboxEmailState.Sent }:
                logger.LogInformation("Outbox email {MessageId} was already sent; duplicate ignored", message.MessageId);
                return OutboxEmailOutcome.Duplicate;
            case { State: OutboxEmailState.Failed }:
                throw new InvalidDataException($"outbox email {message.MessageId} was given up earlier: {previous.LastError}");
            case { LeaseUntil: { } until } when until > now:
                var wait = until - now;
                await RequeueAsync(queued, previous.State == OutboxEmailState.Sending && wait > policy.RecheckAfter ? policy.RecheckAfter : wait, ct);
                return OutboxEmailOutcome.Deferred;
        }

        var sending = (previous ?? new OutboxEmailRecord(queued.Key, OutboxEmailState.Sending, 0, now)) with
        {
            State = OutboxEmailState.Sending, Attempts = (previous?.Attempts ?? 0) + 1, UpdatedAt = now, LeaseUntil = now + policy.Lease, MessageId = message.MessageId,
        };
        var etag = await log.TryWriteAsync(sending, stored?.ETag ?? default, ct);
        if (etag is null) return null;
        if (previous?.State == OutboxEmailState.Sending)
            logger.LogWarning("Outbox email {MessageId}: an earlier attempt ended without an outcome; sending again with the same Message-ID", message.MessageId);

        try
        {
            await sender.SendAsync(message, ct);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            return await FailedAsync(queued, sending, etag.Value, e, ct);
        }
        var sent = sending with { State = OutboxEmailState.Sent, SentAt = clock.GetUtcNow(), UpdatedAt = clock.GetUtcNow(), LeaseUntil = null, LastError = null };
        if (await log.TryWriteAsync(sent, etag.Value, ct) is null)
            logger.LogWarning("Outbox email {MessageId} went out but its record had changed (a lease taken over?)", message.MessageId);
        return OutboxEmailOutcome.Sent;
    }

    private async Task<OutboxEmailOutcome?> FailedAsync(QueuedEmail queued, OutboxEmailRecord sending, Azure.ETag etag, Exception e, CancellationToken ct)
    {
        var policy = options.CurrentValue;
        var now = clock.GetUtcNow();
        var error = e is SmtpCommandException command ? $"SMTP {(int)command.StatusCode} ({command.ErrorCode}): {command.Message}" : $"{e.GetType().Name}: {e.Message}";
        var firstFailure = sending.FirstFailureAt ?? now;
        var final = e is SmtpCommandException { StatusCode: >= (SmtpStatusCode)500 } or ArgumentException or FormatException;
        if (final || now - firstFailure >= policy.RetryFor)
        {
            var reason = final ? $"refused for good: {error}" : $"failed {sending.Attempts} times since {firstFailure:u}: {error}";
            if (await log.TryWriteAsync(sending with { State = OutboxEmailState.Failed, LastError = reason, UpdatedAt = now, LeaseUntil = null, FirstFailureAt = firstFailure }, etag, ct) is null)
                return null;
            throw new InvalidDataException($"outbox email {sending.MessageId} {reason}");
        }
        var delay = policy.DelayAfter(sending.Attempts);
        logger.LogWarning("Outbox email {MessageId} attempt {Attempt} failed ({Error}); retrying in {Delay}", sending.MessageId, sending.Attempts, error, delay);
        // Recorded before the copy is queued: a crash in between leaves this message undeleted; it comes back, finds
        // "Retrying" and queues the copy then.
        if (await log.TryWriteAsync(sending with { State = OutboxEmailState.Retrying, LastError = error, UpdatedAt = now, LeaseUntil = now + delay, FirstFailureAt = firstFailure }, etag, ct) is null)
            return null;
        await RequeueAsync(queued, delay, ct);
        return OutboxEmailOutcome.WillRetry;
    }

    private Task RequeueAsync(QueuedEmail queued, TimeSpan delay, CancellationToken ct)
    {
        var after = delay < MinRequeueDelay ? MinRequeueDelay : delay > QueueMessageSender.MaxDelay ? QueueMessageSender.MaxDelay : delay;
        return queue.SendAsync(QueuedEmail.Queue, queued, after, ct);
    }
}
