using Azure.Storage.Queues;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.Benchmarks.Leads;

/// <summary>
/// Why large lead backlogs stall on Azurite: its in-memory queue store looks up messages by account first, so every
/// receive and every delete walks every message Azurite holds, in any queue, visible or not. This measures the raw
/// receive(16)+delete rate of one queue while other queues hold N delayed messages (what each routed lead parks as SLA
/// timers on <c>workflow-timers</c>) or N visible ones (a capture backlog). Azure Storage has no such coupling.
/// </summary>
public sealed class AzuriteParkedMessagesBenchmark : IBenchmark
{
    public string Name => "azurite-parked";
    public string Description => "Azurite's raw receive(16)+delete rate of one queue while other queues hold N delayed or visible messages (args: [messages=2000] [parked=0,5000,20000])";

    public async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 2_000;
        var parkedCounts = args.Length > 1 ? args[1].Split(',').Select(int.Parse).ToArray() : [0, 5_000, 20_000];
        var azurite = await LocalServices.Azurite();
        Console.WriteLine($"receive(16)+delete of {count:N0} messages, Azurite on 127.0.0.1:{azurite.QueuePort}, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        foreach (var parked in parkedCounts)
        {
            foreach (var delayed in new[] { true, false })
            {
                if (parked == 0 && !delayed) continue;
                var other = new QueueClient(azurite.ConnectionString, $"parked-{Guid.NewGuid():N}");
                await other.CreateIfNotExistsAsync();
                var body = Convert.ToBase64String(new byte[300]);
                await Parallel.ForEachAsync(Enumerable.Range(0, parked), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) =>
                    await other.SendMessageAsync(body, delayed ? TimeSpan.FromDays(2) : null, cancellationToken: ct));
                var rate = await ReceiveDeleteRateAsync(azurite.ConnectionString, count);
                Console.WriteLine($"  {parked,7:N0} {(delayed ? "delayed" : "visible")} messages in another queue: {rate,6:N0} receive(16)+delete/s");
                await other.DeleteAsync();
            }
        }
    }

    private static async Task<double> ReceiveDeleteRateAsync(string connectionString, int count)
    {
        var queue = new QueueClient(connectionString, $"raw-{Guid.NewGuid():N}");
        await queue.CreateIfNotExistsAsync();
        var body = Convert.ToBase64String(new byte[600]);
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) => await queue.SendMessageAsync(body, ct));
        var rate = await LeadCaptureBenchmark.DrainRateAsync(queue, count);
        await queue.DeleteAsync();
        return rate;
    }
}
