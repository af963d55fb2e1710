using Tcma.Domain;
using System.Text.Json;
using Azure;
using Microsoft.Extensions.Options;
using Tcma.Domain.Launches;
using Tcma.Email;
using Tcma.Email.Outbox;
using Tcma.Storage;
using Tcma.Storage.Messaging;
using Tcma.Storage.Partners;
using Tcma.Storage.Syndication;
using Tcma.Syndication;

namespace Tcma.Functions.Syndication;

public sealed class SocialPublishingOptions
{
    public const string Section = "Syndication:Publishing";

    /// <summary>Network calls per post before it is reported Failed (rate limits and 5xx count).</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>A network's wait longer than this is capped: the post is retried then, and asks again.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// A post whose first delivery comes this long after its due time (a backlog, an outage) is not posted: a
    /// "webinar tomorrow" post a day late does the partner harm. Retries of a post that started on time are not cut off.
    /// </summary>
    public TimeSpan MaxLateness { get; set; } = TimeSpan.FromHours(12);
}

/// <summary>
/// The <c>social-posts</c> queue function: one SocialPostDue at a time, at least once, possibly twice. The post row
/// decides: a final row means a duplicate (nothing happens); an attempt is recorded before the network is called
/// and its outcome after, and a later delivery that finds an attempt without an outcome passes PreviousAttemptAt so
/// the connector finds the earlier post instead of posting twice.
/// </summary>
public sealed class SocialPublisher(
    SocialPostLog posts, SocialAccountStore accounts, SocialAccountAccess access, ReconnectNotices notices,
    IEnumerable<ISocialConnector> connectors, IServiceProvider services, StorageAccount storage, IMessageSender sender,
    PartnerDirectory partners, EmailOutbox outbox,
    IOptions<SyndicationOptions> syndication, IOptions<SocialPublishingOptions> options, TimeProvider clock, ILogger<SocialPublisher> logger)
{
    public const string Function = "SocialPosts";

    /// <summary>Longer than any one publish can take (a LinkedIn post is up to four requests, each bounded by the request timeout).</summary>
    private TimeSpan Lease => syndication.Value.RequestTimeout * 5;

    /// <summary>A malformed message throws: the host retries it, then moves it to <c>social-posts-poison</c> with the reason logged.</summary>
    internal static Task HandleAsync(Hosting.FunctionInvocation invocation, IServiceProvider services, CancellationToken cancellationToken)
    {
        var due = invocation.ReadMessage<SocialPostDue>();
        if (due is null || string.IsNullOrWhiteSpace(due.VendorId) || string.IsNullOrWhiteSpace(due.PartnerId)
            || string.IsNullOrWhiteSpace(due.LaunchId) || string.IsNullOrWhiteSpace(due.TouchId) || string.IsNullOrWhiteSpace(due.PostId)
            || !Enum.IsDefined(due.Network) || due.Text is null || (due.ImageContainer is null) != (due.ImagePath is null))
            throw new InvalidDataException("social-posts message lacks a vendor, partner, launch, touch, post id, network or text, or names half an image.");
        return services.GetRequiredService<SocialPublisher>().PublishAsync(due, cancellationToken);
    }

    public async Task PublishAsync(SocialPostDue due, CancellationToken cancellationToken)
    {
        var existing = await posts.GetAsync(due.VendorId, due.LaunchId, due.PostId, cancellationToken);
        if (existing is { IsFinal: true })
        {
            logger.LogInformation("Social post {PostId} already {Status}: duplicate delivery ignored", due.PostId, existing.Status);
            return;
        }

        // No default gate on purpose: posting for a paused or cancelled launch is worse than not posting yet.
        var gate = services.GetService<ILaunchSendGate>()
            ?? throw new InvalidOperationException("No ILaunchSendGate is registered: social posts wait until the launch capability provides one.");
        if (!await gate.MaySendAsync(due.VendorId, due.LaunchId, due.TouchId, cancellationToken))
        {
            await RecordAsync(due, SocialPostStatus.Stopped, "The launch was paused or cancelled, or its kit version recalled.", cancellationToken: cancellationToken);
            return;
        }

        var account = await accounts.GetAsync(due.VendorId, due.PartnerId, due.Network, cancellationToken);
        if (account is null)
        {
            await RecordAsync(due, SocialPostStatus.Reconnect, $"No {SocialOAuthClient.Name(due.Network)} account is connected.", cancellationToken: cancellationToken);
            return;
        }

        SocialImage? image = null;
        if (due.ImageContainer is not null)
        {
            image = await ImageAsync(due.ImageContainer, due.ImagePath!, cancellationToken);
            if (image is null)
            {
                await RecordAsync(due, SocialPostStatus.Rejected, $"The post's image {due.ImageContainer}/{due.ImagePath} does not exist.", cancellationToken: cancellationToken);
                return;
            }
        }

        var now = clock.GetUtcNow();
        if (existing is null && now - due.DueAt > options.Value.MaxLateness)
        {
            await FailAsync(due, $"It reached the publisher {(now - due.DueAt).TotalHours:0.#} hours after its due time, too late to post.",
                "it reached us too late to be posted on time", cancellationToken);
            return;
        }
        var attempt = await posts.BeginAttemptAsync(due.VendorId, due.LaunchId, due.PostId, due.PartnerId, due.TouchId, due.Network, now, Lease, cancellationToken);
        switch (attempt)
        {
            case SocialAttempt.AlreadyFinal:
                // A redelivery after a crash between recording the post and counting it: counted now (once, by its id).
                await CountPublishedAsync(due, cancellationToken);
                return;
            case SocialAttempt.Busy busy:
                // Another delivery is talking to the network: look again once its lease has run out.
                await sender.SendAsync(SocialPostDue.Queue, due, busy.RetryIn, cancellationToken);
                return;
        }
        var began = (SocialAttempt.Began)attempt;
        if (began.Number > options.Value.MaxAttempts)
        {
            // A crash after the last attempt's outcome was known but before it was recorded.
            await FailAsync(due, "The network kept failing; the last attempt's outcome was not recorded.", KeptFailing(due.Network), cancellationToken);
            return;
        }

        var fresh = account;
        PublishOutcome outcome;
        try
        {
            fresh = await access.FreshAsync(account, now.AddMinutes(5), cancellationToken);
            outcome = await connectors.For(due.Network).PublishAsync(SocialAccountAccess.ForConnector(fresh),
                new SocialPost(due.PostId, due.Text, image, began.PreviousAttemptAt), cancellationToken);
        }
        catch (SocialNetworkUnavailableException ex)
        {
            outcome = new PublishOutcome.RetryLater(syndication.Value.DefaultRetryAfter, ex.Message);
        }

        switch (outcome)
        {
            case PublishOutcome.Published p:
                await RecordAsync(due, SocialPostStatus.Published, null, p.PostId, p.Url, p.AlreadyExisted, cancellationToken: cancellationToken);
                await CountPublishedAsync(due, cancellationToken);
                break;
            case PublishOutcome.Rejected r:
                await RecordAsync(due, SocialPostStatus.Rejected, r.Reason, cancellationToken: cancellationToken);
                break;
            case PublishOutcome.Reconnect r:
                await notices.NotifyAsync(fresh, r.Reason, cancellationToken);
                await RecordAsync(due, SocialPostStatus.Reconnect, r.Reason, cancellationToken: cancellationToken);
                break;
            case PublishOutcome.RetryLater r when began.Number < options.Value.MaxAttempts:
                var delay = r.After > options.Value.MaxRetryDelay ? options.Value.MaxRetryDelay : r.After;
                // Send first, record second: a crash in between leaves a retry on the queue and this message redelivered,
                // and both find the attempt on record.
                await sender.SendAsync(SocialPostDue.Queue, due, delay, cancellationToken);
                await RecordAsync(due, SocialPostStatus.Retrying, $"Attempt {began.Number}: {r.Reason}", nextAttemptAt: clock.GetUtcNow() + delay, cancellationToken: cancellationToken);
                break;
            case PublishOutcome.RetryLater r:
                await FailAsync(due, $"Gave up after {began.Number} attempts: {r.Reason}", KeptFailing(due.Network), cancellationToken);
                break;
        }
    }

    /// <summary>A published post, counted for the dashboards at the moment its record says (as a rebuild counts it).</summary>
    private async Task CountPublishedAsync(SocialPostDue due, CancellationToken cancellationToken)
    {
        if (await posts.GetAsync(due.VendorId, due.LaunchId, due.PostId, cancellationToken) is { Status: SocialPostStatus.Published } post)
            await services.GetRequiredService<Tcma.Functions.Dashboards.DashboardService>().CountLaunchEventAsync(
                due.VendorId, due.LaunchId, due.PostId, Tcma.Domain.Dashboards.ActivityKind.PostPublished, post.UpdatedAt, cancellationToken);
    }

    private async Task<SocialImage?> ImageAsync(string container, string path, CancellationToken cancellationToken)
    {
        try
        {
            var blob = storage.Container(container).GetBlobClient(path);
            return new SocialImage((await blob.DownloadContentAsync(cancellationToken)).Value.Content.ToMemory());
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    /// <summary>The partner hears about a post that will not go out; the email is queued first (keyed by the post), so a crash repeats the enqueue, which the outbox sends once, rather than losing it.</summary>
    private static string KeptFailing(SocialNetwork network) => $"{SocialOAuthClient.Name(network)} kept failing when we tried several times";

    private async Task FailAsync(SocialPostDue due, string reason, string why, CancellationToken cancellationToken)
    {
        var partner = await partners.GetAsync(due.VendorId, due.PartnerId, cancellationToken);
        if (partner is { Partner.Contacts.Count: > 0 })
        {
            var contact = partner.Partner.PrimaryContact;
            var network = SocialOAuthClient.Name(due.Network);
            var excerpt = due.Text.Length <= 200 ? due.Text : due.Text[..200] + "…";
            await outbox.EnqueueAsync(new EmailMessage(contact.Email, $"A {network} post of your campaign could not be published",
                $"""
                Hello {contact.Name},

                This {network} post, due {due.DueAt:u}, was not published because {why}:

                "{excerpt}"

                Nothing was posted. You can post it yourself, or reply to this email if it keeps happening.
                """)
            {
                ToName = contact.Name,
            }, $"social-failed:{due.VendorId}:{due.LaunchId}:{due.PostId}", cancellationToken);
        }
        else
        {
            logger.LogWarning("Social post {PostId} failed, but partner {Partner} has no contact to tell", due.PostId, due.PartnerId);
        }
        await RecordAsync(due, SocialPostStatus.Failed, reason, cancellationToken: cancellationToken);
    }

    private Task<SocialPostRecord> RecordAsync(SocialPostDue due, SocialPostStatus status, string? reason, string? networkPostId = null, Uri? url = null,
        bool alreadyExisted = false, DateTimeOffset? nextAttemptAt = null, CancellationToken cancellationToken = default) =>
        posts.RecordAsync(due.VendorId, due.LaunchId, due.PostId, due.PartnerId, due.TouchId, due.Network, status, clock.GetUtcNow(),
            reason, networkPostId, url, alreadyExisted, nextAttemptAt, cancellationToken);
}
