using Tcma.Domain;
using Microsoft.Extensions.Time.Testing;
using Tcma.FunctionalTests.Syndication.Fakes;
using Tcma.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// What a launch relies on from every connector, run against each network's loopback fake through the real
/// HttpClient code. Delays are asserted as returned values: nothing here waits for them.
/// </summary>
public abstract class ConnectorContractTests<TFake> : IAsyncLifetime where TFake : FakeSocialApi
{
    protected const string OfferText = "Spring offer: 20% off managed backups for Northwind customers. Book a call https://partner.example/book";

    protected FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
    protected TFake Fake { get; private set; } = null!;
    protected SyndicationHarness Harness { get; private set; } = null!;

    protected abstract SocialNetwork Network { get; }
    protected abstract IReadOnlyList<string> Scopes { get; }
    protected abstract TFake CreateFake(TimeProvider clock);

    /// <summary>The text as the fake stored it (LinkedIn escapes reserved characters on the way).</summary>
    protected virtual string AsStored(string text) => text;

    public async Task InitializeAsync()
    {
        Fake = CreateFake(Clock);
        await Fake.StartAsync();
        Harness = new SyndicationHarness(Fake, Network, Clock);
    }

    public async Task DisposeAsync()
    {
        Harness.Dispose();
        await Fake.DisposeAsync();
    }

    protected static SocialPost Post(string text = OfferText, byte[]? image = null, DateTimeOffset? previousAttemptAt = null) =>
        new("touch-" + Guid.NewGuid().ToString("N")[..8], text, image is null ? null : new SocialImage(image), previousAttemptAt);

    [Fact]
    public async Task A_text_and_image_post_reaches_the_network_with_the_image_bytes()
    {
        var image = SyndicationHarness.Png();

        var outcome = await Harness.Connector.PublishAsync(Harness.Account(Scopes), Post(image: image), CancellationToken.None);

        var published = Assert.IsType<PublishOutcome.Published>(outcome);
        var post = Assert.Single(Fake.Posts);
        Assert.Equal(post.Id, published.PostId);
        Assert.False(published.AlreadyExisted);
        Assert.Equal(AsStored(OfferText), post.Text);
        Assert.Equal(image, post.Image);
        Assert.All(Fake.Requests, r => Assert.Equal("Bearer " + Fake.ValidToken, r.Headers["Authorization"]));
    }

    [Fact]
    public async Task A_rate_limit_returns_retry_later_with_the_networks_own_wait()
    {
        Fake.RateLimitWait = TimeSpan.FromMinutes(7);
        Fake.FailNextCreate(FakeFailure.RateLimited);

        var outcome = await Harness.Connector.PublishAsync(Harness.Account(Scopes), Post(image: SyndicationHarness.Png()), CancellationToken.None);

        var retry = Assert.IsType<PublishOutcome.RetryLater>(outcome);
        Assert.Equal(TimeSpan.FromMinutes(7), retry.After);
        Assert.Empty(Fake.Posts);
    }

