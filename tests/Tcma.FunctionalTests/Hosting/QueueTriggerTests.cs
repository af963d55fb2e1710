using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Functions.Hosting;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Hosting;

/// <summary>The local trigger host reproduces the Functions host's queue semantics against real Azurite.</summary>
public sealed class QueueTriggerTests
{
    private sealed record RenderRequest(string KitId, int Copies);

    private static Action<IServiceCollection> Function(string name, string queue, Func<FunctionInvocation, Task> handler)
        => services => services.AddFunction(new FunctionDefinition(name, new QueueFunctionTrigger(queue), (invocation, _, _) => handler(invocation)));

    private static async Task<QueueClient> RawQueueAsync(FunctionsTestApp app, string physicalName)
    {
        var client = new QueueClient((await LocalServices.Azurite()).ConnectionString, physicalName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await client.CreateIfNotExistsAsync();
        return client;
    }

    [Fact]
    public async Task A_message_sent_by_the_app_arrives_decoded_with_the_hosts_metadata()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i => { seen.Add(i); return Task.CompletedTask; }));

        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("kit-1", 3));

        var invocation = (await seen.WaitForAsync(1))[0].Invocation;
        Assert.Equal(new RenderRequest("kit-1", 3), invocation.ReadMessage<RenderRequest>());
        Assert.Equal(1, invocation.DequeueCount);
        foreach (var key in new[] { "Id", "PopReceipt", "InsertionTime", "ExpirationTime", "NextVisibleTime" })
            Assert.False(string.IsNullOrEmpty(invocation.Metadata[key]?.ToString()), key);
        // Completed messages are deleted.
        var queue = await RawQueueAsync(app, app.Storage.Names.Queue("render-test"));
        await WaitUntilAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Length == 0);
    }

    [Fact]
    public async Task A_message_that_is_not_base64_goes_to_poison_with_the_reason_logged_and_is_never_invoked()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i => { seen.Add(i); return Task.CompletedTask; }));
        var physical = app.Storage.Names.Queue("render-test");
        var queue = await RawQueueAsync(app, physical);
        var poison = await RawQueueAsync(app, physical + "-poison");

        await queue.SendMessageAsync("{not base64!}");
        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("after", 1));

        await seen.WaitForAsync(1);
        await WaitUntilAsync(async () => (await poison.PeekMessagesAsync(32)).Value.Length == 1);
        Assert.Equal("{not base64!}", (await poison.PeekMessagesAsync(1)).Value[0].Body.ToString());
        var line = await app.Logs.WaitForAsync(m => m.Contains("-poison") && m.Contains("not Base64"));
        Assert.Contains(physical, line);
        Assert.All(seen.All, s => Assert.Equal("after", s.Invocation.ReadMessage<RenderRequest>()!.KitId));
    }

    [Fact]
    public async Task A_failing_message_is_retried_with_a_growing_dequeue_count_until_it_succeeds()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i =>
        {
            seen.Add(i);
            return i.DequeueCount < 3 ? throw new InvalidOperationException("transient") : Task.CompletedTask;
        }));

        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("kit-2", 1));

        var attempts = await seen.WaitForAsync(3);
        Assert.Equal([1, 2, 3], attempts.Select(a => a.Invocation.DequeueCount));
        Assert.Single(attempts.Select(a => a.Invocation.Metadata["Id"]!.ToString()).Distinct());
        var queue = await RawQueueAsync(app, app.Storage.Names.Queue("render-test"));
        await WaitUntilAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Length == 0);
        Assert.Equal(3, seen.All.Count);
    }

    [Fact]
    public async Task A_failed_message_stays_invisible_for_the_visibility_timeout_before_its_retry()
    {
        var attempts = new System.Collections.Concurrent.ConcurrentQueue<(int DequeueCount, DateTime At)>();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i =>
        {
            attempts.Enqueue((i.DequeueCount, DateTime.UtcNow));
            return i.DequeueCount < 2 ? throw new InvalidOperationException("transient") : Task.CompletedTask;
        }), overrides: new Dictionary<string, string?> { ["LocalTriggerHost:VisibilityTimeout"] = "00:00:03" });

        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("kit-3", 1));

        await WaitUntilAsync(() => Task.FromResult(attempts.Count >= 2));
        var (first, second) = (attempts.ElementAt(0), attempts.ElementAt(1));
        Assert.Equal((1, 2), (first.DequeueCount, second.DequeueCount));
        // A lower bound only: storage cannot hand the message out again before the timeout ends.
        Assert.True(second.At - first.At >= TimeSpan.FromSeconds(2.5), $"retried after {(second.At - first.At).TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task After_five_failures_a_message_moves_to_poison_and_the_queue_keeps_flowing()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i =>
        {
            seen.Add(i);
            return i.ReadMessage<RenderRequest>()!.KitId == "bad" ? throw new InvalidOperationException("always fails") : Task.CompletedTask;
        }));
        var sender = app.Services.GetRequiredService<IMessageSender>();
        var physical = app.Storage.Names.Queue("render-test");

        await sender.SendAsync("render-test", new RenderRequest("bad", 1));
        await sender.SendAsync("render-test", new RenderRequest("good", 1));

        await seen.WaitForAsync(1, s => s.Invocation.ReadMessage<RenderRequest>()!.KitId == "good");
        var poison = await RawQueueAsync(app, physical + "-poison");
        await WaitUntilAsync(async () => (await poison.PeekMessagesAsync(32)).Value.Length == 1);
        var bad = seen.All.Where(s => s.Invocation.ReadMessage<RenderRequest>()!.KitId == "bad").Select(s => s.Invocation.DequeueCount).ToList();
        Assert.Equal([1, 2, 3, 4, 5], bad);
        // The poison copy is the message as stored, still readable by whoever re-queues it.
        var stored = (await poison.PeekMessagesAsync(1)).Value[0].Body.ToString();
        var text = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(stored));
        Assert.True(MessageEnvelope.TryRead(text, out var envelope));
        Assert.Contains("\"bad\"", envelope.Body);
        await app.Logs.WaitForAsync(m => m.Contains("failed 5 times"));
    }

    [Fact]
    public async Task The_sixteen_messages_of_a_batch_run_concurrently()
    {
        var arrived = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = new Invocations();
        // All sixteen wait in the queue before the app starts, so its first receive takes them as one batch.
        var prefix = "t" + Guid.NewGuid().ToString("N")[..12];
        var queue = new QueueClient((await LocalServices.Azurite()).ConnectionString, new Tcma.Storage.StorageNames(prefix).Queue("render-test"),
            new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await queue.CreateIfNotExistsAsync();
        for (var n = 0; n < 16; n++)
            await queue.SendMessageAsync(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{{\"KitId\":\"k{n}\",\"Copies\":1}}")));

        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", async i =>
        {
            if (Interlocked.Increment(ref arrived) == 16) all.TrySetResult();
            // Each invocation holds until all sixteen are running at once; run one by one, none would finish.
            await all.Task.WaitAsync(TimeSpan.FromSeconds(60));
            seen.Add(i);
        }), overrides: new Dictionary<string, string?> { ["Storage:NamePrefix"] = prefix });

        var done = await seen.WaitForAsync(16, timeout: TimeSpan.FromSeconds(90));
        Assert.Equal(16, done.Select(d => d.Invocation.Metadata["Id"]!.ToString()).Distinct().Count());
        Assert.All(done, d => Assert.Equal(1, d.Invocation.DequeueCount));
    }

    [Fact]
    public async Task A_message_sent_by_this_instance_is_picked_up_at_once_even_when_polling_has_backed_off()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i => { seen.Add(i); return Task.CompletedTask; }),
            overrides: new Dictionary<string, string?> { ["LocalTriggerHost:MinPollingInterval"] = "00:10:00", ["LocalTriggerHost:MaxPollingInterval"] = "00:10:00" });
        var physical = app.Storage.Names.Queue("render-test");
        // The poller found the queue empty and now sleeps ten minutes.
        await WaitUntilAsync(() => Task.FromResult(app.TriggerHost.PollingInterval(physical) == TimeSpan.FromMinutes(10)));

        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("fast", 1));

        var invocation = (await seen.WaitForAsync(1, timeout: TimeSpan.FromSeconds(60)))[0].Invocation;
        Assert.Equal("fast", invocation.ReadMessage<RenderRequest>()!.KitId);
    }

    [Fact]
    public async Task A_long_run_keeps_its_message_invisible_so_it_is_not_handed_out_twice()
    {
        var seen = new Invocations();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", async i =>
        {
            seen.Add(i);
            // Three times the lease: without renewal the message would reappear and be invoked again meanwhile.
            await Task.Delay(TimeSpan.FromSeconds(6));
            finished.TrySetResult();
        }), overrides: new Dictionary<string, string?> { ["LocalTriggerHost:MessageLease"] = "00:00:02" });
        var queue = await RawQueueAsync(app, app.Storage.Names.Queue("render-test"));

        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("slow", 1));

        await finished.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await WaitUntilAsync(async () => (await queue.PeekMessagesAsync(32)).Value.Length == 0);
        var only = Assert.Single(seen.All);
        Assert.Equal(1, only.Invocation.DequeueCount);
    }

    [Fact]
    public async Task A_message_over_48_KiB_travels_through_a_blob_and_arrives_whole()
    {
        var seen = new Invocations();
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", i => { seen.Add(i); return Task.CompletedTask; }));
        var big = new RenderRequest(new string('x', 100 * 1024), 7);

        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", big);

        var invocation = (await seen.WaitForAsync(1))[0].Invocation;
        Assert.Equal(big, invocation.ReadMessage<RenderRequest>());
        var blobs = app.Storage.Container(MessageEnvelope.PayloadContainer).GetBlobsAsync();
        var names = new List<string>();
        await foreach (var blob in blobs) names.Add(blob.Name);
        Assert.Single(names, n => n.StartsWith(app.Storage.Names.Queue("render-test") + "/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_app_starts_and_keeps_retrying_when_storage_is_unreachable()
    {
        var closedPort = LocalServices.FreePort();
        var unreachable = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                          "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                          $"BlobEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;" +
                          $"TableEndpoint=http://127.0.0.1:{closedPort}/devstoreaccount1;";
        await using var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", _ => Task.CompletedTask),
            overrides: new Dictionary<string, string?> { ["AzureWebJobsStorage"] = unreachable });

        var line = await app.Logs.WaitForAsync(m => m.Contains("Storage is unreachable"), TimeSpan.FromSeconds(120));
        Assert.Contains("retrying in", line);
        // Still serving.
        var response = await app.CreateClient().PostAsync("/NoSuchFunction", new StringContent("{}"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Shutdown_lets_a_running_invocation_finish_and_settles_its_message()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = false;
        var app = await FunctionsTestApp.StartAsync(Function("Render", "render-test", async _ =>
        {
            started.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(2));
            completed = true;
        }));
        var physical = app.Storage.Names.Queue("render-test");
        await app.Services.GetRequiredService<IMessageSender>().SendAsync("render-test", new RenderRequest("stop", 1));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await app.DisposeAsync();

        Assert.True(completed);
        var queue = await RawQueueAsync(app, physical);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met");
            await Task.Delay(50);
        }
    }
}
