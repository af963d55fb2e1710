using System.Net;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain;
using Tcma.Domain.Launches;
using Tcma.Domain.Partners;
using Tcma.Email.Outbox;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.FunctionalTests.Syndication.Fakes;
using Tcma.Functions.Identity;
using Tcma.Functions.Syndication;
using Tcma.Storage;
using Tcma.Storage.Partners;
using Tcma.Storage.Syndication;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>A launch gate a test controls: the launch capability provides the real one.</summary>
public sealed class TestSendGate : ILaunchSendGate
{
    public volatile bool Open = true;
    public int Asked;

    public Task<bool> MaySendAsync(string vendorId, string launchId, string touchId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref Asked);
        return Task.FromResult(Open);
    }
}

/// <summary>
/// The real app (Azurite, maildev, the local trigger host) with all three networks pointed at loopback fakes that
/// also serve their OAuth consent and token endpoints, a fake clock, and a launch gate the test controls.
/// </summary>
public sealed class SocialApp : IAsyncDisposable
{
    public const string Vendor = "northwind";

    private SocialApp(TcmaAppFactory factory, WebApplicationFactory<Program> app, FakeTimeProvider clock, FakeLinkedIn linkedIn, FakeX x, FakeFacebook facebook, TestSendGate gate)
    {
        Factory = factory; App = app; Clock = clock; LinkedIn = linkedIn; X = x; Facebook = facebook; Gate = gate;
    }

    public TcmaAppFactory Factory { get; }
    public WebApplicationFactory<Program> App { get; }
    public FakeTimeProvider Clock { get; }
    public FakeLinkedIn LinkedIn { get; }
    public FakeX X { get; }
    public FakeFacebook Facebook { get; }
    public TestSendGate Gate { get; }
    public IServiceProvider Services => App.Services;

    public FakeSocialApi Fake(SocialNetwork network) => network switch
    {
        SocialNetwork.LinkedIn => LinkedIn,
        SocialNetwork.X => X,
        _ => Facebook,
    };

