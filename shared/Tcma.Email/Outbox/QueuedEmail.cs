namespace Tcma.Email.Outbox;

/// <summary>
/// One email on the <c>email-outbox</c> queue: the email as decided and the caller's key, which names the email once
/// and for all (an invitation and a contact, a broken connection and a day): two messages with one key send one email,
/// and every attempt carries the Message-ID derived from it.
/// </summary>
public sealed record QueuedEmail(string Key, EmailMessage Email)
{
    public const string Queue = "email-outbox";

    /// <summary>Keys are hashed into the record's table key and the Message-ID; this only stops nonsense.</summary>
    public const int MaxKeyChars = 1000;

    /// <summary>
    /// Text and HTML together. Our own emails are a few KB; anything near this is a bug, and a real relay refuses
    /// messages of a few tens of MB anyway. Over 48 KiB the message itself travels as a blob (IMessageSender).
    /// </summary>
    public const int MaxBodyChars = 512 * 1024;

    /// <summary>Why this cannot be sent as it is, or null. Addresses and headers are checked by <see cref="SmtpEmailSender.Build"/>.</summary>
    public static string? Problem(QueuedEmail? queued)
    {
        if (queued is null) return "the message is empty";
        if (string.IsNullOrWhiteSpace(queued.Key)) return "the message has no key, so a redelivery could not be recognised";
        if (queued.Key.Length > MaxKeyChars) return $"the key is {queued.Key.Length} characters long, over {MaxKeyChars}";
        if (queued.Email is null) return "the message carries no email";
        if (string.IsNullOrWhiteSpace(queued.Email.To) || queued.Email.Subject is null || queued.Email.Text is null)
            return "the email has no recipient, subject or text";
        var size = queued.Email.Text.Length + (queued.Email.Html?.Length ?? 0);
        if (size > MaxBodyChars) return $"the email's bodies are {size} characters, over {MaxBodyChars}";
        return null;
    }
}
