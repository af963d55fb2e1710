namespace Tcma.Domain.Mdf;

/// <summary>
/// The result of a workflow step: the new state and the commands to run, or the unchanged state with refusals
/// (why the action is not allowed) or a no-op reason (already done: a duplicate click, a late timer).
/// </summary>
public sealed record Transition<TState>(TState State, IReadOnlyList<MdfCommand> Commands, IReadOnlyList<Refusal> Refusals, string? NoOpReason)
{
    public bool IsRefused => Refusals.Count > 0;
    public bool IsNoOp => NoOpReason is not null;

    public static Transition<TState> To(TState state, params MdfCommand[] commands) => new(state, commands, [], null);
    public static Transition<TState> To(TState state, IEnumerable<MdfCommand> commands) => new(state, commands.ToList(), [], null);
    public static Transition<TState> No(TState unchanged, string code, string message) => new(unchanged, [], [new Refusal(code, message)], null);
    public static Transition<TState> No(TState unchanged, IReadOnlyList<Refusal> refusals) => new(unchanged, [], refusals, null);
    public static Transition<TState> Nothing(TState unchanged, string why) => new(unchanged, [], [], why);
}
