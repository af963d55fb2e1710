using System.Net;
using System.Net.Http.Headers;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Kits;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;

namespace Tcma.FunctionalTests.Kits;

/// <summary>
/// A recall must reach the launches of its version even when the process dies between committing the Recalled
/// status and sending the message: the KitRecallSweeper function sends what was left, once.
/// </summary>
public sealed class KitRecallSweeperTests
{
    [Fact]
    public async Task A_recall_whose_message_was_lost_in_a_crash_is_sent_by_the_sweeper_exactly_once()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var client = await app.SignedInAsync("northwind", VendorRole.ChannelManager);
        var zip = new ByteArrayContent(KitZips.CloudBackupWith());
        zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/vendors/northwind/kits", zip)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/vendors/northwind/kits/cloud-backup-nurture/versions/1.0.0/publish", null)).StatusCode);

        // The crash: the status is committed, the message never sent.
        var index = app.Services.GetRequiredService<KitIndex>();
        await index.ChangeAsync("northwind", "cloud-backup-nurture", "1.0.0", KitAction.Recall, "casey@northwind.example", DateTimeOffset.UtcNow, default);
        var queue = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{KitIndex.RecallQueue}");
        await queue.CreateIfNotExistsAsync();
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);

        // The Functions host fires the timer function over the invocation contract, twice.
        var host = app.CreateClient();
        HttpContent Timer() => new StringContent("""{"Data":{"timer":{"IsPastDue":false}},"Metadata":{}}""", System.Text.Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/" + KitEndpoints.RecallSweeperFunction, Timer())).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.PostAsync("/" + KitEndpoints.RecallSweeperFunction, Timer())).StatusCode);

        Assert.Single((await queue.PeekMessagesAsync(32)).Value);
        Assert.Empty(await index.PendingRecallsAsync(default));
    }
}
