using System.Text.Json;
using Azure.Storage.Queues;
using Tcma.Domain.Workflows;
using Tcma.Storage;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Workflows;

/// <summary>
/// "Remind after 2 days, escalate after 5, stop on approval" on real Azurite and real SMTP (maildev), driven by a
/// fake clock. Timer messages are handed to the engine as the queue would deliver them (their real visibility
/// delay is days), or found by the sweeper.
/// </summary>
public sealed class ApprovalReminderWorkflowTests
{
    private const string Type = ApprovalReminderWorkflow.TypeName;

    private static string Unique(string who) => $"{who}-{Guid.NewGuid():N}@example.test";

    private static async Task<(string Id, string Approver, string Boss, WorkflowResult Started)> StartAsync(WorkflowHarness h, TimeSpan? escalateAfter = null)
    {
        var (id, approver, boss) = ("fr-" + Guid.NewGuid().ToString("N")[..8], Unique("approver"), Unique("boss"));
        var request = new ApprovalRequest($"Fund request {id}", approver, boss, TimeSpan.FromDays(2), escalateAfter ?? TimeSpan.FromDays(5));
        var started = await h.Engine.StartAsync(Type, id, new WorkflowEvent($"start-{id}", ApprovalReminderWorkflow.Started, "partner:p-1",
            JsonSerializer.Serialize(request, WorkflowJson.Options)));
        return (id, approver, boss, started);
    }

    /// <summary>The message the timer queue holds for this timer right now.</summary>
    private static async Task<WorkflowTimerMessage> QueuedTimerAsync(WorkflowHarness h, string id, string timer)
    {
        var instance = await h.Engine.GetAsync(Type, id);
        var t = instance!.Timers.Single(t => t.Name == timer);
        return new WorkflowTimerMessage(Type, id, t.Name, t.Token, t.DueAt);
    }

    private static async Task<int> CountAsync(WorkflowHarness h, string recipient) => (await h.Inbox.ToAsync(recipient)).Count;

