using Tcma.Domain;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using Tcma.FunctionalTests.Syndication.Fakes;
using Tcma.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>Each connector sends what its network's documentation describes, in that order, with those headers.</summary>
public sealed class RequestShapeTests : IAsyncLifetime
{
    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    private readonly List<IAsyncDisposable> fakes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var fake in fakes) await fake.DisposeAsync();
    }

    private async Task<(T Fake, SyndicationHarness Harness)> Start<T>(T fake, SocialNetwork network) where T : FakeSocialApi
    {
        fakes.Add(fake);
        await fake.StartAsync();
        return (fake, new SyndicationHarness(fake, network, clock));
    }

    [Fact]
    public async Task LinkedIn_initialises_an_image_upload_puts_the_bytes_then_creates_a_versioned_post()
    {
        var (fake, harness) = await Start(new FakeLinkedIn(clock), SocialNetwork.LinkedIn);
        using var _ = harness;
        var image = SyndicationHarness.Png();

        var outcome = await harness.Connector.PublishAsync(harness.Account(["w_organization_social"]),
            new SocialPost("touch-1", "Save 20% (this week) on backups #cloud @Northwind", new SocialImage(image)), CancellationToken.None);

        var published = Assert.IsType<PublishOutcome.Published>(outcome);
        Assert.Collection(fake.Requests,
            init =>
            {
                Assert.Equal(("POST", "/rest/images", "?action=initializeUpload"), (init.Method, init.Path, init.Query));
                Assert.Equal(fake.AccountId, (string?)JsonNode.Parse(init.Body)!["initializeUploadRequest"]!["owner"]);
            },
            upload =>
            {
                Assert.Equal("PUT", upload.Method);
                Assert.StartsWith("/dms-uploads/", upload.Path);
                Assert.Equal(image, upload.Body);
            },
            create =>
            {
                Assert.Equal(("POST", "/rest/posts"), (create.Method, create.Path));
                var body = JsonNode.Parse(create.Body)!;
                Assert.Equal(fake.AccountId, (string?)body["author"]);
                Assert.Equal(@"Save 20% \(this week\) on backups {hashtag|\#|cloud} \@Northwind", (string?)body["commentary"]);
                Assert.Equal("PUBLIC", (string?)body["visibility"]);
                Assert.Equal("MAIN_FEED", (string?)body["distribution"]!["feedDistribution"]);
                Assert.Equal("PUBLISHED", (string?)body["lifecycleState"]);
                Assert.StartsWith("urn:li:image:", (string?)body["content"]!["media"]!["id"]);
            });
        Assert.All(fake.Requests.Where(r => r.Path.StartsWith("/rest/")), r =>
        {
            Assert.Matches("^[0-9]{6}$", r.Headers["LinkedIn-Version"]);
            Assert.Equal("2.0.0", r.Headers["X-Restli-Protocol-Version"]);
        });
        Assert.StartsWith("urn:li:share:", published.PostId);
        Assert.Equal($"https://www.linkedin.com/feed/update/{published.PostId}/", published.Url.ToString());
    }

    [Fact]
    public async Task LinkedIn_retry_that_misses_the_post_in_a_lagging_finder_takes_the_id_from_the_duplicate_error()
    {
        var (fake, harness) = await Start(new FakeLinkedIn(clock), SocialNetwork.LinkedIn);
        using var _ = harness;
        var account = harness.Account(["w_organization_social"]);
        var attemptStarted = clock.GetUtcNow();
        var post = new SocialPost("touch-1", "Backups that just work.", new SocialImage(SyndicationHarness.Png()));
        fake.FailNextCreate(FakeFailure.AcceptThenDropConnection);
        fake.FinderLags = true;

        var first = await harness.Connector.PublishAsync(account, post, CancellationToken.None);
        var second = await harness.Connector.PublishAsync(account, post with { PreviousAttemptAt = attemptStarted }, CancellationToken.None);

        Assert.IsType<PublishOutcome.RetryLater>(first);
        var published = Assert.IsType<PublishOutcome.Published>(second);
        Assert.True(published.AlreadyExisted);
        Assert.Equal(Assert.Single(fake.Posts).Id, published.PostId);
    }

    [Fact]
    public async Task X_uploads_the_image_as_multipart_then_posts_the_text_with_its_media_id()
    {
        var (fake, harness) = await Start(new FakeX(clock), SocialNetwork.X);
        using var _ = harness;
        var image = SyndicationHarness.Png();

        var outcome = await harness.Connector.PublishAsync(harness.Account(["tweet.write", "tweet.read", "users.read", "media.write"]),
            new SocialPost("touch-1", "Backups that just work.", new SocialImage(image)), CancellationToken.None);

        var published = Assert.IsType<PublishOutcome.Published>(outcome);
        Assert.Collection(fake.Requests,
            upload =>
            {
                Assert.Equal(("POST", "/2/media/upload"), (upload.Method, upload.Path));
                Assert.StartsWith("multipart/form-data", upload.ContentType);
                Assert.Equal("tweet_image", upload.Form!["media_category"]);
                Assert.Equal("image/png", upload.Form["media_type"]);
                Assert.Equal("image/png", upload.Form.Files["media"]!.ContentType);
            },
            create =>
            {
                Assert.Equal(("POST", "/2/tweets"), (create.Method, create.Path));
                var body = JsonNode.Parse(create.Body)!;
                Assert.Equal("Backups that just work.", (string?)body["text"]);
                var mediaId = Assert.Single(body["media"]!["media_ids"]!.AsArray())!.GetValue<string>();
                Assert.Equal("tweet_image", fake.MediaCategories[mediaId]);
            });
        Assert.Equal(image, Assert.Single(fake.Posts).Image);
        Assert.Equal($"https://x.com/i/web/status/{published.PostId}", published.Url.ToString());
    }

    [Fact]
    public async Task X_rate_limit_wait_comes_from_x_rate_limit_reset_measured_on_our_clock()
    {
        var (fake, harness) = await Start(new FakeX(clock), SocialNetwork.X);
        using var _ = harness;
        fake.RateLimitWait = TimeSpan.FromSeconds(754);
        fake.FailNextCreate(FakeFailure.RateLimited);

        var outcome = await harness.Connector.PublishAsync(harness.Account(["tweet.write", "tweet.read", "users.read", "media.write"]),
            new SocialPost("touch-1", "Hello"), CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(754), Assert.IsType<PublishOutcome.RetryLater>(outcome).After);
    }

    [Fact]
    public async Task Facebook_posts_a_photo_with_its_caption_to_the_page_and_returns_the_feed_post_id()
    {
        var (fake, harness) = await Start(new FakeFacebook(clock), SocialNetwork.Facebook);
        using var _ = harness;
        var image = SyndicationHarness.Png();

        var outcome = await harness.Connector.PublishAsync(harness.Account(["pages_manage_posts", "pages_read_engagement"]),
            new SocialPost("touch-1", "Backups that just work.", new SocialImage(image)), CancellationToken.None);

        var published = Assert.IsType<PublishOutcome.Published>(outcome);
        var request = Assert.Single(fake.Requests);
        Assert.Equal(("POST", $"/v25.0/{fake.AccountId}/photos"), (request.Method, request.Path));
        Assert.Equal("Backups that just work.", request.Form!["caption"]);
        Assert.Equal("true", request.Form["published"]);
        Assert.Equal("", request.Query);
        Assert.Equal(image, Assert.Single(fake.Posts).Image);
        Assert.Matches($"^{fake.AccountId}_[0-9]+$", published.PostId);
    }

    [Fact]
    public async Task Facebook_text_alone_goes_to_the_page_feed_as_a_message()
    {
        var (fake, harness) = await Start(new FakeFacebook(clock), SocialNetwork.Facebook);
        using var _ = harness;

        var outcome = await harness.Connector.PublishAsync(harness.Account(["pages_manage_posts", "pages_read_engagement"]),
            new SocialPost("touch-1", "Webinar on Thursday: bring your questions."), CancellationToken.None);

        Assert.IsType<PublishOutcome.Published>(outcome);
        var request = Assert.Single(fake.Requests);
        Assert.Equal(("POST", $"/v25.0/{fake.AccountId}/feed"), (request.Method, request.Path));
        Assert.Equal("Webinar on Thursday: bring your questions.", request.Form!["message"]);
    }

    [Fact]
    public async Task Facebook_expired_token_code_190_asks_for_a_reconnect()
    {
        var (fake, harness) = await Start(new FakeFacebook(clock), SocialNetwork.Facebook);
        using var _ = harness;
        fake.TokenRevoked = true;

        var outcome = await harness.Connector.PublishAsync(harness.Account(["pages_manage_posts", "pages_read_engagement"]),
            new SocialPost("touch-1", "Hello"), CancellationToken.None);

        Assert.Contains("190", Assert.IsType<PublishOutcome.Reconnect>(outcome).Reason);
    }

    [Fact]
    public async Task A_check_with_a_token_for_another_account_needs_a_reconnect()
    {
        var (fake, harness) = await Start(new FakeFacebook(clock), SocialNetwork.Facebook);
        using var _ = harness;
        // A user token where a Page token belongs: /me answers with someone else's id.
        var page = harness.Account(["pages_manage_posts", "pages_read_engagement"]);
        var other = page with
        {
            AccountId = "999",
            ProtectedToken = harness.Protector.Protect(fake.ValidToken, SocialAccount.TokenBindingFor(SocialNetwork.Facebook, "999")),
        };

        var check = await harness.Connector.CheckAccountAsync(other, null, CancellationToken.None);

        Assert.Equal(AccountHealth.ReconnectNeeded, check.Health);
    }

    [Fact]
    public async Task Tokens_never_travel_in_a_url()
    {
        var (li, liHarness) = await Start(new FakeLinkedIn(clock), SocialNetwork.LinkedIn);
        var (x, xHarness) = await Start(new FakeX(clock), SocialNetwork.X);
        var (fb, fbHarness) = await Start(new FakeFacebook(clock), SocialNetwork.Facebook);
        using var _1 = liHarness;
        using var _2 = xHarness;
        using var _3 = fbHarness;
        var since = clock.GetUtcNow();
        foreach (var harness in new[] { liHarness, xHarness, fbHarness })
        {
            var account = harness.Account(["w_organization_social", "tweet.write", "tweet.read", "users.read", "media.write", "pages_manage_posts", "pages_read_engagement"]);
            await harness.Connector.CheckAccountAsync(account, null, CancellationToken.None);
            await harness.Connector.PublishAsync(account, new SocialPost("t", "Hi there", new SocialImage(SyndicationHarness.Png()), since), CancellationToken.None);
        }

        var all = li.Requests.Concat(x.Requests).Concat(fb.Requests).ToList();
        Assert.True(all.Count >= 9);
        Assert.All(all, r => Assert.DoesNotContain("tok_", r.Path + r.Query));
        Assert.DoesNotContain(all, r => Encoding.UTF8.GetString(r.Body).Contains("tok_"));
    }
}
