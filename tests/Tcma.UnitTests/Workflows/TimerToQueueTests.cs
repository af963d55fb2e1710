using Tcma.Domain.Workflows;

namespace Tcma.UnitTests.Workflows;

/// <summary>Which timer a change puts on the queue: the instance's earliest, once; later ones in turn.</summary>
public sealed class TimerToQueueTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static WorkflowInstance After(WorkflowInstance before, params WorkflowCommand[] commands) =>
        before.Apply(new WorkflowStep("{}", commands)).Instance;

    [Fact]
    public void Setting_three_timers_queues_only_the_earliest()
    {
        var before = WorkflowInstance.New("Lead", "l-1");
        var after = After(before, new SetTimer("end", T0.AddHours(48)), new SetTimer("remind1", T0.AddHours(24)), new SetTimer("remind2", T0.AddHours(44)));

        Assert.Equal(3, after.Timers.Count);
        Assert.Equal("remind1", WorkflowInstance.TimerToQueue(before, after)!.Name);
    }

    [Fact]
    public void When_the_earliest_fires_the_next_is_queued_and_an_event_that_leaves_it_queues_nothing()
    {
        var started = After(WorkflowInstance.New("Lead", "l-1"), new SetTimer("end", T0.AddHours(48)), new SetTimer("remind", T0.AddHours(24)));

        var other = After(started);
        Assert.Null(WorkflowInstance.TimerToQueue(started, other));

        var fired = other.Apply(new WorkflowStep("{}", []), firedTimer: "remind").Instance;
        Assert.Equal(new WorkflowTimer("end", T0.AddHours(48), started.Version), WorkflowInstance.TimerToQueue(other, fired));
    }

    [Fact]
    public void An_earlier_timer_set_later_is_queued_and_cancelling_the_queued_one_queues_the_next()
    {
        var started = After(WorkflowInstance.New("Lead", "l-1"), new SetTimer("end", T0.AddHours(48)));
        var sooner = After(started, new SetTimer("nudge", T0.AddHours(1)));
        Assert.Equal("nudge", WorkflowInstance.TimerToQueue(started, sooner)!.Name);

        var cancelled = After(sooner, new CancelTimer("nudge"));
        Assert.Equal("end", WorkflowInstance.TimerToQueue(sooner, cancelled)!.Name);
    }

    [Fact]
    public void Re_setting_the_queued_timer_queues_it_again_with_its_new_token_and_completion_queues_nothing()
    {
        var started = After(WorkflowInstance.New("Lead", "l-1"), new SetTimer("end", T0.AddHours(48)));
        var moved = After(started, new SetTimer("end", T0.AddHours(48)));
        Assert.Equal(moved.Version, WorkflowInstance.TimerToQueue(started, moved)!.Token);

        var done = After(moved, new Complete("accepted"));
        Assert.Null(WorkflowInstance.TimerToQueue(moved, done));
    }
}