    [Fact]
    public async Task The_approver_gets_a_reminder_after_two_days_and_not_before()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, _, started) = await StartAsync(h);
        Assert.Equal(WorkflowOutcome.Applied, started.Outcome);
        // One message on the timer queue per instance: the earliest timer; the escalation waits in the due index.
        Assert.Equal([("remind", TimeSpan.FromDays(2))], started.Armed.Select(a => (a.Name, a.Delay)));
        var remind = await QueuedTimerAsync(h, id, "remind");

        h.Clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));
        var early = await h.Engine.HandleTimerAsync(remind);
        await h.Engine.SweepAsync();
        Assert.Equal(WorkflowOutcome.TimerNotDue, early.Outcome);
        Assert.Equal(0, await CountAsync(h, approver));

        h.Clock.Advance(TimeSpan.FromMinutes(1));
        var fired = await h.Engine.HandleTimerAsync(remind);

        Assert.Equal(WorkflowOutcome.Applied, fired.Outcome);
        Assert.Equal((1, 0), (fired.Sent, fired.Pending));
        Assert.Equal([("escalate", TimeSpan.FromDays(3))], fired.Armed.Select(a => (a.Name, a.Delay)));
        var email = Assert.Single(await h.Inbox.WaitForAsync(approver));
        Assert.StartsWith("Reminder: Fund request", email.Subject);
        var history = await h.Engine.HistoryAsync(Type, id);
        Assert.Equal(["Started", "Timer:remind"], history.Select(e => e.Event));
        Assert.Equal(("partner:p-1", h.Clock.GetUtcNow() - TimeSpan.FromDays(2)), (history[0].Actor, history[0].At));
        Assert.Contains(approver, history[1].Decided);
        Assert.Empty(await h.Engine.OutboxRowsAsync(Type, id));
    }

    [Fact]
    public async Task The_sweeper_alone_reminds_after_two_days_and_escalates_after_five()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, boss, _) = await StartAsync(h);

        h.Clock.Advance(TimeSpan.FromDays(2));
        var day2 = await h.Engine.SweepAsync();
        await h.Inbox.WaitForAsync(approver);
        h.Clock.Advance(TimeSpan.FromDays(3));
        var day5 = await h.Engine.SweepAsync();

        Assert.Equal(1, day2.TimersFired);
        Assert.Equal(1, day5.TimersFired);
        var escalation = Assert.Single(await h.Inbox.WaitForAsync(boss));
        Assert.StartsWith("Escalation:", escalation.Subject);
        Assert.Equal(1, await CountAsync(h, approver));
        var instance = await h.Engine.GetAsync(Type, id);
        Assert.Empty(instance!.Timers);
        Assert.False(instance.Completed);
        Assert.Equal(0, (await h.Engine.SweepAsync()).TimersFired);
    }

    [Fact]
    public async Task Approval_stops_the_reminder_and_the_escalation_and_a_duplicate_approval_is_a_no_op()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, boss, _) = await StartAsync(h);
        var remind = await QueuedTimerAsync(h, id, "remind");
        var escalate = await QueuedTimerAsync(h, id, "escalate");

        h.Clock.Advance(TimeSpan.FromDays(1));
        var click = new WorkflowEvent("approval-click-1", ApprovalReminderWorkflow.Approved, approver);
        var approved = await h.Engine.RaiseAsync(Type, id, click);
        var again = await h.Engine.RaiseAsync(Type, id, click);
        h.Clock.Advance(TimeSpan.FromDays(6));
        var staleRemind = await h.Engine.HandleTimerAsync(remind);
        var staleEscalate = await h.Engine.HandleTimerAsync(escalate);
        var sweep = await h.Engine.SweepAsync();

        Assert.Equal(WorkflowOutcome.Applied, approved.Outcome);
        Assert.Equal(WorkflowOutcome.Duplicate, again.Outcome);
        Assert.Equal((WorkflowOutcome.StaleTimer, WorkflowOutcome.StaleTimer), (staleRemind.Outcome, staleEscalate.Outcome));
        Assert.Equal(0, sweep.TimersFired);
        var instance = await h.Engine.GetAsync(Type, id);
        Assert.Equal((true, "Approved", 2L), (instance!.Completed, instance.Outcome, instance.Version));
        Assert.Equal(["Started", "Approved"], (await h.Engine.HistoryAsync(Type, id)).Select(e => e.Event));
        Assert.Equal(0, await CountAsync(h, approver));
        Assert.Equal(0, await CountAsync(h, boss));
    }

    [Fact]
    public async Task A_second_click_with_a_new_id_after_completion_is_recorded_but_decides_nothing()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, _, _) = await StartAsync(h);
        await h.Engine.RaiseAsync(Type, id, new WorkflowEvent("click-1", ApprovalReminderWorkflow.Approved, approver));

        var late = await h.Engine.RaiseAsync(Type, id, new WorkflowEvent("click-2", ApprovalReminderWorkflow.Rejected, "someone@example.test"));

        Assert.Equal(WorkflowOutcome.Applied, late.Outcome);
        var instance = await h.Engine.GetAsync(Type, id);
        Assert.Equal("Approved", instance!.Outcome);
        var last = (await h.Engine.HistoryAsync(Type, id)).Last();
        Assert.Equal(("Rejected", "someone@example.test"), (last.Event, last.Actor));
        Assert.Contains("already completed", last.Decided);
    }

    [Fact]
    public async Task A_timer_from_an_older_version_or_delivered_twice_is_a_no_op()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, _, _) = await StartAsync(h);
        var remind = await QueuedTimerAsync(h, id, "remind");
        h.Clock.Advance(TimeSpan.FromDays(2));

        var older = await h.Engine.HandleTimerAsync(remind with { Token = remind.Token - 1 });
        var unknown = await h.Engine.HandleTimerAsync(remind with { InstanceId = "no-such-instance" });
        var fired = await h.Engine.HandleTimerAsync(remind);
        var twice = await h.Engine.HandleTimerAsync(remind);

        Assert.Equal(WorkflowOutcome.StaleTimer, older.Outcome);
        Assert.Equal(WorkflowOutcome.UnknownInstance, unknown.Outcome);
        Assert.Equal(WorkflowOutcome.Applied, fired.Outcome);
        Assert.Equal(WorkflowOutcome.StaleTimer, twice.Outcome);
        await h.Inbox.WaitForAsync(approver);
        await Task.Delay(300);
        Assert.Equal(1, await CountAsync(h, approver));
        Assert.Single(await h.Engine.HistoryAsync(Type, id), e => e.Event == "Timer:remind");
    }

    [Fact]
    public async Task A_ten_day_wait_wakes_after_six_days_re_arms_for_the_rest_and_fires_on_day_ten()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, _, boss, started) = await StartAsync(h, escalateAfter: TimeSpan.FromDays(10));
        var queue = await h.Storage.QueueAsync(WorkflowEngine.TimerQueue);
        Assert.Equal("remind", Assert.Single(started.Armed).Name);

        // The reminder fires on day 2 and queues the escalation, due in 8 days: as far as a queue delays, 6 days.
        h.Clock.Advance(TimeSpan.FromDays(2));
        var reminded = await h.Engine.HandleTimerAsync(await QueuedTimerAsync(h, id, "remind"));
        Assert.Equal([("escalate", TimeSpan.FromDays(6))], reminded.Armed.Select(a => (a.Name, a.Delay)));
        var escalate = await QueuedTimerAsync(h, id, "escalate");
        var queued = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

        h.Clock.Advance(TimeSpan.FromDays(6));
        var woke = await h.Engine.HandleTimerAsync(escalate with { DueAt = h.Clock.GetUtcNow() }); // the stored due time rules, not the message's

        Assert.Equal(WorkflowOutcome.TimerNotDue, woke.Outcome);
        Assert.Equal(TimeSpan.FromDays(2), Assert.Single(woke.Armed).Delay);
        Assert.Equal(queued + 1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.DoesNotContain(await h.Engine.HistoryAsync(Type, id), e => e.Event == "Timer:escalate");
        Assert.Equal(0, await CountAsync(h, boss));

        h.Clock.Advance(TimeSpan.FromDays(2));
        var fired = await h.Engine.HandleTimerAsync(escalate);

        Assert.Equal(WorkflowOutcome.Applied, fired.Outcome);
        Assert.Single(await h.Inbox.WaitForAsync(boss));
    }

    [Fact]
    public async Task A_crash_between_commit_and_dispatch_is_finished_by_the_sweeper_once()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, _, _) = await StartAsync(h);
        var remind = await QueuedTimerAsync(h, id, "remind");
        h.Clock.Advance(TimeSpan.FromDays(2));

        // The process dies right after the commit: nothing was sent, the outbox row holds the email.
        var commit = await h.Engine.CommitAsync(Type, id, WorkflowEvent.TimerFired("remind", remind.Token), new WorkflowEngine.TimerRef("remind", remind.Token), default);
        Assert.Equal(WorkflowOutcome.Applied, commit.Outcome);
        Assert.Single(await h.Engine.OutboxRowsAsync(Type, id));

        // The queue redelivers the timer message: already fired, nothing to do.
        Assert.Equal(WorkflowOutcome.StaleTimer, (await h.Engine.HandleTimerAsync(remind)).Outcome);
        h.Clock.Advance(TimeSpan.FromMinutes(3));
        var sweep = await h.Engine.SweepAsync();
        var again = await h.Engine.SweepAsync();

        Assert.Equal((1, 0), (sweep.OutboxSent, sweep.OutboxPending));
        Assert.Equal(0, again.OutboxSent);
        Assert.Single(await h.Inbox.WaitForAsync(approver));
        Assert.Empty(await h.Engine.OutboxRowsAsync(Type, id));
        Assert.Single(await h.Engine.HistoryAsync(Type, id), e => e.Event == "Timer:remind");
        Assert.Equal(2L, (await h.Engine.GetAsync(Type, id))!.Version);
    }

    [Fact]
    public async Task A_crash_between_the_send_and_the_outbox_delete_resends_the_same_message_and_records_it_once()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, _, _) = await StartAsync(h);
        var remind = await QueuedTimerAsync(h, id, "remind");
        h.Clock.Advance(TimeSpan.FromDays(2));

        await h.Engine.CommitAsync(Type, id, WorkflowEvent.TimerFired("remind", remind.Token), new WorkflowEngine.TimerRef("remind", remind.Token), default);
        var row = Assert.Single(await h.Engine.OutboxRowsAsync(Type, id));
        await h.Engine.SendOutboxRowAsync(row, default); // sent, then the process dies before deleting the row

        h.Clock.Advance(TimeSpan.FromMinutes(3));
        await h.Engine.SweepAsync();

        var copies = await h.Inbox.WaitForAsync(approver, count: 2);
        Assert.Equal(2, copies.Count); // at least once: the resend is the same message...
        var ids = await Task.WhenAll(copies.Select(async c => MessageId(await h.Inbox.SourceAsync(c.Id))));
        Assert.Equal(ids[0], ids[1]); // ...with the same Message-ID, so mail clients show it once
        Assert.Empty(await h.Engine.OutboxRowsAsync(Type, id));
        Assert.Single(await h.Engine.HistoryAsync(Type, id), e => e.Event == "Timer:remind");
        var state = JsonSerializer.Deserialize<ApprovalReminderState>((await h.Engine.GetAsync(Type, id))!.StateJson!, WorkflowJson.Options);
        Assert.Equal(1, state!.Reminders);
    }

    [Fact]
    public async Task With_SMTP_down_the_outbox_row_stays_and_a_later_dispatch_sends_it()
    {
        var closedPort = Infrastructure.LocalServices.FreePort();
        await using var down = await WorkflowHarness.StartAsync(smtpPort: closedPort);
        var (id, approver, _, _) = await StartAsync(down);
        var remind = await QueuedTimerAsync(down, id, "remind");
        down.Clock.Advance(TimeSpan.FromDays(2));

        var fired = await down.Engine.HandleTimerAsync(remind);
        down.Clock.Advance(TimeSpan.FromMinutes(3));
        var failedSweep = await down.Engine.SweepAsync();

        Assert.Equal(WorkflowOutcome.Applied, fired.Outcome);
        Assert.Equal((0, 1), (fired.Sent, fired.Pending));
        Assert.Equal((0, 1), (failedSweep.OutboxSent, failedSweep.OutboxPending));
        Assert.Single(await down.Engine.OutboxRowsAsync(Type, id));
        Assert.Equal(0, await CountAsync(down, approver));

        // SMTP is back (another instance of the app, same storage): the sweeper retries after its back-off.
        await using var up = await WorkflowHarness.StartAsync(clock: down.Clock, prefix: down.Prefix);
        Assert.Equal(0, (await up.Engine.SweepAsync()).OutboxSent); // not before the retry time
        down.Clock.Advance(TimeSpan.FromMinutes(6));
        var sweep = await up.Engine.SweepAsync();

        Assert.Equal((1, 0), (sweep.OutboxSent, sweep.OutboxPending));
        Assert.Single(await up.Inbox.WaitForAsync(approver));
        Assert.Empty(await up.Engine.OutboxRowsAsync(Type, id));
        Assert.Single(await up.Engine.HistoryAsync(Type, id), e => e.Event == "Timer:remind");
    }

    [Fact]
    public async Task Concurrent_events_on_one_instance_all_land_in_order_of_commit()
    {
        await using var h = await WorkflowHarness.StartAsync();
        var (id, approver, _, _) = await StartAsync(h);

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() =>
            h.Engine.RaiseAsync(Type, id, new WorkflowEvent($"note-{i}", "Noted", $"user-{i}")))));

        Assert.All(results, r => Assert.Equal(WorkflowOutcome.Applied, r.Outcome));
        var history = await h.Engine.HistoryAsync(Type, id);
        Assert.Equal(7, history.Count);
        Assert.Equal(Enumerable.Range(1, 7).Select(v => (long)v), history.Select(e => e.Version));
        Assert.Equal(7L, (await h.Engine.GetAsync(Type, id))!.Version);
        Assert.Equal(0, await CountAsync(h, approver));
    }

    [Fact]
    public async Task Bad_input_is_refused_before_anything_is_written()
    {
        await using var h = await WorkflowHarness.StartAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => h.Engine.RaiseAsync(Type, "bad/id", new WorkflowEvent("e", "Approved")));
        await Assert.ThrowsAsync<ArgumentException>(() => h.Engine.RaiseAsync(Type, "ok", new WorkflowEvent("", "Approved")));
        await Assert.ThrowsAsync<UnknownWorkflowTypeException>(() => h.Engine.RaiseAsync("NoSuchType", "ok", new WorkflowEvent("e", "x")));
        Assert.Equal(WorkflowOutcome.UnknownInstance, (await h.Engine.RaiseAsync(Type, "never-started", new WorkflowEvent("e", "Approved", "x"))).Outcome);
        Assert.Null(await h.Engine.GetAsync(Type, "never-started"));
        await Assert.ThrowsAsync<TableBatchRuleException>(() => h.Engine.StartAsync(Type, "big", new WorkflowEvent("e", "Noted", "x", new string('x', 40_000))));
        Assert.Throws<FormatException>(() => WorkflowTimerMessage.Parse("not json"));
        Assert.Throws<FormatException>(() => WorkflowTimerMessage.Parse("""{"Type":"ApprovalReminder"}"""));
        Assert.Null(await h.Engine.GetAsync(Type, "big"));
    }

    private static string MessageId(string source) =>
        source.Split('\n').Select(l => l.TrimEnd('\r')).First(l => l.StartsWith("Message-ID:", StringComparison.OrdinalIgnoreCase))["Message-ID:".Length..].Trim();
}
