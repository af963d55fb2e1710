using Microsoft.Extensions.Options;
using Tcma.Storage.Messaging;

namespace Tcma.Email.Outbox;

/// <summary>
/// Emails decided inside a request or a handler that is not a workflow: put on <c>email-outbox</c> and sent by the
/// <c>OutboxEmail</c> queue function, so the caller never waits for SMTP and an outage delays an email instead of
/// failing the caller or losing it.
/// </summary>
public sealed class EmailOutbox(IMessageSender queue, IOptionsMonitor<EmailOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Queues one email under <paramref name="key"/>, which must name this email and nothing else: enqueueing the same
    /// key again (a repeated request, a redelivered message) sends it once. A body over 48 KiB travels as a blob.
    /// </summary>
    /// <exception cref="ArgumentException">The email could never be sent (no key, a bad address or header, too big): better the caller hears it now.</exception>
    public Task EnqueueAsync(EmailMessage message, string key, CancellationToken cancellationToken = default)
    {
        var queued = new QueuedEmail(key, message);
        if (QueuedEmail.Problem(queued) is { } problem) throw new ArgumentException($"email not queued: {problem}", nameof(message));
        SmtpEmailSender.Build(message, options.CurrentValue, clock.GetUtcNow()); // throws ArgumentException for a bad address or header
        return queue.SendAsync(QueuedEmail.Queue, queued, cancellationToken: cancellationToken);
    }
}
