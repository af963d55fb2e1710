using System.Diagnostics;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Hosting;
using Tcma.Storage;
using Tcma.Storage.Messaging;

namespace Tcma.Benchmarks.Hosting;

/// <summary>
/// Azurite's raw receive-plus-delete rate against queue-triggered invocations through the local trigger host,
/// in one run on one fresh Azurite, plus enqueue-to-invocation latency.
/// </summary>
public sealed class QueueBenchmark : IBenchmark
{
    public string Name => "queue";
    public string Description => "queue-triggered invocations/s through the local trigger host vs Azurite's raw receive+delete; latency p50/p99";

    public async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 && int.TryParse(args[0], out var n) ? n : 500;
        // WebApplicationFactory looks for the app's content root next to the solution by assembly name.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TCMA_FUNCTIONS", Path.Combine(RepoPaths.Root, "functions"));
        var azurite = await LocalServices.Azurite();
        Console.WriteLine($"{count} messages per measurement, Azurite on 127.0.0.1:{azurite.QueuePort}, {Environment.ProcessorCount} cores");

        if (args.Contains("host-only"))
        {
            // Diagnoses a round-to-round difference of the host alone: several fresh apps, one after another.
            for (var round = 1; round <= 3; round++)
                Console.WriteLine($"host-only round {round} (load average {LoadAverage()}): {await ThroughHostAsync(azurite.ConnectionString, count):0} invocations/s");
            return;
        }
        // Interleaved rounds: on a shared 2-core machine the load changes from minute to minute, so each ratio
        // compares figures taken side by side.
        var rounds = args.Length > 1 && int.TryParse(args[1], out var r) ? r : 2;
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            var batch32 = await RawAsync(azurite.ConnectionString, count, 32, concurrentDeletes: true);
            var batch16 = await RawAsync(azurite.ConnectionString, count, 16, concurrentDeletes: true);
            var singles = await RawAsync(azurite.ConnectionString, count, 1, concurrentDeletes: false);
            var hosted = await ThroughHostAsync(azurite.ConnectionString, count);
            var batch16Again = await RawAsync(azurite.ConnectionString, count, 16, concurrentDeletes: true);
            var baseline = (batch16 + batch16Again) / 2;
            ratios.Add(hosted / baseline);
            Console.WriteLine($"round {round} (load average {LoadAverage()}):");
            Console.WriteLine($"  raw receive(32) + concurrent deletes : {batch32,6:0} msg/s");
            Console.WriteLine($"  raw receive(16) + concurrent deletes : {batch16,6:0} / {batch16Again,6:0} msg/s (before / after the host run)");
            Console.WriteLine($"  raw receive(1) + delete              : {singles,6:0} msg/s");
            Console.WriteLine($"  local trigger host, batchSize 16     : {hosted,6:0} invocations/s = {hosted / baseline:P0} of raw receive(16) (mean of before/after), {hosted / Math.Max(batch32, singles):P0} of the better of receive(32) and receive(1)");
        }
        Console.WriteLine($"host / raw receive(16) per round: {string.Join(", ", ratios.Select(x => x.ToString("P0")))}");

        var (p50, p99, samples) = await LatencyAsync(azurite.ConnectionString, 200);
        Console.WriteLine($"enqueue->invocation: p50 {p50:0.0} ms, p99 {p99:0.0} ms over {samples} messages sent one at a time at ~20/s");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static async Task FillAsync(QueueClient queue, int count)
    {
        await queue.CreateIfNotExistsAsync();
        var body = Convert.ToBase64String("{\"n\":1}"u8.ToArray());
        for (var sent = 0; sent < count; sent += 32)
            await Task.WhenAll(Enumerable.Range(0, Math.Min(32, count - sent)).Select(_ => queue.SendMessageAsync(body)));
    }

    /// <summary>Receive a batch, delete its messages concurrently, repeat until the queue is empty.</summary>
    private static async Task<double> RawAsync(string connectionString, int count, int batch, bool concurrentDeletes)
    {
        var queue = new QueueClient(connectionString, $"bench-raw-{batch}-{Guid.NewGuid():N}", new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
        await FillAsync(queue, count);
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (done < count)
        {
            var messages = (await queue.ReceiveMessagesAsync(batch, TimeSpan.FromMinutes(5))).Value;
            if (concurrentDeletes) await Task.WhenAll(messages.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
            else foreach (var m in messages) await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            done += messages.Length;
        }
        var rate = count / watch.Elapsed.TotalSeconds;
        await queue.DeleteAsync();
        return rate;
    }

    private static async Task<double> ThroughHostAsync(string connectionString, int count)
    {
        var prefix = "b" + Guid.NewGuid().ToString("N")[..12];
        var physical = new StorageNames(prefix).Queue("bench-invoke");
        await FillAsync(new QueueClient(connectionString, physical, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }), count);
        var invoked = 0;
        long first = 0, last = 0;
        // A fresh app JITs its invocation path on the first messages; the raw client is already warm.
        var warmUp = Math.Min(50, count / 5);
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = new BenchmarkApp(connectionString, prefix, services => services.AddFunction(new FunctionDefinition("BenchInvoke",
            new QueueFunctionTrigger("bench-invoke"), (_, _, _) =>
            {
                var now = Stopwatch.GetTimestamp();
                var seen = Interlocked.Increment(ref invoked);
                if (seen == warmUp) first = now;
                if (seen == count) { last = now; all.TrySetResult(); }
                return Task.CompletedTask;
            })));
        _ = app.Server;
        await all.Task.WaitAsync(TimeSpan.FromMinutes(10));
        return (count - warmUp) / Stopwatch.GetElapsedTime(first, last).TotalSeconds;
    }

    private sealed record Stamp(long Ticks);

    private static async Task<(double P50, double P99, int Samples)> LatencyAsync(string connectionString, int count)
    {
        var prefix = "b" + Guid.NewGuid().ToString("N")[..12];
        var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
        await using var app = new BenchmarkApp(connectionString, prefix, services => services.AddFunction(new FunctionDefinition("BenchLatency",
            new QueueFunctionTrigger("bench-latency"), (invocation, _, _) =>
            {
                latencies.Add(Stopwatch.GetElapsedTime(invocation.ReadMessage<Stamp>()!.Ticks).TotalMilliseconds);
                return Task.CompletedTask;
            })));
        var sender = app.Services.GetRequiredService<IMessageSender>();
        await sender.SendAsync("bench-latency", new Stamp(Stopwatch.GetTimestamp())); // warm-up: creates the queue
        await Task.Delay(1000);
        latencies.Clear();
        for (var i = 0; i < count; i++)
        {
            await sender.SendAsync("bench-latency", new Stamp(Stopwatch.GetTimestamp()));
            await Task.Delay(50);
        }
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (latencies.Count < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        var sorted = latencies.Order().ToArray();
        return (sorted[sorted.Length / 2], sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * 0.99) - 1)], sorted.Length);
    }

    private sealed class BenchmarkApp(string connectionString, string prefix, Action<IServiceCollection> configure) : WebApplicationFactory<FunctionCatalog>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("AzureWebJobsStorage", connectionString);
            builder.UseSetting("Storage:NamePrefix", prefix);
            builder.UseSetting("LocalTriggerHost:Enabled", "true");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(configure);
        }
    }
}
