using System.Text.Json;
using Tcma.Domain.Workflows;

namespace Tcma.Storage.Workflows;

/// <summary>Sends an outbox email. <paramref name="messageKey"/> is stable per outbox row: the Message-ID derives from it.</summary>
public interface IWorkflowEmailSender
{
    Task SendAsync(OutboxEmail email, string messageKey, CancellationToken cancellationToken);
}

/// <summary>The message on the <c>workflow-timers</c> queue that wakes an instance when one of its timers is due.</summary>
public sealed record WorkflowTimerMessage(string Type, string InstanceId, string Timer, long Token, DateTimeOffset DueAt)
{
    public static WorkflowTimerMessage Parse(string text)
    {
        WorkflowTimerMessage? message;
        try
        {
            message = JsonSerializer.Deserialize<WorkflowTimerMessage>(text);
        }
        catch (JsonException e)
        {
            throw new FormatException($"not a workflow timer message: {e.Message}", e);
        }
        if (message is null || string.IsNullOrEmpty(message.Type) || string.IsNullOrEmpty(message.InstanceId) ||
            string.IsNullOrEmpty(message.Timer) || message.Token <= 0)
            throw new FormatException("a workflow timer message needs Type, InstanceId, Timer and a positive Token");
        return message;
    }
}

public enum WorkflowOutcome
{
    /// <summary>The event was new: state, history and outbox were committed.</summary>
    Applied,
    /// <summary>An event with this id was already recorded: nothing changed.</summary>
    Duplicate,
    /// <summary>The timer was cancelled, replaced by a later arming, or the instance ended: nothing changed.</summary>
    StaleTimer,
    /// <summary>The timer woke before its due time (long waits wake every 6 days): re-armed, nothing changed.</summary>
    TimerNotDue,
    /// <summary>An event or timer for an instance that was never started: nothing changed.</summary>
    UnknownInstance,
}

public sealed record ArmedTimer(string Name, DateTimeOffset DueAt, TimeSpan Delay);

public sealed record WorkflowResult(WorkflowOutcome Outcome, long Version, IReadOnlyList<ArmedTimer> Armed, int Sent, int Pending);

/// <summary>One line of an instance's audit trail: who did what, when, and what the workflow decided.</summary>
public sealed record WorkflowHistoryEntry(long Version, string EventId, string Event, string? Actor, string? Data, DateTimeOffset At, string Decided);

public sealed record SweepResult(int TimersFired, int TimersDiscarded, int OutboxSent, int OutboxPending);

public sealed class WorkflowOptions
{
    /// <summary>How long the sweeper leaves a fresh commit's outbox to the normal dispatch before stepping in.</summary>
    public TimeSpan OutboxGrace { get; set; } = TimeSpan.FromMinutes(2);
    /// <summary>How long the sweeper waits before retrying an outbox whose dispatch failed (SMTP down).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>Storage queues delay at most 7 days; a margin keeps clock skew from breaking a send.</summary>
    public TimeSpan MaxTimerDelay { get; set; } = TimeSpan.FromDays(6);
    /// <summary>Index rows one sweeper run handles, so a backlog never outlives the function's time limit.</summary>
    public int SweepBatchSize { get; set; } = 500;
    /// <summary>Index rows handled at once: each waits on a few storage round trips and perhaps an SMTP send.</summary>
    public int SweepParallelism { get; set; } = 8;
    /// <summary>Commits a contended instance tries before giving up; eight writers on one instance need about a dozen.</summary>
    public int MaxAttempts { get; set; } = 30;
}

public sealed class UnknownWorkflowTypeException(string type) : InvalidOperationException($"no workflow type '{type}' is registered");

public sealed class WorkflowRegistry(IEnumerable<IWorkflowDefinition> definitions)
{
    private readonly Dictionary<string, IWorkflowDefinition> byType = definitions.ToDictionary(d => WorkflowNames.CheckType(d.Type), StringComparer.Ordinal);

    public IWorkflowDefinition Get(string type) => byType.TryGetValue(type, out var d) ? d : throw new UnknownWorkflowTypeException(type);
    public IReadOnlyCollection<string> Types => byType.Keys;
}
