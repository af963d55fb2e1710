using System.Net;

namespace Tcma.Domain.Launches;

/// <summary>
/// The parts every campaign email carries whatever the kit's template says: the recipient's own unsubscribe link
/// wherever the template asked for it, and a footer with the partner's postal address and the unsubscribe link
/// (the law in most markets, and what keeps the sending domain off block lists).
/// </summary>
public static class CampaignContent
{
    /// <summary>The finished bodies: placeholders filled, footer appended to both parts.</summary>
    public static (string Html, string Text) Finish(string html, string text, string partnerName, string postalAddress, string unsubscribeUrl)
    {
        var encodedUrl = WebUtility.HtmlEncode(unsubscribeUrl);
        var finishedHtml = html.Replace(CampaignEmail.UnsubscribePlaceholder, encodedUrl, StringComparison.Ordinal);
        var finishedText = text.Replace(CampaignEmail.UnsubscribePlaceholder, unsubscribeUrl, StringComparison.Ordinal);

        var address = PostalLines(postalAddress);
        var htmlFooter =
            "<div style=\"margin-top:32px;padding-top:16px;border-top:1px solid #ddd;font-size:12px;line-height:1.5;color:#555\">" +
            $"<p style=\"margin:0 0 8px\">{WebUtility.HtmlEncode(partnerName)}<br>{string.Join("<br>", address.Select(WebUtility.HtmlEncode))}</p>" +
            $"<p style=\"margin:0\">You receive this email because of your contact with {WebUtility.HtmlEncode(partnerName)}. " +
            $"<a href=\"{encodedUrl}\" style=\"color:#555\">Unsubscribe</a></p></div>";
        var bodyEnd = finishedHtml.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        finishedHtml = bodyEnd >= 0 ? finishedHtml.Insert(bodyEnd, htmlFooter) : finishedHtml + htmlFooter;

        var textFooter = $"\n\n--\n{partnerName}\n{string.Join("\n", address)}\n" +
                         $"You receive this email because of your contact with {partnerName}.\nUnsubscribe: {unsubscribeUrl}\n";
        finishedText = finishedText.TrimEnd() + textFooter;
        return (finishedHtml, finishedText);
    }

    /// <summary>The address one line per line; commas are how a single-line address separates its lines.</summary>
    public static IReadOnlyList<string> PostalLines(string postalAddress)
    {
        var lines = postalAddress.Replace("\r", "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 1 ? lines[0].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : lines;
    }

    /// <summary>What can never go out: the mailer records these as Failed instead of retrying them for hours.</summary>
    public static IReadOnlyList<string> Problems(CampaignEmail email)
    {
        var problems = new List<string>();
        void Require(string? value, string name)
        {
            if (string.IsNullOrWhiteSpace(value)) problems.Add($"{name} is missing");
        }
        Require(email.VendorId, nameof(email.VendorId));
        Require(email.PartnerId, nameof(email.PartnerId));
        Require(email.LaunchId, nameof(email.LaunchId));
        Require(email.TouchId, nameof(email.TouchId));
        Require(email.SendId, nameof(email.SendId));
        Require(email.FromName, nameof(email.FromName));
        Require(email.Subject, nameof(email.Subject));
        Require(email.CampaignName, nameof(email.CampaignName));
        // A footer without a postal address is what the law forbids; better not to send at all.
        Require(email.PostalAddress, nameof(email.PostalAddress));
        if (email.Text is null) problems.Add("Text is missing");
        if (email.Html is null) problems.Add("Html is missing");
        if (email.RecipientEmail is null || !ContactList.IsEmailAddress(email.RecipientEmail)) problems.Add("RecipientEmail is not an email address");
        if (email.ReplyTo is null || !ContactList.IsEmailAddress(email.ReplyTo)) problems.Add("ReplyTo is not an email address");
        if (email.Subject is not null && (email.Subject.Contains('\r') || email.Subject.Contains('\n'))) problems.Add("Subject contains a line break");
        if (email.FromName is not null && (email.FromName.Contains('\r') || email.FromName.Contains('\n'))) problems.Add("FromName contains a line break");
        return problems;
    }
}
