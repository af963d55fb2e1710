using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.Email.Campaigns;
using Tcma.Functions.Identity;

namespace Tcma.Functions.Launches;

/// <summary>The signed links in a campaign email: <c>/u/{token}</c> to unsubscribe, <c>/r/{token}</c> for each tracked link, <c>/o/{token}</c> the open pixel.</summary>
public sealed class CampaignMailLinks(LinkTokens tokens, IOptionsMonitor<CampaignEmailOptions> options) : ICampaignLinks
{
    public string Unsubscribe(CampaignEmail email) =>
        Url("u", tokens.Create(TokenPurposes.Unsubscribe, UnsubscribeSubject(email.LaunchId, email.SendId), email.VendorId, options.CurrentValue.LinkLifetime));

    public string TrackedLink(CampaignEmail email, int index) =>
        Url("r", tokens.Create(TrackedLinks.TokenPurpose, TrackedLinks.TokenSubject(email.SendId, index), email.VendorId, options.CurrentValue.LinkLifetime));

    public string OpenPixel(CampaignEmail email) =>
        Url("o", tokens.Create(OpenTracking.TokenPurpose, OpenTracking.TokenSubject(email.LaunchId, email.TouchId, email.SendId), email.VendorId, options.CurrentValue.LinkLifetime));

    private string Url(string prefix, string token) => $"{options.CurrentValue.PublicBaseUrl.TrimEnd('/')}/{prefix}/{token}";

    /// <summary>Which send an unsubscribe token is for; space never occurs in an escaped id.</summary>
    public static string UnsubscribeSubject(string launchId, string sendId) => $"{Uri.EscapeDataString(launchId)} {Uri.EscapeDataString(sendId)}";

    public static bool TryReadUnsubscribeSubject(string subject, out string launchId, out string sendId)
    {
        var parts = subject.Split(' ');
        launchId = parts.Length == 2 ? Uri.UnescapeDataString(parts[0]) : "";
        sendId = parts.Length == 2 ? Uri.UnescapeDataString(parts[1]) : "";
        return launchId.Length > 0 && sendId.Length > 0;
    }
}
