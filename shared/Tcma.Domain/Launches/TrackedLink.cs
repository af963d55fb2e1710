namespace Tcma.Domain.Launches;

/// <summary>One link of one campaign email, as stored before the email went: the only place a redirect may lead.</summary>
public sealed record TrackedLink(
    string VendorId, string PartnerId, string LaunchId, string TouchId, string SendId, int Index,
    string Recipient, string CampaignName, string Url)
{
    /// <summary>Where the redirect sends the browser: the original URL with our UTM parameters.</summary>
    public string Target => TrackedLinks.WithUtm(Url, CampaignName, TouchId);
}

/// <summary>A recorded click on a tracked link.</summary>
public sealed record TrackedLinkClick(string LaunchId, string TouchId, string SendId, string Recipient, string Url, DateTimeOffset At);
