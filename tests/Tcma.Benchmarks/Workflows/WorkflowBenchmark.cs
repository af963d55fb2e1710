using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
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
        await using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration).AddSingleton<TimeProvider>(clock).AddLogging()
            .AddTcmaEmail().AddWorkflowEngine().AddWorkflow<ApprovalReminderWorkflow>()
            .BuildServiceProvider();
        var engine = services.GetRequiredService<WorkflowEngine>();
        const string type = ApprovalReminderWorkflow.TypeName;
        await engine.RaiseAsync(type, "warm-up", Start("warm-up"));

        var ids = Enumerable.Range(0, instances).Select(i => $"fr-{i}").ToArray();
        await Measure($"start {instances} instances (2 timers each)", instances, () => ForEach(ids, parallel, id => engine.RaiseAsync(type, id, Start(id))));

        clock.Advance(TimeSpan.FromDays(2));
        await Measure($"fire {instances} reminder timers (1 email each over SMTP)", instances, () => ForEach(ids, parallel, async id =>
        {
            var t = (await engine.GetAsync(type, id))!.Timers.Single(t => t.Name == "remind");
            var r = await engine.HandleTimerAsync(new WorkflowTimerMessage(type, id, t.Name, t.Token, t.DueAt));
            if (r.Sent != 1) throw new InvalidOperationException($"{id}: {r}");
        }));

        const int contended = 100;
        await Measure($"{contended} events on one instance from {parallel} writers", contended, () => ForEach(
            Enumerable.Range(0, contended).Select(i => $"note-{i}").ToArray(), parallel,
            id => engine.RaiseAsync(type, "fr-0", new WorkflowEvent(id, "Noted", "bench"))));

        clock.Advance(TimeSpan.FromDays(3));
        SweepResult? sweep = null;
        await Measure($"one sweeper pass over {instances} due escalation timers", instances, async () => sweep = await engine.SweepAsync());
        Console.WriteLine($"  sweeper: {sweep}");
    }

    private static WorkflowEvent Start(string id) => new($"start-{id}", ApprovalReminderWorkflow.Started, "bench",
        JsonSerializer.Serialize(new ApprovalRequest($"Fund request {id}", $"approver-{id}@bench.test", $"boss-{id}@bench.test", TimeSpan.FromDays(2), TimeSpan.FromDays(5)), WorkflowJson.Options));

    private static Task ForEach(string[] items, int parallel, Func<string, Task> body) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (item, _) => await body(item));

    private static async Task Measure(string what, int count, Func<Task> run)
    {
        var watch = Stopwatch.StartNew();
        await run();
        watch.Stop();
        Console.WriteLine($"{what,-58} {watch.Elapsed.TotalMilliseconds,8:N0} ms  {count / watch.Elapsed.TotalSeconds,8:N0}/s");
    }
}
