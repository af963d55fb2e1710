namespace Tcma.Rendering.Liquid;

/// <summary>A template problem a vendor can act on: where it is (1-based line and column) and what is wrong.</summary>
public sealed record LiquidError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}): {Message}";
}

/// <summary>What kind of text a template produces: HTML escapes every output by default, plain text does not.</summary>
public enum LiquidContentKind
{
    Html,
    Text,
}

/// <summary>
/// Caps that keep an untrusted template from taking the process down. Size and depth are checked by our own
/// scanner before DotLiquid sees the source (a deep nesting would otherwise overflow the stack, which .NET cannot
/// catch); iterations, time and output are enforced while rendering.
/// </summary>
public sealed record LiquidLimits
{
    public int MaxTemplateChars { get; init; } = 256 * 1024;
    public int MaxNestingDepth { get; init; } = 32;
    public int MaxConditionsPerTag { get; init; } = 32;
    public int MaxFiltersPerExpression { get; init; } = 32;
    public int MaxIterationsPerLoop { get; init; } = 1_000;
    public int MaxOutputChars { get; init; } = 512 * 1024;
    public TimeSpan RenderTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public static LiquidLimits Default { get; } = new();
}

/// <summary>Either the rendered text or the one error that stopped the render; never both, never partial text.</summary>
public sealed record RenderResult(string? Text, LiquidError? Error)
{
    public bool Succeeded => Error is null;
    public static RenderResult Ok(string text) => new(text, null);
    public static RenderResult Failed(LiquidError error) => new(null, error);
}

/// <summary>Thrown only for misuse by our own code (not for template problems, which come back as <see cref="LiquidError"/>).</summary>
public sealed class LiquidTemplateException(IReadOnlyList<LiquidError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<LiquidError> Errors { get; } = errors;
}
