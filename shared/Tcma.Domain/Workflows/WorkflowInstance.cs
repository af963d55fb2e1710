namespace Tcma.Domain.Workflows;

/// <summary>
/// An armed timer. <see cref="Token"/> is the instance version that armed it: a timer message carrying another
/// token was superseded (re-armed or cancelled) and does nothing.
/// </summary>
public sealed record WorkflowTimer(string Name, DateTimeOffset DueAt, long Token);

/// <summary>A command that leaves the partition after the commit (email or queue message), under a stable id.</summary>
public sealed record WorkflowOutboxItem(string Id, WorkflowCommand Command);

public enum TimerCheck { Due, NotYetDue, Stale }

/// <summary>
/// The runtime's view of one instance: the workflow type's own state plus the bookkeeping every type shares
/// (version, timers, completion). Applying a step is pure, so the rules on timers and completion are unit tests.
/// </summary>
public sealed record WorkflowInstance(
    string Type,
    string Id,
    long Version,
    string? StateJson,
    IReadOnlyList<WorkflowTimer> Timers,
    bool Completed = false,
    string? Outcome = null)
{
    public static WorkflowInstance New(string type, string id) => new(type, id, 0, null, []);

    public TimerCheck CheckTimer(string name, long token, DateTimeOffset now)
    {
        var timer = Timers.FirstOrDefault(t => t.Name == name);
        if (Completed || timer is null || timer.Token != token) return TimerCheck.Stale;
        return timer.DueAt > now ? TimerCheck.NotYetDue : TimerCheck.Due;
    }

    /// <summary>
    /// The timer whose queue message this change must send, if any: only the instance's earliest, and only when it is
    /// not the one already waiting. Later timers wait in the due index and are armed in turn as earlier ones fire or
    /// go; the sweeper fires any whose message was lost. One queued message per instance, not one per timer: a lead
    /// with two reminders and a deadline parks one message instead of three, which keeps the timer queue under Azure's
    /// 2,000 messages/s per queue at a thousand leads a second (and spares Azurite, whose every queue operation walks
    /// every message it holds).
    /// </summary>
    public static WorkflowTimer? TimerToQueue(WorkflowInstance before, WorkflowInstance after)
    {
        var next = Earliest(after);
        return next is null || next == Earliest(before) ? null : next;
    }

    private static WorkflowTimer? Earliest(WorkflowInstance instance) =>
        instance.Completed ? null : instance.Timers.OrderBy(t => t.DueAt).ThenBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault();

    /// <summary>
    /// The next version after <paramref name="step"/>: timers set, replaced or cancelled, the instance completed,
    /// and the emails and messages to send numbered by version so a retry after a crash reuses the same ids.
    /// </summary>
    public AppliedStep Apply(WorkflowStep step, string? firedTimer = null)
    {
        var version = Version + 1;
        var timers = Timers.Where(t => t.Name != firedTimer).ToList();
        var armed = new List<WorkflowTimer>();
        var outbox = new List<WorkflowOutboxItem>();
        var completed = Completed;
        var outcome = Outcome;
        foreach (var command in step.Commands)
        {
            switch (command)
            {
                case SetTimer set:
                    WorkflowNames.CheckTimerName(set.Name);
                    timers.RemoveAll(t => t.Name == set.Name);
                    armed.RemoveAll(t => t.Name == set.Name);
                    var timer = new WorkflowTimer(set.Name, set.DueAt, version);
                    timers.Add(timer);
                    armed.Add(timer);
                    break;
                case CancelTimer cancel:
                    timers.RemoveAll(t => t.Name == cancel.Name);
                    armed.RemoveAll(t => t.Name == cancel.Name);
                    break;
                case SendEmail or SendMessage:
                    outbox.Add(new WorkflowOutboxItem($"{version:D10}-{outbox.Count:D3}", command));
                    break;
                case Complete complete:
                    completed = true;
                    outcome = complete.Outcome;
                    break;
                default:
                    throw new ArgumentException($"unknown workflow command {command.GetType().Name}");
            }
        }
        if (completed)
        {
            timers.Clear();
            armed.Clear();
        }
        var next = this with { Version = version, StateJson = step.StateJson, Timers = timers, Completed = completed, Outcome = outcome };
        return new AppliedStep(next, armed, outbox);
    }
}

public sealed record AppliedStep(WorkflowInstance Instance, IReadOnlyList<WorkflowTimer> Armed, IReadOnlyList<WorkflowOutboxItem> Outbox);

public static class WorkflowNames
{
    /// <summary>Workflow types are part of a partition key: letters and digits, starting with a letter.</summary>
    public static string CheckType(string type)
    {
        if (type.Length is < 1 or > 40 || !char.IsAsciiLetter(type[0]) || !type.All(char.IsAsciiLetterOrDigit))
            throw new ArgumentException($"workflow type '{type}' must be 1-40 letters or digits, starting with a letter");
        return type;
    }

    public static string CheckTimerName(string name)
    {
        if (name.Length is < 1 or > 40 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ArgumentException($"timer name '{name}' must be 1-40 letters, digits, '-' or '_'");
        return name;
    }
}
