using Tcma.Domain.Launches;

namespace Tcma.Email.Campaigns;

/// <summary>The links a campaign email needs, made by the caller (they are signed with the app's link keys).</summary>
public interface ICampaignLinks
{
    string Unsubscribe(CampaignEmail email);
    string TrackedLink(CampaignEmail email, int index);
    /// <summary>The open pixel's URL for this send.</summary>
    string OpenPixel(CampaignEmail email);
}

/// <summary>
/// Turns a <see cref="CampaignEmail"/> into the <see cref="EmailMessage"/> handed to SMTP: tracked links, the footer, the open pixel,
/// From "&lt;partner&gt; via &lt;platform&gt;" on the sending domain, Reply-To the partner, the RFC 8058 one-click
/// unsubscribe headers, and a Message-ID derived from the SendId so every resend of one send is the same message.
/// </summary>
public static class CampaignEmailComposer
{
    public sealed record Composed(EmailMessage Message, IReadOnlyList<string> TrackedUrls);

    public static Composed Compose(CampaignEmail email, CampaignEmailOptions options, ICampaignLinks links)
    {
        var rewritten = TrackedLinks.Rewrite(email.Html, email.Text, i => links.TrackedLink(email, i));
        var unsubscribe = links.Unsubscribe(email);
        var (finished, text) = CampaignContent.Finish(rewritten.Html, rewritten.Text, email.FromName, email.PostalAddress, unsubscribe);
        // The HTML part only: a text-only reader loads nothing, and so counts as an open only by clicking.
        var html = OpenTracking.AddPixel(finished, links.OpenPixel(email));
        var mailto = $"mailto:{options.UnsubscribeMailbox}?subject=unsubscribe";
        var message = new EmailMessage(email.RecipientEmail, email.Subject, text, html)
        {
            ToName = string.IsNullOrWhiteSpace(email.RecipientName) ? null : OneLine(email.RecipientName),
            FromAddress = options.CampaignFrom,
            FromName = $"{OneLine(email.FromName)} via {options.PlatformName}",
            ReplyTo = email.ReplyTo,
            MessageId = MessageIdFor(email, options),
            Headers = new Dictionary<string, string>
            {
                ["List-Unsubscribe"] = $"<{unsubscribe}>, <{mailto}>",
                ["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click",
                ["Precedence"] = "bulk",
            },
        };
        return new Composed(message, rewritten.Urls);
    }

    public static string MessageIdFor(CampaignEmail email, CampaignEmailOptions options) =>
        EmailMessage.StableMessageId($"campaign|{email.VendorId}|{email.SendId}", options.CampaignFrom);

    private static string OneLine(string value) => value.Replace('\r', ' ').Replace('\n', ' ').Trim();
}
