using System.Security.Cryptography;
using System.Text;

namespace Tcma.Email;

/// <summary>
/// One email as the app decides it: who it is from and to, both bodies, extra headers (List-Unsubscribe...) and a
/// Message-ID that stays the same when the same email is sent again after a crash.
/// </summary>
public sealed record EmailMessage(string To, string Subject, string Text, string? Html = null)
{
    public string? ToName { get; init; }
    /// <summary>Null: the configured sender (<see cref="EmailOptions.From"/>).</summary>
    public string? FromAddress { get; init; }
    public string? FromName { get; init; }
    public string? ReplyTo { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    /// <summary>Without angle brackets. Null: one is made up at send time (then a resend is a different message).</summary>
    public string? MessageId { get; init; }

    /// <summary>A Message-ID derived from a stable key (an outbox row), so every resend carries the same one.</summary>
    public static string StableMessageId(string key, string fromAddress)
    {
        var at = fromAddress.LastIndexOf('@');
        var domain = at >= 0 && at < fromAddress.Length - 1 ? fromAddress[(at + 1)..] : "tcma.local";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return $"{hash}@{domain}";
    }
}
