using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Syndication.Fakes;
using Tcma.Storage;
using Tcma.Storage.Messaging;
using Tcma.Storage.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// SocialPostDue messages through the real queue, the local trigger host and the social-posts function, posting to
/// the loopback fakes: what reaches the network, what is recorded, and who is emailed.
/// </summary>
public sealed class SocialPublishingTests : IAsyncLifetime
{
    private const string Partner = "contoso";
    private SocialApp app = null!;
    private string partnerEmail = "";

    public async Task InitializeAsync()
    {
        app = await SocialApp.StartAsync(new Dictionary<string, string?> { ["Syndication:Publishing:MaxAttempts"] = "3" });
        partnerEmail = await app.AddPartnerAsync(Partner);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private async Task<SocialPostDue> DueAsync(SocialNetwork network, byte[]? image = null, string? text = null)
    {
        string? container = null, path = null;
        if (image is not null)
        {
            container = "renders";
            path = $"launch-1/{Guid.NewGuid():N}.png";
            var blobs = app.Services.GetRequiredService<StorageAccount>().Container(container);
            await blobs.CreateIfNotExistsAsync();
            await blobs.GetBlobClient(path).UploadAsync(BinaryData.FromBytes(image));
        }
        var id = Guid.NewGuid().ToString("N")[..8];
        return new SocialPostDue(SocialApp.Vendor, Partner, "launch-" + id, "touch-1", $"post-{id}-{network}", network,
            text ?? $"Spring offer {id}: 20% off managed backups. Book a call https://partner.example/book", container, path, app.Clock.GetUtcNow());
    }

    private Task SendAsync(SocialPostDue due) => app.Services.GetRequiredService<IMessageSender>().SendAsync(SocialPostDue.Queue, due);

    [Theory]
    [InlineData(SocialNetwork.LinkedIn)]
    [InlineData(SocialNetwork.X)]
    [InlineData(SocialNetwork.Facebook)]
    public async Task A_due_post_with_an_image_is_published_once_and_recorded_with_its_url(SocialNetwork network)
    {
        await app.ConnectAsync(Partner, network);
        var image = SyndicationHarness.Png(20_000);
        var due = await DueAsync(network, image);

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Published, post.Status);
        var onNetwork = Assert.Single(app.Fake(network).Posts);
        Assert.Equal(onNetwork.Id, post.NetworkPostId);
        Assert.Equal(image, onNetwork.Image);
        Assert.NotNull(post.Url);
        Assert.Equal(1, post.Attempts);

        var summary = await app.Services.GetRequiredService<SocialPostLog>().SummariseAsync(due.VendorId, due.LaunchId);
        Assert.Equal(1, summary.Count(SocialPostStatus.Published));
        Assert.Equal(due.PostId, Assert.Single(summary.Posts).PostId);
    }

