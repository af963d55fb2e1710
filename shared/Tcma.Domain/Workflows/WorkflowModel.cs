using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Workflows;

/// <summary>
/// Something that happened to a workflow instance: a person's click, a partner's answer, a timer firing.
/// <see cref="Id"/> identifies the occurrence, not the kind: a second delivery with the same id is a no-op.
/// </summary>
public sealed record WorkflowEvent(string Id, string Name, string? Actor = null, string? Data = null)
{
    public const string TimerPrefix = "Timer:";
    public const string TimerActor = "system:timer";

    /// <summary>The event a due timer raises; the token makes each arming of a timer its own occurrence.</summary>
    public static WorkflowEvent TimerFired(string timer, long token) => new($"timer:{timer}:{token}", TimerPrefix + timer, TimerActor);

    public bool IsTimer(string timer) => Name == TimerPrefix + timer;

    public T? DataAs<T>() => Data is null ? default : JsonSerializer.Deserialize<T>(Data, WorkflowJson.Options);
}

/// <summary>What a transition asks the runtime to do once its new state is safely stored.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SendEmail), "email")]
[JsonDerivedType(typeof(SetTimer), "set-timer")]
[JsonDerivedType(typeof(CancelTimer), "cancel-timer")]
[JsonDerivedType(typeof(SendMessage), "message")]
[JsonDerivedType(typeof(Complete), "complete")]
public abstract record WorkflowCommand;

/// <summary>An email sent through the outbox: at least once, recorded once, same Message-ID on every resend.</summary>
public sealed record SendEmail(OutboxEmail Email) : WorkflowCommand;

/// <summary>Arms (or re-arms, replacing an earlier one of the same name) a timer that raises <see cref="WorkflowEvent.TimerFired"/>.</summary>
public sealed record SetTimer(string Name, DateTimeOffset DueAt) : WorkflowCommand;

public sealed record CancelTimer(string Name) : WorkflowCommand;

/// <summary>A JSON message for one of the app's queues (logical name), sent through the outbox.</summary>
public sealed record SendMessage(string Queue, string Json) : WorkflowCommand;

/// <summary>Ends the instance: its timers are cancelled and later events change nothing.</summary>
public sealed record Complete(string Outcome) : WorkflowCommand;

/// <summary>The email a transition decides to send. Sender defaults and the Message-ID are the runtime's business.</summary>
public sealed record OutboxEmail(string To, string Subject, string Text, string? Html = null)
{
    public string? ToName { get; init; }
    public string? FromName { get; init; }
    public string? ReplyTo { get; init; }
    /// <summary>Extra headers such as List-Unsubscribe.</summary>
    public IReadOnlyDictionary<string, string>? Headers { get; init; }
}

public sealed record WorkflowDecision<TState>(TState State, IReadOnlyList<WorkflowCommand> Commands)
{
    public static WorkflowDecision<TState> Unchanged(TState state) => new(state, []);
}

/// <summary>The untyped face of a workflow type, as the runtime stores it: state as JSON.</summary>
public interface IWorkflowDefinition
{
    /// <summary>Letters and digits, unique in the app; part of every instance's partition key.</summary>
    string Type { get; }

    WorkflowStep Decide(string? stateJson, WorkflowEvent workflowEvent, DateTimeOffset now);
}

public sealed record WorkflowStep(string StateJson, IReadOnlyList<WorkflowCommand> Commands);

/// <summary>
/// A workflow type: a pure transition <c>(state, event, now) -> (new state, commands)</c>. No I/O and no clock
/// but <c>now</c>, so every path is a unit test.
/// </summary>
public abstract class WorkflowDefinition<TState> : IWorkflowDefinition
{
    public abstract string Type { get; }

    /// <summary>The state before the first event.</summary>
    public abstract TState Initial { get; }

    public abstract WorkflowDecision<TState> Decide(TState state, WorkflowEvent workflowEvent, DateTimeOffset now);

    WorkflowStep IWorkflowDefinition.Decide(string? stateJson, WorkflowEvent workflowEvent, DateTimeOffset now)
    {
        var state = stateJson is null ? Initial : JsonSerializer.Deserialize<TState>(stateJson, WorkflowJson.Options) ?? Initial;
        var decision = Decide(state, workflowEvent, now);
        return new WorkflowStep(JsonSerializer.Serialize(decision.State, WorkflowJson.Options), decision.Commands);
    }
}

public static class WorkflowJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
}
