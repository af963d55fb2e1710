using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain;
using Tcma.Domain.Launches;
using Tcma.Storage.Messaging;
using Tcma.Storage.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// The same post delivered several times at once (the queue is at-least-once, and the trigger host takes 16 a batch):
/// one delivery owns the attempt, the others find it in flight and come back after its lease, then find it done.
/// A short request timeout keeps the lease (five timeouts) short.
/// </summary>
public sealed class SocialDuplicateDeliveryTests : IAsyncLifetime
{
    private SocialApp app = null!;

    public async Task InitializeAsync() => app = await SocialApp.StartAsync(new Dictionary<string, string?> { ["Syndication:RequestTimeout"] = "00:00:01" });

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData(SocialNetwork.LinkedIn)]
    [InlineData(SocialNetwork.Facebook)]
    public async Task Simultaneous_duplicates_make_one_post(SocialNetwork network)
    {
        await app.ConnectAsync("contoso", network);
        var due = new SocialPostDue(SocialApp.Vendor, "contoso", "launch-dup", "touch-1", "post-dup-" + network, network,
            "Managed backups, 20% off this spring.", null, null, app.Clock.GetUtcNow());
        var sender = app.Services.GetRequiredService<IMessageSender>();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => sender.SendAsync(SocialPostDue.Queue, due)));

        var post = await app.WaitForPostAsync(due, p => p.IsFinal);
        await app.WaitForQueueDrainedAsync();
        Assert.Equal(SocialPostStatus.Published, post.Status);
        Assert.Single(app.Fake(network).Posts);
        Assert.Equal(1, (await app.Services.GetRequiredService<SocialPostLog>().GetAsync(due.VendorId, due.LaunchId, due.PostId))!.Attempts);
    }
}
