using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Tcma.Email;

public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}

/// <summary>Sends over SMTP with MailKit: one connection per message, failures thrown so the caller's retry applies.</summary>
public sealed class SmtpEmailSender(IOptionsMonitor<EmailOptions> options, TimeProvider clock, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    /// <summary>Headers the sender owns: a caller setting them could forge the message or break its structure.</summary>
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "Sender", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Return-Path", "Received",
    };

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var mime = Build(message, settings, clock.GetUtcNow());
        using var smtp = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        await smtp.ConnectAsync(settings.SmtpHost, settings.SmtpPort, settings.Security, cancellationToken);
        if (!string.IsNullOrEmpty(settings.UserName))
            await smtp.AuthenticateAsync(settings.UserName, settings.Password ?? "", cancellationToken);
        await smtp.SendAsync(mime, cancellationToken);
        await smtp.DisconnectAsync(true, cancellationToken);
        logger.LogInformation("Sent email {MessageId}", mime.MessageId); // no address: logs are not a mailing list
    }

    public static MimeMessage Build(EmailMessage message, EmailOptions settings, DateTimeOffset now)
    {
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(message.FromName ?? settings.FromName, Address(message.FromAddress ?? settings.From, "From")));
        mime.To.Add(new MailboxAddress(message.ToName ?? "", Address(message.To, "To")));
        if (!string.IsNullOrEmpty(message.ReplyTo)) mime.ReplyTo.Add(MailboxAddress.Parse(Address(message.ReplyTo, "Reply-To")));
        mime.Subject = NoLineBreaks(message.Subject, "Subject");
        mime.Date = now;
        mime.MessageId = message.MessageId ?? MimeKit.Utils.MimeUtils.GenerateMessageId(DomainOf(settings.From));
        foreach (var (name, value) in message.Headers)
        {
            if (ReservedHeaders.Contains(name) || name.Any(c => c <= ' ' || c == ':' || c > '~'))
                throw new ArgumentException($"header '{name}' cannot be set by the caller");
            mime.Headers.Add(name, NoLineBreaks(value, name));
        }
        var body = new BodyBuilder { TextBody = message.Text };
        if (!string.IsNullOrEmpty(message.Html)) body.HtmlBody = message.Html;
        mime.Body = body.ToMessageBody();
        return mime;
    }

    private static string Address(string address, string field)
    {
        if (!MailboxAddress.TryParse(address, out var parsed) || parsed.Address != address.Trim() || !address.Contains('@'))
            throw new ArgumentException($"{field} '{address}' is not an email address");
        return parsed.Address;
    }

    private static string NoLineBreaks(string value, string field) =>
        value.Contains('\r') || value.Contains('\n') ? throw new ArgumentException($"{field} must not contain line breaks") : value;

    private static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];
}