    [Fact]
    public async Task A_server_error_returns_retry_later_and_the_retry_posts_once()
    {
        var attemptStarted = Clock.GetUtcNow();
        Fake.FailNextCreate(FakeFailure.ServerError);
        var account = Harness.Account(Scopes);
        var post = Post(image: SyndicationHarness.Png());

        var first = await Harness.Connector.PublishAsync(account, post, CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Harness.Connector.PublishAsync(account, post with { PreviousAttemptAt = attemptStarted }, CancellationToken.None);

        Assert.IsType<PublishOutcome.RetryLater>(first);
        var published = Assert.IsType<PublishOutcome.Published>(second);
        Assert.False(published.AlreadyExisted);
        Assert.Single(Fake.Posts);
    }

    [Fact]
    public async Task A_retry_after_the_network_accepted_but_we_never_heard_finds_the_post_instead_of_posting_again()
    {
        var attemptStarted = Clock.GetUtcNow();
        Fake.FailNextCreate(FakeFailure.AcceptThenDropConnection);
        var account = Harness.Account(Scopes);
        var post = Post(image: SyndicationHarness.Png());

        var first = await Harness.Connector.PublishAsync(account, post, CancellationToken.None);
        Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Harness.Connector.PublishAsync(account, post with { PreviousAttemptAt = attemptStarted }, CancellationToken.None);

        Assert.IsType<PublishOutcome.RetryLater>(first);
        var published = Assert.IsType<PublishOutcome.Published>(second);
        Assert.True(published.AlreadyExisted);
        var only = Assert.Single(Fake.Posts);
        Assert.Equal(only.Id, published.PostId);
    }

    [Fact]
    public async Task A_network_that_never_answers_becomes_retry_later()
    {
        using var impatient = new SyndicationHarness(Fake, Network, Clock, requestTimeout: TimeSpan.FromMilliseconds(300));
        Fake.FailNextCreate(FakeFailure.Hang);

        var outcome = await impatient.Connector.PublishAsync(impatient.Account(Scopes), Post(), CancellationToken.None);

        Assert.IsType<PublishOutcome.RetryLater>(outcome);
    }

    [Fact]
    public async Task Shutting_down_mid_request_cancels_instead_of_inventing_an_outcome()
    {
        // The message comes back after a restart; only a retry with PreviousAttemptAt may decide what happened.
        Fake.FailNextCreate(FakeFailure.Hang);
        using var shutdown = new CancellationTokenSource();
        var publishing = Harness.Connector.PublishAsync(Harness.Account(Scopes), Post(), shutdown.Token);
        for (var i = 0; i < 2_000 && !Fake.Requests.Any(r => r.Method == "POST"); i++)
            await Task.Delay(5);

        shutdown.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publishing);
    }

    [Fact]
    public async Task A_revoked_token_is_found_by_the_check_before_the_due_time_and_publishing_asks_for_a_reconnect()
    {
        var account = Harness.Account(Scopes);
        Assert.Equal(AccountHealth.Healthy, (await Harness.Connector.CheckAccountAsync(account, Clock.GetUtcNow().AddDays(1), CancellationToken.None)).Health);

        Fake.TokenRevoked = true;
        var check = await Harness.Connector.CheckAccountAsync(account, Clock.GetUtcNow().AddDays(1), CancellationToken.None);
        var outcome = await Harness.Connector.PublishAsync(account, Post(image: SyndicationHarness.Png()), CancellationToken.None);

        Assert.Equal(AccountHealth.ReconnectNeeded, check.Health);
        Assert.IsType<PublishOutcome.Reconnect>(outcome);
        Assert.Empty(Fake.Posts);
    }

    [Theory]
    [InlineData(FakeFailure.RateLimited)]
    [InlineData(FakeFailure.ServerError)]
    public async Task A_check_the_network_cannot_answer_now_is_transient_not_a_reconnect(FakeFailure failure)
    {
        // Emailing a partner to reconnect over a network hiccup would teach them to ignore the email.
        Fake.RateLimitWait = TimeSpan.FromMinutes(3);
        Fake.FailNextCheck(failure);

        var check = await Harness.Connector.CheckAccountAsync(Harness.Account(Scopes), null, CancellationToken.None);

        Assert.Equal(AccountHealth.TransientFailure, check.Health);
        Assert.Equal(failure == FakeFailure.RateLimited ? TimeSpan.FromMinutes(3) : TimeSpan.FromMinutes(5), check.RetryAfter);
    }

