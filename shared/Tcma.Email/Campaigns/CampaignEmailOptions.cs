using Tcma.Domain.Launches;

namespace Tcma.Email.Campaigns;

/// <summary>
/// Campaign-email settings, in the same <c>Email</c> section as the SMTP settings (<c>Email:CampaignFrom</c>,
/// <c>Email:PublicBaseUrl</c>...). Campaign mail goes from its own address on the platform's sending domain so its
/// reputation is kept apart from the workflow emails'.
/// </summary>
public sealed class CampaignEmailOptions
{
    /// <summary>The From address of every campaign email; the partner's name is its display name.</summary>
    public string CampaignFrom { get; set; } = "campaigns@mail.tcma.local";
    /// <summary>Shown as "&lt;partner&gt; via &lt;platform&gt;".</summary>
    public string PlatformName { get; set; } = "Tcma";
    /// <summary>Where recipients reach the app: the unsubscribe (<c>/u/</c>) and tracked-link (<c>/r/</c>) URLs start here.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071";
    /// <summary>The mailto: of the List-Unsubscribe header, for mail clients that do not do one-click.</summary>
    public string UnsubscribeMailbox { get; set; } = "unsubscribe@mail.tcma.local";
    /// <summary>Emails handed to SMTP per second by one instance, all partners together.</summary>
    public double CampaignRatePerSecond { get; set; } = 50;
    /// <summary>Emails per second per partner by one instance, so one big launch cannot hold up everyone else's.</summary>
    public double CampaignPartnerRatePerSecond { get; set; } = 20;
    /// <summary>How long SMTP trouble is retried before a campaign email is recorded Failed.</summary>
    public TimeSpan CampaignRetryFor { get; set; } = CampaignRetryPolicy.Default.GiveUpAfter;
    public TimeSpan CampaignRetryFirstDelay { get; set; } = CampaignRetryPolicy.Default.FirstDelay;
    public TimeSpan CampaignRetryMaxDelay { get; set; } = CampaignRetryPolicy.Default.MaxDelay;
    public TimeSpan CampaignRecheckAfter { get; set; } = CampaignRetryPolicy.Default.RecheckAfter;
    /// <summary>How long unsubscribe and tracked links in a sent email keep working.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(400);

    public CampaignRates Rates => new(CampaignRatePerSecond, CampaignPartnerRatePerSecond);

    public CampaignRetryPolicy RetryPolicy => CampaignRetryPolicy.Default with
    {
        GiveUpAfter = CampaignRetryFor, FirstDelay = CampaignRetryFirstDelay, MaxDelay = CampaignRetryMaxDelay, RecheckAfter = CampaignRecheckAfter,
    };

    public static bool IsValid(CampaignEmailOptions o) =>
        Uri.TryCreate(o.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && o.CampaignRatePerSecond > 0 && o.CampaignPartnerRatePerSecond > 0
        && o.CampaignFrom.Contains('@') && o.UnsubscribeMailbox.Contains('@')
        && o.CampaignRetryFirstDelay > TimeSpan.Zero && o.CampaignRecheckAfter > TimeSpan.Zero && o.CampaignRetryMaxDelay >= o.CampaignRetryFirstDelay;
}
