using Tcma.Domain.Workflows;
using Tcma.Storage.Mdf;

namespace Tcma.UnitTests.Mdf;

/// <summary>The reminder workflow's transition: one email per reminder, whatever order or number of times the runs ask.</summary>
public sealed class ExpiryReminderWorkflowTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 0, 5, 0, TimeSpan.Zero);
    private static readonly IWorkflowDefinition Workflow = new ExpiryReminderWorkflow();

    private static WorkflowEvent Remind(int days) =>
        ExpiryReminderWorkflow.Event(new(days, new OutboxEmail("robin@harbour.example", $"{days} days left", "text")));

    [Fact]
    public void Each_reminder_sends_one_email_and_a_repeat_sends_none()
    {
        var first = Workflow.Decide(null, Remind(30), Now);
        Assert.Equal("30 days left", Assert.IsType<SendEmail>(Assert.Single(first.Commands)).Email.Subject);

        var repeat = Workflow.Decide(first.StateJson, Remind(30), Now);
        Assert.Empty(repeat.Commands);

        var week = Workflow.Decide(repeat.StateJson, Remind(7), Now.AddDays(23));
        Assert.Equal("7 days left", Assert.IsType<SendEmail>(Assert.Single(week.Commands)).Email.Subject);
        Assert.Empty(Workflow.Decide(week.StateJson, Remind(30), Now.AddDays(23)).Commands);
    }

    [Fact]
    public void An_event_without_a_reminder_or_of_another_name_changes_nothing()
    {
        Assert.Empty(Workflow.Decide(null, new WorkflowEvent("x", ExpiryReminderWorkflow.Remind, null, null), Now).Commands);
        Assert.Empty(Workflow.Decide(null, new WorkflowEvent("y", "Other", null, Remind(30).Data), Now).Commands);
        Assert.Equal("reminder:7", Remind(7).Id);
    }
}
