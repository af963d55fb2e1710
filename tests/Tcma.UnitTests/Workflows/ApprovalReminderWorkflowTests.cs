using System.Text.Json;
using Tcma.Domain.Workflows;

namespace Tcma.UnitTests.Workflows;

/// <summary>The pure transition and the instance bookkeeping: no storage, no clock but the one passed in.</summary>
public sealed class ApprovalReminderWorkflowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly ApprovalRequest Request = new("Fund request FR-7", "approver@example.test", "boss@example.test", TimeSpan.FromDays(2), TimeSpan.FromDays(5));
    private readonly ApprovalReminderWorkflow workflow = new();

    private static WorkflowEvent Start() => new("start-1", ApprovalReminderWorkflow.Started, "partner:p1", JsonSerializer.Serialize(Request, WorkflowJson.Options));

    private (WorkflowInstance Instance, AppliedStep Applied) Step(WorkflowInstance instance, WorkflowEvent e, DateTimeOffset now, string? firedTimer = null)
    {
        var step = ((IWorkflowDefinition)workflow).Decide(instance.StateJson, e, now);
        var applied = instance.Apply(step, firedTimer);
        return (applied.Instance, applied);
    }

    private static ApprovalReminderState State(WorkflowInstance i) => JsonSerializer.Deserialize<ApprovalReminderState>(i.StateJson!, WorkflowJson.Options)!;

    [Fact]
    public void Starting_arms_a_reminder_after_two_days_and_an_escalation_after_five()
    {
        var decision = workflow.Decide(workflow.Initial, Start(), T0);

        Assert.Equal(ApprovalStatus.Waiting, decision.State.Status);
        Assert.Equal([new SetTimer("remind", T0.AddDays(2)), new SetTimer("escalate", T0.AddDays(5))], decision.Commands);
    }

    [Fact]
    public void The_reminder_timer_emails_the_approver_and_the_escalation_emails_the_escalation_contact()
    {
        var started = workflow.Decide(workflow.Initial, Start(), T0).State;

        var reminded = workflow.Decide(started, WorkflowEvent.TimerFired("remind", 1), T0.AddDays(2));
        var escalated = workflow.Decide(reminded.State, WorkflowEvent.TimerFired("escalate", 1), T0.AddDays(5));

        var reminder = Assert.IsType<SendEmail>(Assert.Single(reminded.Commands)).Email;
        Assert.Equal("approver@example.test", reminder.To);
        Assert.Contains("Fund request FR-7", reminder.Subject);
        var escalation = Assert.IsType<SendEmail>(Assert.Single(escalated.Commands)).Email;
        Assert.Equal("boss@example.test", escalation.To);
        Assert.Equal("approver@example.test", escalation.ReplyTo);
        Assert.True(escalated.State.Escalated);
    }

    [Fact]
    public void Approval_completes_the_instance_and_cancels_both_timers()
    {
        var (started, _) = Step(WorkflowInstance.New("ApprovalReminder", "fr-7"), Start(), T0);
        Assert.Equal(["remind", "escalate"], started.Timers.Select(t => t.Name));

        var (approved, applied) = Step(started, new WorkflowEvent("click-1", "Approved", "approver@example.test"), T0.AddHours(3));

        Assert.True(approved.Completed);
        Assert.Equal("Approved", approved.Outcome);
        Assert.Empty(approved.Timers);
        Assert.Empty(applied.Outbox);
        Assert.Equal(ApprovalStatus.Approved, State(approved).Status);
        Assert.Equal("approver@example.test", State(approved).DecidedBy);
        Assert.Equal(TimerCheck.Stale, approved.CheckTimer("remind", started.Version, T0.AddDays(2)));
    }

    [Fact]
    public void Late_and_repeated_events_change_nothing()
    {
        var started = workflow.Decide(workflow.Initial, Start(), T0).State;
        var approved = workflow.Decide(started, new WorkflowEvent("click-1", "Approved", "a"), T0).State;

        foreach (var late in new[] { new WorkflowEvent("click-2", "Approved", "a"), new WorkflowEvent("x", "Rejected", "a"), WorkflowEvent.TimerFired("remind", 1), new WorkflowEvent("s2", "Started", "p", "{}") })
        {
            var decision = workflow.Decide(approved, late, T0.AddDays(9));
            Assert.Equal(approved, decision.State);
            Assert.Empty(decision.Commands);
        }
    }

    [Fact]
    public void A_timer_is_due_only_at_its_time_and_only_for_the_version_that_armed_it()
    {
        var (started, _) = Step(WorkflowInstance.New("ApprovalReminder", "fr-7"), Start(), T0);
        var token = started.Version;

        Assert.Equal(TimerCheck.NotYetDue, started.CheckTimer("remind", token, T0.AddDays(2).AddSeconds(-1)));
        Assert.Equal(TimerCheck.Due, started.CheckTimer("remind", token, T0.AddDays(2)));
        Assert.Equal(TimerCheck.Stale, started.CheckTimer("remind", token - 1, T0.AddDays(3)));
        Assert.Equal(TimerCheck.Stale, started.CheckTimer("nope", token, T0.AddDays(3)));

        // Firing removes the timer, so a second delivery of the same timer is stale.
        var (reminded, applied) = Step(started, WorkflowEvent.TimerFired("remind", token), T0.AddDays(2), firedTimer: "remind");
        Assert.Equal(TimerCheck.Stale, reminded.CheckTimer("remind", token, T0.AddDays(2)));
        Assert.Equal(TimerCheck.NotYetDue, reminded.CheckTimer("escalate", token, T0.AddDays(2)));
        Assert.Equal($"{reminded.Version:D10}-000", Assert.Single(applied.Outbox).Id);
    }

    [Fact]
    public void Setting_a_timer_again_replaces_it_under_a_new_token_and_cancel_removes_it()
    {
        var instance = WorkflowInstance.New("T", "1");
        var first = instance.Apply(new WorkflowStep("{}", [new SetTimer("t", T0.AddDays(1))])).Instance;
        var second = first.Apply(new WorkflowStep("{}", [new SetTimer("t", T0.AddDays(3))])).Instance;
        var cancelled = second.Apply(new WorkflowStep("{}", [new CancelTimer("t")])).Instance;

        Assert.Equal(TimerCheck.Stale, second.CheckTimer("t", first.Version, T0.AddDays(4)));
        Assert.Equal(TimerCheck.Due, second.CheckTimer("t", second.Version, T0.AddDays(4)));
        Assert.Equal(TimerCheck.Stale, cancelled.CheckTimer("t", second.Version, T0.AddDays(4)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    public void A_timer_name_that_cannot_be_a_key_is_refused(string name)
    {
        Assert.Throws<ArgumentException>(() => WorkflowInstance.New("T", "1").Apply(new WorkflowStep("{}", [new SetTimer(name, T0)])));
    }

    [Fact]
    public void Commands_survive_the_outbox_json_round_trip()
    {
        WorkflowCommand email = new SendEmail(new OutboxEmail("a@b.test", "S", "T", "<p>H</p>") { Headers = new Dictionary<string, string> { ["List-Unsubscribe"] = "<https://x.test/u>" } });
        var back = JsonSerializer.Deserialize<WorkflowCommand>(JsonSerializer.Serialize(email, WorkflowJson.Options), WorkflowJson.Options);

        var sent = Assert.IsType<SendEmail>(back).Email;
        Assert.Equal("a@b.test", sent.To);
        Assert.Equal("<https://x.test/u>", sent.Headers!["List-Unsubscribe"]);
    }
}
