using System.Text.Json;
using Tcma.Domain.Workflows;
using Tcma.Storage;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Workflows;

/// <summary>The runtime's commands beyond the approval example: queue messages, large emails, cancelled timers.</summary>
public sealed class WorkflowCommandsTests
{
    private const string Type = ScriptedWorkflow.TypeName;

    private static WorkflowEvent Do(string id, params WorkflowCommand[] commands) =>
        new(id, "Do", "test", JsonSerializer.Serialize<List<WorkflowCommand>>([.. commands], WorkflowJson.Options));

    [Fact]
    public async Task A_queue_message_decided_in_a_transition_is_sent_after_the_commit()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var result = await h.Engine.StartAsync(Type, "i-1", Do("e-1", new SendMessage("fund-approved", """{"fundRequest":"FR-7","amount":1200}""")));

        Assert.Equal((1, 0), (result.Sent, result.Pending));
        var queue = await h.Storage.QueueAsync("fund-approved");
        var message = Assert.Single((await queue.ReceiveMessagesAsync(maxMessages: 10)).Value);
        // Messages travel in the envelope that carries the trace context; the function sees the body.
        Assert.True(Tcma.Storage.Messaging.MessageEnvelope.TryRead(message.Body.ToString(), out var envelope));
        using var json = JsonDocument.Parse(envelope.Body!);
        Assert.Equal("FR-7", json.RootElement.GetProperty("fundRequest").GetString());
        Assert.Equal(1200, json.RootElement.GetProperty("amount").GetInt32());
    }

    [Fact]
    public async Task A_malformed_queue_message_is_refused_at_decision_time_and_nothing_is_committed()
    {
        await using var h = await WorkflowHarness.StartAsync();
        await Assert.ThrowsAnyAsync<JsonException>(() => h.Engine.StartAsync(Type, "i-1", Do("e-1", new SendMessage("q", "{not json"))));
        Assert.Null(await h.Engine.GetAsync(Type, "i-1"));
    }

    [Fact]
    public async Task An_email_larger_than_a_table_property_goes_through_a_blob_and_arrives_whole()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var to = $"big-{Guid.NewGuid():N}@example.test";

        var crashed = await h.Engine.CommitAsync(Type, "i-1", new WorkflowEvent("e-1", "BigEmail", "test", to), null, default, create: true);
        var row = Assert.Single(await h.Engine.OutboxRowsAsync(Type, "i-1"));
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        await h.Engine.SweepAsync();

        Assert.Equal(WorkflowOutcome.Applied, crashed.Outcome);
        Assert.Null(row.GetString("Payload"));
        Assert.StartsWith("payloads/sha256/", row.GetString("PayloadRef"));
        var received = Assert.Single(await h.Inbox.WaitForAsync(to));
        Assert.Contains(new string('w', 100_000), received.Html);
    }

    [Fact]
    public async Task A_cancelled_timer_never_fires_and_a_re_set_timer_fires_only_under_its_new_token()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var now = h.Clock.GetUtcNow();
        await h.Engine.StartAsync(Type, "i-1", Do("e-1", new SetTimer("a", now.AddHours(1)), new SetTimer("b", now.AddHours(1))));
        var first = (await h.Engine.GetAsync(Type, "i-1"))!.Timers.ToDictionary(t => t.Name);
        await h.Engine.RaiseAsync(Type, "i-1", Do("e-2", new CancelTimer("a"), new SetTimer("b", now.AddHours(2))));
        var second = (await h.Engine.GetAsync(Type, "i-1"))!.Timers.ToDictionary(t => t.Name);

        h.Clock.Advance(TimeSpan.FromHours(3));
        var cancelled = await h.Engine.HandleTimerAsync(new WorkflowTimerMessage(Type, "i-1", "a", first["a"].Token, first["a"].DueAt));
        var superseded = await h.Engine.HandleTimerAsync(new WorkflowTimerMessage(Type, "i-1", "b", first["b"].Token, first["b"].DueAt));
        var sweep = await h.Engine.SweepAsync();

        Assert.Equal((WorkflowOutcome.StaleTimer, WorkflowOutcome.StaleTimer), (cancelled.Outcome, superseded.Outcome));
        Assert.Equal(1, sweep.TimersFired); // only b under its second token
        Assert.Equal(["Do", "Do", "Timer:b"], (await h.Engine.HistoryAsync(Type, "i-1")).Select(e => e.Event));
        Assert.Empty((await h.Engine.GetAsync(Type, "i-1"))!.Timers);
    }

    [Fact]
    public async Task After_complete_nothing_fires_and_the_history_keeps_every_event()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var now = h.Clock.GetUtcNow();
        await h.Engine.StartAsync(Type, "i-1", Do("e-1", new SetTimer("a", now.AddHours(1))));
        await h.Engine.RaiseAsync(Type, "i-1", Do("e-2", new Complete("done")));
        var late = await h.Engine.RaiseAsync(Type, "i-1", Do("e-3", new SendMessage("q", "{}")));
        h.Clock.Advance(TimeSpan.FromHours(2));
        var sweep = await h.Engine.SweepAsync();

        Assert.Equal((0, 0), (late.Sent, late.Pending));
        Assert.Equal((0, 1), (sweep.TimersFired, sweep.TimersDiscarded));
        var instance = (await h.Engine.GetAsync(Type, "i-1"))!;
        Assert.Equal((true, "done", 3L), (instance.Completed, instance.Outcome, instance.Version));
        Assert.Equal(3, (await h.Engine.HistoryAsync(Type, "i-1")).Count);
    }

    [Fact]
    public async Task An_email_that_can_never_be_sent_is_parked_with_its_reason_not_retried_forever()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var result = await h.Engine.StartAsync(Type, "i-1", Do("e-1", new SendEmail(new OutboxEmail("not-an-address", "s", "t"))));
        h.Clock.Advance(TimeSpan.FromMinutes(10));
        var sweep = await h.Engine.SweepAsync();

        Assert.Equal((0, 0), (result.Sent, result.Pending)); // not sent, and not waiting either
        Assert.Equal((0, 0), (sweep.OutboxSent, sweep.OutboxPending));
        Assert.Empty(await h.Engine.OutboxRowsAsync(Type, "i-1"));
        var parked = Assert.Single(await h.Engine.UndeliverableAsync(Type, "i-1"));
        Assert.Equal("email", parked.Kind);
        Assert.Contains("not-an-address", parked.Failure);
    }
}
