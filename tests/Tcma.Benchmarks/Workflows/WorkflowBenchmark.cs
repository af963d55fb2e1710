using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Tcma.Storage;
using Tcma.Domain.Workflows;
using Tcma.Email;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Workflows;

namespace Tcma.Benchmarks.Workflows;

/// <summary>
/// Workflow throughput on Azurite and maildev: starting instances (commit + timer index + timer messages), firing
/// timers that send an email, raising events on one contended instance, and one sweeper pass over due timers.
/// </summary>
public sealed class WorkflowBenchmark : IBenchmark
{
    public string Name => "workflows";
    public string Description => "workflow starts, timer fires with SMTP, contended events, sweeper pass (args: [instances=200] [parallel=8])";

    public async Task RunAsync(string[] args)
    {
        var instances = args.Length > 0 ? int.Parse(args[0]) : 200;
        var parallel = args.Length > 1 ? int.Parse(args[1]) : 8;
        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = "b" + Guid.NewGuid().ToString("N")[..12],
            ["Email:SmtpPort"] = mail.SmtpPort.ToString(),
        }).Build();
        var counter = new RequestCounter();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var queueOptions = StorageAccount.QueueOptions();
        queueOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var blobOptions = new BlobClientOptions();
        blobOptions.AddPolicy(counter, HttpPipelinePosition.PerCall);
        var storage = new StorageAccount(new TableServiceClient(azurite.ConnectionString, tableOptions), new BlobServiceClient(azurite.ConnectionString, blobOptions),
            new QueueServiceClient(azurite.ConnectionString, queueOptions), new StorageNames(configuration["Storage:NamePrefix"]!));
        await using var services = new ServiceCollection()
            .AddSingleton(storage)
            .AddSingleton<IConfiguration>(configuration).AddSingleton<TimeProvider>(clock).AddLogging()
            .AddTcmaEmail().AddWorkflowEngine().AddWorkflow<ApprovalReminderWorkflow>()
            .BuildServiceProvider();
        var engine = services.GetRequiredService<WorkflowEngine>();
        const string type = ApprovalReminderWorkflow.TypeName;
        await engine.StartAsync(type, "warm-up", Start("warm-up"));

        var ids = Enumerable.Range(0, instances).Select(i => $"fr-{i}").ToArray();
        await Measure(counter, $"start {instances} instances (2 timers each)", instances, () => ForEach(ids, parallel, id => engine.StartAsync(type, id, Start(id))));

        clock.Advance(TimeSpan.FromDays(2));
        await Measure(counter, $"fire {instances} reminder timers (1 email each over SMTP)", instances, () => ForEach(ids, parallel, async id =>
        {
            var t = (await engine.GetAsync(type, id))!.Timers.Single(t => t.Name == "remind");
            var r = await engine.HandleTimerAsync(new WorkflowTimerMessage(type, id, t.Name, t.Token, t.DueAt));
            if (r.Sent != 1) throw new InvalidOperationException($"{id}: {r}");
        }));

        const int contended = 100;
        await Measure(counter, $"{contended} events on one instance from {parallel} writers", contended, () => ForEach(
            Enumerable.Range(0, contended).Select(i => $"note-{i}").ToArray(), parallel,
            id => engine.RaiseAsync(type, "fr-0", new WorkflowEvent(id, "Noted", "bench"))));

        clock.Advance(TimeSpan.FromDays(3));
        SweepResult? sweep = null;
        await Measure(counter, $"one sweeper pass over {instances} due escalation timers", instances, async () => sweep = await engine.SweepAsync());
        Console.WriteLine($"  sweeper: {sweep}");
    }

    private static WorkflowEvent Start(string id) => new($"start-{id}", ApprovalReminderWorkflow.Started, "bench",
        JsonSerializer.Serialize(new ApprovalRequest($"Fund request {id}", $"approver-{id}@bench.test", $"boss-{id}@bench.test", TimeSpan.FromDays(2), TimeSpan.FromDays(5)), WorkflowJson.Options));

    private static Task ForEach(string[] items, int parallel, Func<string, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (item, _) => await body(item));

    private static async Task Measure(RequestCounter counter, string what, int count, Func<Task> run)
    {
        var before = counter.Count;
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        var requests = counter.Count - before;
        Console.WriteLine($"{what,-58} {watch.Elapsed.TotalMilliseconds,8:N0} ms  {count / watch.Elapsed.TotalSeconds,8:N0}/s  {(double)requests / count,5:N1} storage requests each");
    }

    /// <summary>Counts storage requests: a figure the machine's load cannot distort.</summary>
    private sealed class RequestCounter : HttpPipelineSynchronousPolicy
    {
        private long count;
        public long Count => Interlocked.Read(ref count);
        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref count);
    }
}
