using Microsoft.Extensions.Options;
using Tcma.Domain.Workflows;
using Tcma.Storage.Workflows;

namespace Tcma.Email;

/// <summary>Sends a workflow's outbox email over SMTP with a Message-ID derived from its outbox row.</summary>
public sealed class WorkflowEmailSender(IEmailSender sender, IOptionsMonitor<EmailOptions> options) : IWorkflowEmailSender
{
    public Task SendAsync(OutboxEmail email, string messageKey, CancellationToken cancellationToken) =>
        sender.SendAsync(new EmailMessage(email.To, email.Subject, email.Text, email.Html)
        {
            ToName = email.ToName,
            FromName = email.FromName,
            ReplyTo = email.ReplyTo,
            Headers = email.Headers ?? new Dictionary<string, string>(),
            MessageId = EmailMessage.StableMessageId(messageKey, options.CurrentValue.From),
        }, cancellationToken);
}
