using MailKit.Security;

namespace Tcma.Email;

/// <summary>The <c>Email</c> configuration section. Defaults reach a local maildev.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public string SmtpHost { get; set; } = "127.0.0.1";
    public int SmtpPort { get; set; } = 1025;
    public string From { get; set; } = "no-reply@tcma.local";
    public string FromName { get; set; } = "Tcma";
    public string? UserName { get; set; }
    public string? Password { get; set; }
    /// <summary>None for a local relay; StartTls (or SslOnConnect on 465) for a real one. Auto lets MailKit pick.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.None;
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