    [Fact]
    public async Task A_token_that_expires_before_the_due_time_needs_a_reconnect_without_asking_the_network()
    {
        var account = Harness.Account(Scopes, expiresAt: Clock.GetUtcNow().AddDays(2));

        var check = await Harness.Connector.CheckAccountAsync(account, Clock.GetUtcNow().AddDays(3), CancellationToken.None);
        Clock.Advance(TimeSpan.FromDays(3));
        var outcome = await Harness.Connector.PublishAsync(account, Post(), CancellationToken.None);

        Assert.Equal(AccountHealth.ReconnectNeeded, check.Health);
        Assert.IsType<PublishOutcome.Reconnect>(outcome);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public async Task A_connection_missing_the_posting_permission_needs_a_reconnect()
    {
        var account = Harness.Account(Scopes.Skip(1).ToList());

        var check = await Harness.Connector.CheckAccountAsync(account, null, CancellationToken.None);

        Assert.Equal(AccountHealth.ReconnectNeeded, check.Health);
        Assert.Contains(Scopes[0], check.Reason);
    }

    [Fact]
    public async Task A_stored_token_that_was_tampered_with_needs_a_reconnect_and_is_never_sent()
    {
        var account = Harness.Account(Scopes);
        var chars = account.ProtectedToken.ToCharArray();
        chars[^5] = chars[^5] == 'A' ? 'B' : 'A';

        var outcome = await Harness.Connector.PublishAsync(account with { ProtectedToken = new string(chars) }, Post(), CancellationToken.None);

        Assert.IsType<PublishOutcome.Reconnect>(outcome);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public async Task The_same_text_posted_again_as_a_new_touch_is_rejected_as_a_duplicate()
    {
        var account = Harness.Account(Scopes);
        Assert.IsType<PublishOutcome.Published>(await Harness.Connector.PublishAsync(account, Post(), CancellationToken.None));

        var again = await Harness.Connector.PublishAsync(account, Post(), CancellationToken.None);

        var rejected = Assert.IsType<PublishOutcome.Rejected>(again);
        Assert.Contains("duplicate", rejected.Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Single(Fake.Posts);
    }

    [Fact]
    public async Task Content_the_network_cannot_take_is_rejected_before_any_request()
    {
        var account = Harness.Account(Scopes);
        var gif = "GIF89a"u8.ToArray().Concat(new byte[100]).ToArray();

        var badImage = await Harness.Connector.PublishAsync(account, Post(image: gif), CancellationToken.None);
        var tooLong = await Harness.Connector.PublishAsync(account, Post(text: new string('a', 70_000)), CancellationToken.None);

        Assert.IsType<PublishOutcome.Rejected>(badImage);
        Assert.IsType<PublishOutcome.Rejected>(tooLong);
        Assert.Empty(Fake.Requests);
    }

    [Fact]
    public async Task The_token_never_appears_in_logs_reasons_or_exceptions()
    {
        Fake.EchoTokenInErrors = true;
        var account = Harness.Account(Scopes);
        await Harness.Connector.PublishAsync(account, Post(image: SyndicationHarness.Png()), CancellationToken.None);
        Fake.FailNextCreate(FakeFailure.ServerError);
        var failed = await Harness.Connector.PublishAsync(account, Post(text: "Second touch"), CancellationToken.None);
        Fake.TokenRevoked = true;
        var check = await Harness.Connector.CheckAccountAsync(account, null, CancellationToken.None);
        var revoked = await Harness.Connector.PublishAsync(account, Post(text: "Third touch"), CancellationToken.None);

        var reconnect = Assert.IsType<PublishOutcome.Reconnect>(revoked);
        Assert.IsType<PublishOutcome.RetryLater>(failed);
        Assert.Equal(AccountHealth.ReconnectNeeded, check.Health);
        // The fake quoted the token back; what we keep of its message must not.
        Assert.Contains("[token]", reconnect.Reason + check.Reason);
        var everything = string.Join("\n", Harness.Logs.Lines.Append(reconnect.Reason).Append(check.Reason!).Append(account.ToString()));
        Assert.NotEmpty(Harness.Logs.Lines);
        Assert.DoesNotContain(Fake.ValidToken, everything);
        Assert.DoesNotContain(account.ProtectedToken, everything);
    }
}

public sealed class LinkedInContractTests : ConnectorContractTests<FakeLinkedIn>
{
    protected override SocialNetwork Network => SocialNetwork.LinkedIn;
    protected override IReadOnlyList<string> Scopes => ["w_organization_social", "openid", "profile"];
    protected override FakeLinkedIn CreateFake(TimeProvider clock) => new(clock);
    protected override string AsStored(string text) => LinkedInConnector.ToLittleText(text);
}

public sealed class XContractTests : ConnectorContractTests<FakeX>
{
    protected override SocialNetwork Network => SocialNetwork.X;
    protected override IReadOnlyList<string> Scopes => ["tweet.write", "tweet.read", "users.read", "media.write", "offline.access"];
    protected override FakeX CreateFake(TimeProvider clock) => new(clock);
}

public sealed class FacebookContractTests : ConnectorContractTests<FakeFacebook>
{
    protected override SocialNetwork Network => SocialNetwork.Facebook;
    protected override IReadOnlyList<string> Scopes => ["pages_manage_posts", "pages_read_engagement", "pages_show_list"];
    protected override FakeFacebook CreateFake(TimeProvider clock) => new(clock);
}