    [Fact]
    public async Task A_rate_limit_is_retried_after_the_networks_wait_and_then_posts()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);
        app.X.RateLimitWait = TimeSpan.FromSeconds(1);
        app.X.FailNextCreate(FakeFailure.RateLimited);
        var due = await DueAsync(SocialNetwork.X, SyndicationHarness.Png());

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Published, post.Status);
        Assert.Equal(2, post.Attempts);
        Assert.Single(app.X.Posts);
    }

    [Fact]
    public async Task Server_errors_on_every_attempt_end_failed_and_the_partner_is_emailed_once()
    {
        await app.ConnectAsync(Partner, SocialNetwork.LinkedIn);
        for (var i = 0; i < 3; i++) app.LinkedIn.FailNextCreate(FakeFailure.ServerError);
        var due = await DueAsync(SocialNetwork.LinkedIn, SyndicationHarness.Png());

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Failed, post.Status);
        Assert.Equal(3, post.Attempts);
        Assert.Empty(app.LinkedIn.Posts);
        var email = Assert.Single(await app.Factory.Inbox.WaitForAsync(partnerEmail));
        Assert.Contains("could not be published", email.Subject);
        await app.WaitForQueueDrainedAsync();
        Assert.Single(await app.Factory.Inbox.ToAsync(partnerEmail));
    }

    [Fact]
    public async Task An_answer_lost_after_the_network_took_the_post_does_not_post_twice()
    {
        await app.ConnectAsync(Partner, SocialNetwork.Facebook);
        app.Facebook.FailNextCreate(FakeFailure.AcceptThenDropConnection);
        var due = await DueAsync(SocialNetwork.Facebook, SyndicationHarness.Png());

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Published, post.Status);
        Assert.True(post.AlreadyExisted);
        Assert.Single(app.Facebook.Posts);
    }

    [Fact]
    public async Task A_crash_between_attempt_start_and_outcome_finds_the_earlier_post()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);
        var due = await DueAsync(SocialNetwork.X);
        // The earlier delivery recorded its attempt, the network took the post, and the process died before the outcome.
        var log = app.Services.GetRequiredService<SocialPostLog>();
        var began = await log.BeginAttemptAsync(due.VendorId, due.LaunchId, due.PostId, due.PartnerId, due.TouchId, due.Network, app.Clock.GetUtcNow(), TimeSpan.FromMinutes(1));
        Assert.IsType<SocialAttempt.Began>(began);
        var account = await app.Services.GetRequiredService<SocialAccountStore>().GetAsync(SocialApp.Vendor, Partner, SocialNetwork.X);
        var connector = Tcma.Syndication.SyndicationServiceCollectionExtensions.For(app.Services.GetServices<Tcma.Syndication.ISocialConnector>(), SocialNetwork.X);
        await connector.PublishAsync(Tcma.Functions.Syndication.SocialAccountAccess.ForConnector(account!), new Tcma.Syndication.SocialPost(due.PostId, due.Text), default);
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Published, post.Status);
        Assert.True(post.AlreadyExisted);
        Assert.Single(app.X.Posts);
    }

    [Fact]
    public async Task A_closed_gate_posts_nothing_and_records_stopped()
    {
        await app.ConnectAsync(Partner, SocialNetwork.LinkedIn);
        app.Gate.Open = false;
        var due = await DueAsync(SocialNetwork.LinkedIn);

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Stopped, post.Status);
        Assert.Empty(app.LinkedIn.Posts);
        Assert.DoesNotContain(app.LinkedIn.Requests, r => r.Path.StartsWith("/rest/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_published_post_counts_once_for_its_launchs_kit_however_often_it_is_delivered()
    {
        await app.ConnectAsync(Partner, SocialNetwork.LinkedIn);
        var due = await DueAsync(SocialNetwork.LinkedIn);
        await app.Services.GetRequiredService<Tcma.Storage.Launches.LaunchStore>().AddLaunchAsync(new Tcma.Storage.Launches.LaunchRecord(
            SocialApp.Vendor, Partner, due.LaunchId, "inv-" + due.LaunchId, "cloud-backup-nurture", "1.0.0", new Dictionary<string, string>(),
            DateOnly.FromDateTime(app.Clock.GetUtcNow().UtcDateTime), "UTC", false, null, 0, [SocialNetwork.LinkedIn], "https://partner.example", app.Clock.GetUtcNow()), default);

        await SendAsync(due);
        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Published, post.Status);
        await SendAsync(due);
        await app.WaitForQueueDrainedAsync();

        var day = DateOnly.FromDateTime(post.UpdatedAt.UtcDateTime);
        var rows = await app.Services.GetRequiredService<Tcma.Storage.Dashboards.DashboardCounterStore>().ReadAsync(SocialApp.Vendor, day, day);
        var kit = rows.Where(r => r.KitId == "cloud-backup-nurture").Sum(r => r.Counts[Tcma.Domain.Dashboards.ActivityKind.PostPublished]);
        var partner = rows.Where(r => r.PartnerId == Partner).Sum(r => r.Counts[Tcma.Domain.Dashboards.ActivityKind.PostPublished]);
        Assert.Equal((1, 1), (kit, partner));
    }

    [Fact]
    public async Task The_same_post_delivered_again_posts_nothing_new()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);
        var due = await DueAsync(SocialNetwork.X);

        await SendAsync(due);
        var first = await app.WaitForPostAsync(due, p => p.IsFinal);
        await SendAsync(due);
        await SendAsync(due with { Text = "A different text under the same post id" });
        await app.WaitForQueueDrainedAsync();

        Assert.Single(app.X.Posts);
        var again = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(first, again);
    }

    [Fact]
    public async Task A_post_that_arrives_long_after_its_due_time_is_not_posted_and_the_partner_is_told()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);
        var due = await DueAsync(SocialNetwork.X);
        app.Clock.Advance(TimeSpan.FromHours(13));

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Failed, post.Status);
        Assert.Contains("too late", post.Reason);
        Assert.Empty(app.X.Posts);
        var email = Assert.Single(await app.Factory.Inbox.WaitForAsync(partnerEmail));
        Assert.Contains("too late", email.Text);
    }

    [Fact]
    public async Task A_post_for_a_network_the_partner_never_connected_is_recorded_as_needing_a_connection()
    {
        var due = await DueAsync(SocialNetwork.Facebook);

        await SendAsync(due);

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        Assert.Equal(SocialPostStatus.Reconnect, post.Status);
        Assert.Contains("No Facebook account is connected", post.Reason);
    }

    [Fact]
    public async Task A_revoked_token_at_post_time_records_reconnect_and_emails_once()
    {
        await app.ConnectAsync(Partner, SocialNetwork.Facebook);
        app.Facebook.TokenRevoked = true;
        var first = await DueAsync(SocialNetwork.Facebook);
        var second = await DueAsync(SocialNetwork.Facebook);

        await SendAsync(first);
        await app.WaitForPostAsync(first, p => p.IsFinal);
        await SendAsync(second);

        Assert.Equal(SocialPostStatus.Reconnect, (await app.WaitForPostAsync(second, p => p.IsFinal)).Status);
        var email = Assert.Single(await app.Factory.Inbox.WaitForAsync(partnerEmail));
        Assert.Contains("Reconnect your Facebook account", email.Subject);
    }

    [Fact]
    public async Task A_malformed_message_goes_to_the_poison_queue_and_posts_nothing()
    {
        await app.ConnectAsync(Partner, SocialNetwork.X);
        var queue = app.Queue(SocialPostDue.Queue);
        await app.Services.GetRequiredService<IMessageSender>().SendAsync(SocialPostDue.Queue, new { VendorId = SocialApp.Vendor, Network = "MySpace", Text = "hi" });

        var poison = app.Queue(SocialPostDue.Queue + "-poison");
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!(await poison.ExistsAsync()).Value || (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0)
        {
            Assert.True(DateTime.UtcNow < until, "the malformed message reaches social-posts-poison");
            await Task.Delay(200);
        }
        Assert.Empty(app.X.Posts);
        Assert.Equal(0, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
