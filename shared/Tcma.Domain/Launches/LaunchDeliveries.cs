namespace Tcma.Domain.Launches;

/// <summary>
/// One personalised campaign email of a launch touch, already rendered, handed to the campaign mailer through the
/// <c>campaign-emails</c> queue. The mailer owns everything every campaign email must carry whatever the kit says:
/// suppression, tracked links with UTM parameters, the unsubscribe headers and footer with the partner's postal
/// address, throttling, retries and the record of the outcome. <see cref="SendId"/> is unique per launch, touch and
/// recipient: the same id delivered twice is sent once.
/// </summary>
/// <remarks>
/// Wherever the rendered body should link to the unsubscribe page, it contains <see cref="UnsubscribePlaceholder"/>;
/// the mailer replaces it with the recipient's own link.
/// </remarks>
public sealed record CampaignEmail(
    string VendorId,
    string PartnerId,
    string LaunchId,
    string TouchId,
    string SendId,
    string RecipientEmail,
    string? RecipientName,
    string FromName,
    string ReplyTo,
    string PostalAddress,
    string Subject,
    string Html,
    string Text,
    string CampaignName)
{
    public const string Queue = "campaign-emails";
    public const string UnsubscribePlaceholder = "%%TCMA_UNSUBSCRIBE_URL%%";
}

/// <summary>
/// A social touch of a launch that is due now, handed to the social publisher through the <c>social-posts</c> queue.
/// The image is a blob the launch rendered (container and path in the app's storage account), or none.
/// <see cref="PostId"/> is unique per launch, touch and network and doubles as the connector's idempotency key.
/// </summary>
public sealed record SocialPostDue(
    string VendorId,
    string PartnerId,
    string LaunchId,
    string TouchId,
    string PostId,
    SocialNetwork Network,
    string Text,
    string? ImageContainer,
    string? ImagePath,
    DateTimeOffset DueAt)
{
    public const string Queue = "social-posts";
}

/// <summary>
/// Asked by the mailer and the social publisher right before each send: a paused or cancelled launch, or a recalled
/// kit version, sends nothing more. The launch capability implements it.
/// </summary>
public interface ILaunchSendGate
{
    Task<bool> MaySendAsync(string vendorId, string launchId, string touchId, CancellationToken cancellationToken);
}
