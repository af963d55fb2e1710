namespace Tcma.Domain.Mdf;

/// <summary>
/// Why the domain said no. <see cref="Code"/> is stable (tests, ProblemDetails types, logs);
/// <see cref="Message"/> is written for the person who has to fix it, with the figures that matter.
/// </summary>
public sealed record Refusal(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Something that either produced a value or was refused with reasons (all of them, so a form can show every problem at once).</summary>
public sealed record Checked<T>(T? Value, IReadOnlyList<Refusal> Refusals)
{
    public bool IsValid => Refusals.Count == 0;
    public static Checked<T> Ok(T value) => new(value, []);
    public static Checked<T> No(params Refusal[] refusals) => new(default, refusals);
    public static Checked<T> No(IReadOnlyList<Refusal> refusals) => new(default, refusals);
}
