using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Operations;
using Tcma.Storage;

namespace Tcma.FunctionalTests.Operations;

public sealed class HealthTests
{
    [Fact]
    public async Task Health_is_200_against_Azurite_and_the_app_created_every_table_queue_and_container()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var response = await app.CreateClient().GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore == true || response.Headers.CacheControl?.NoCache == true);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        foreach (var check in new[] { "tables", "queues", "blobs" })
            Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());

        // Probers read it; nothing can be sent to it.
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"))).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await app.CreateClient().PostAsync("/health", new StringContent("{}"))).StatusCode);

        var storage = await AzuriteAccount(app);
        var tables = new List<string>();
        await foreach (var t in storage.Tables.QueryAsync(t => t.Name.CompareTo(app.StoragePrefix) >= 0 && t.Name.CompareTo(app.StoragePrefix + "~") < 0))
            tables.Add(t.Name);
        Assert.Equal(StorageResources.Tables.Select(storage.Names.Table).Order(), tables.Order());
        foreach (var queue in StorageResources.QueuesWithPoison)
            Assert.True((await storage.Queue(queue).ExistsAsync()).Value, $"queue {queue} missing");
        foreach (var container in StorageResources.Containers)
            Assert.True((await storage.Container(container).ExistsAsync()).Value, $"container {container} missing");
    }

    [Fact]
    public async Task Storage_down_at_start_up_the_app_still_starts_reports_503_and_turns_healthy_when_storage_returns()
    {
        var azurite = await LocalServices.Azurite();
        var (blob, queue, table) = (LocalServices.FreePort(), LocalServices.FreePort(), LocalServices.FreePort());
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = await TcmaAppFactory.StartAsync(clock: clock, overrides: new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = ConnectionString(blob, queue, table),
        });
        var logs = new LogCapture();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var client = app.CreateClient();

        var down = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        using (var body = JsonDocument.Parse(await down.Content.ReadAsStringAsync()))
        {
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
            var checks = body.RootElement.GetProperty("checks");
            foreach (var (check, port) in new[] { ("tables", table), ("queues", queue), ("blobs", blob) })
            {
                Assert.Equal("Unhealthy", checks.GetProperty(check).GetProperty("status").GetString());
                Assert.Contains($"storage unreachable at http://127.0.0.1:{port}/", checks.GetProperty(check).GetProperty("description").GetString());
            }
        }
        // The rest of the app keeps answering while storage is away.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/no-such-page")).StatusCode);

        // It keeps retrying in the background and says so plainly.
        await Until(() => logs.Lines.Any(l => l.Contains("Storage unreachable at http://127.0.0.1:") && l.Contains("retrying")), clock);

        await using var blobs = new TcpForwarder(blob, azurite.BlobPort);
        await using var queues = new TcpForwarder(queue, azurite.QueuePort);
        await using var tables = new TcpForwarder(table, azurite.TablePort);

        var healthy = false;
        await Until(async () => healthy = (await client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, clock);
        Assert.True(healthy);
        // Health checks and the provisioner's retry loop notice the recovery independently; wait for both.
        await Until(() => logs.Lines.Any(l => l.Contains("Storage reachable again")), clock);
        var storage = await AzuriteAccount(app);
        foreach (var name in StorageResources.QueuesWithPoison)
            Assert.True((await storage.Queue(name).ExistsAsync()).Value, $"queue {name} missing after recovery");
    }

    private static async Task<StorageAccount> AzuriteAccount(TcmaAppFactory app)
        => StorageAccount.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["AzureWebJobsStorage"] = (await LocalServices.Azurite()).ConnectionString,
                ["Storage:NamePrefix"] = app.StoragePrefix,
            }).Build());

    private static string ConnectionString(int blob, int queue, int table) =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
        $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";

    /// <summary>Moves the fake clock past each back-off delay until the condition holds (real-time deadline, not a timing assertion).</summary>
    private static Task Until(Func<bool> condition, FakeTimeProvider clock) => Until(() => Task.FromResult(condition()), clock);

    private static async Task Until(Func<Task<bool>> condition, FakeTimeProvider clock)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not reached within 120 s");
            clock.Advance(TimeSpan.FromMinutes(1));
            await Task.Delay(200);
        }
    }
}