    /// <param name="triggers">
    /// Whether the local trigger host runs. Off for tests that fire the hourly check themselves: the host fires timers
    /// on the fake clock too, and a run of its own would race the test's.
    /// </param>
    public static async Task<SocialApp> StartAsync(IDictionary<string, string?>? extra = null, bool triggers = true)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var linkedIn = (FakeLinkedIn)await new FakeLinkedIn(clock, "urn:li:person:782bbtaQ").StartAsync();
        var x = (FakeX)await new FakeX(clock).StartAsync();
        var facebook = (FakeFacebook)await new FakeFacebook(clock).StartAsync();
        var settings = Settings(linkedIn, x, facebook);
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>()) settings[k] = v;
        // The first app only carries the settings; the test's gate goes into a derived app, which alone runs the triggers.
        var factory = await TcmaAppFactory.StartAsync(clock, settings, localTriggerHost: false);
        var gate = new TestSendGate();
        var app = factory.WithWebHostBuilder(b =>
        {
            b.UseSetting("LocalTriggerHost:Enabled", triggers ? "true" : "false");
            b.ConfigureServices(s => s.AddSingleton<ILaunchSendGate>(gate));
        });
        _ = app.Server;
        return new SocialApp(factory, app, clock, linkedIn, x, facebook, gate);
    }

    /// <summary>The app's settings for the three fakes: API, consent and token endpoints, client credentials, short retries.</summary>
    public static Dictionary<string, string?> Settings(FakeLinkedIn linkedIn, FakeX x, FakeFacebook facebook) => new()
    {
        ["Syndication:LinkedIn:BaseUrl"] = linkedIn.BaseUrl.ToString(),
        ["Syndication:LinkedIn:OAuthBaseUrl"] = linkedIn.BaseUrl.ToString(),
        ["Syndication:LinkedIn:ClientId"] = linkedIn.ClientId,
        ["Syndication:LinkedIn:ClientSecret"] = linkedIn.ClientSecret,
        ["Syndication:X:BaseUrl"] = x.BaseUrl.ToString(),
        ["Syndication:X:AuthorizeUrl"] = new Uri(x.BaseUrl, "i/oauth2/authorize").ToString(),
        ["Syndication:X:ClientId"] = x.ClientId,
        ["Syndication:X:ClientSecret"] = x.ClientSecret,
        ["Syndication:Facebook:BaseUrl"] = facebook.BaseUrl.ToString(),
        ["Syndication:Facebook:DialogBaseUrl"] = facebook.BaseUrl.ToString(),
        ["Syndication:Facebook:ClientId"] = facebook.ClientId,
        ["Syndication:Facebook:ClientSecret"] = facebook.ClientSecret,
        ["Syndication:DefaultRetryAfter"] = "00:00:01",
        ["Syndication:RequestTimeout"] = "00:00:05",
        ["Syndication:PublicBaseUrl"] = "http://localhost/",
    };

    public HttpClient Client() => App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public string PartnerLink(string partner, string purpose = SocialLinks.Purpose) =>
        Services.GetRequiredService<LinkTokens>().Create(purpose, partner, Vendor, TimeSpan.FromDays(7));

    /// <summary>A partner of the vendor with one primary contact, so the app has someone to email.</summary>
    public async Task<string> AddPartnerAsync(string partnerId)
    {
        var email = $"{partnerId}-{Guid.NewGuid():N}@partner.example";
        var partner = new Partner(partnerId, "Contoso Reseller", "Gold", "EMEA", "DE", [], [new PartnerContact("Ana Silva", email, "Owner", true)], PartnerStatus.Active);
        await Services.GetRequiredService<PartnerDirectory>().SaveAsync(Vendor, partner, "test", Clock.GetUtcNow());
        return email;
    }

    /// <summary>
    /// Plays the partner through the network's consent: our connect link, the network's consent page (approved or
    /// cancelled there), and back to our callback. Returns the app's final answer.
    /// </summary>
    public async Task<HttpResponseMessage> ConnectAsync(string partner, SocialNetwork network, string? token = null)
    {
        var client = Client();
        var start = await client.GetAsync($"/partner/social/connect/{SocialLinks.Slug(network)}?t={Uri.EscapeDataString(token ?? PartnerLink(partner))}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var consentUrl = start.Headers.Location!;
        Assert.StartsWith(Fake(network).BaseUrl.ToString(), consentUrl.ToString());
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
        var consent = await browser.GetAsync(consentUrl);
        Assert.Equal(HttpStatusCode.Redirect, consent.StatusCode);
        var back = consent.Headers.Location!;
        Assert.Equal($"/partner/social/callback/{SocialLinks.Slug(network)}", back.AbsolutePath);
        return await client.GetAsync(back.PathAndQuery);
    }

    /// <summary>
    /// Sends what the email outbox holds, as the OutboxEmail function does, for tests that run without the trigger
    /// host (it would fire the hourly check on the fake clock too). Returns how many emails were queued.
    /// </summary>
    public async Task<int> SendQueuedEmailsAsync()
    {
        var queue = new QueueClient(Factory.StorageConnectionString, $"{Factory.StoragePrefix}-{QueuedEmail.Queue}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        var dispatcher = Services.GetRequiredService<OutboxEmailDispatcher>();
        var count = 0;
        foreach (var message in (await queue.ReceiveMessagesAsync(32)).Value)
        {
            Assert.True(MessageEnvelope.TryRead(message.Body.ToString(), out var envelope) && envelope.Body is not null);
            await dispatcher.SendAsync(System.Text.Json.JsonSerializer.Deserialize<QueuedEmail>(envelope.Body)!, default);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            count++;
        }
        return count;
    }

    public TableClient Table(string logical) => new(Factory.StorageConnectionString, Factory.StoragePrefix + logical);

    public QueueClient Queue(string logical) => new(Factory.StorageConnectionString, $"{Factory.StoragePrefix}-{logical}");

    public async Task<SocialPostRecord> WaitForPostAsync(SocialPostDue due, Func<SocialPostRecord, bool> done, TimeSpan? timeout = null)
    {
        var log = Services.GetRequiredService<SocialPostLog>();
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var post = await log.GetAsync(due.VendorId, due.LaunchId, due.PostId);
            if (post is not null && done(post)) return post;
            if (DateTime.UtcNow > until) throw new TimeoutException($"post {due.PostId} is {post?.Status.ToString() ?? "not recorded"}, attempts {post?.Attempts}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the social-posts queue holds no message at all, visible or not.</summary>
    public async Task WaitForQueueDrainedAsync()
    {
        var queue = Queue(SocialPostDue.Queue);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("social-posts was not drained");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Factory.DisposeAsync();
        await LinkedIn.DisposeAsync();
        await X.DisposeAsync();
        await Facebook.DisposeAsync();
    }
}
