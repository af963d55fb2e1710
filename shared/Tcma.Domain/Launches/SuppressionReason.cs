namespace Tcma.Domain.Launches;

/// <summary>Why an address is on a partner's suppression list.</summary>
public enum SuppressionReason
{
    Unsubscribed,
    /// <summary>The receiving server refused the address for good (a 5xx for the recipient).</summary>
    HardBounce,
}
