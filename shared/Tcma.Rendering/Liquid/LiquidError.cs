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
/// Caps that keep an untrusted template from taking the process down. Size is checked before parsing, nesting and
/// chains while checking Fluid's tree (Fluid's own parser depth limit keeps a 10,000-deep source from overflowing
/// the stack, which .NET cannot catch); steps, ranges, time and output are enforced while rendering.
/// </summary>
public sealed record LiquidLimits
{
    public int MaxTemplateChars { get; init; } = 256 * 1024;
    public int MaxNestingDepth { get; init; } = 32;
    public int MaxConditionsPerTag { get; init; } = 32;
    public int MaxFiltersPerExpression { get; init; } = 32;
    /// <summary>Items a range, a <c>render ... for</c> or a filter may build (Fluid's MaxCollectionSize).</summary>
    public int MaxIterationsPerLoop { get; init; } = 1_000;
    /// <summary>Statements and loop iterations one render may run (Fluid's MaxSteps); 0 for no limit.</summary>
    public int MaxSteps { get; init; } = 1_000_000;
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

/// <summary>
/// What a vendor reads when a render stops. Fluid reports its limits as plain InvalidOperationExceptions and filter
/// failures as LiquidExceptions without a place; the place comes from the statement being rendered, the wording from
/// which limit or filter it was. No .NET exception text beyond a filter's own message reaches the error.
/// </summary>
internal static class LiquidRenderErrors
{
    public static string Describe(Exception e, LiquidRenderContext context, LiquidPlace at)
    {
        var limits = context.Limits;
        var filter = context.Filter;
        var loop = at.Statement is "for" or "tablerow" or "render";
        switch (e)
        {
            case OutputLimitException:
                return e.Message;
            case TimeoutException or OperationCanceledException:
                return $"rendering took longer than the limit of {limits.RenderTimeout.TotalSeconds:0.###} s";
            case InvalidOperationException when e.Message.Contains("materialized collection size", StringComparison.Ordinal):
                return loop && filter is null
                    ? $"a loop went over the limit of {limits.MaxIterationsPerLoop:N0} iterations"
                    : $"{(filter is null ? "a range" : $"'{filter}'")} went over the limit of {limits.MaxIterationsPerLoop:N0} items";
            case InvalidOperationException when e.Message.Contains("output size", StringComparison.Ordinal):
                return at.Statement.StartsWith("assign ", StringComparison.Ordinal) ? $"'{at.Statement}' made a value larger than the limit of {limits.MaxOutputChars:N0} characters"
                    : filter is not null ? $"'{filter}' would make a value larger than the limit of {limits.MaxOutputChars:N0} characters"
                    : $"the output is larger than the limit of {limits.MaxOutputChars:N0} characters";
            case InvalidOperationException when e.Message.Contains("steps", StringComparison.Ordinal):
                return $"the template went over the limit of {limits.MaxSteps:N0} steps (a loop that runs too long?)";
            case InvalidOperationException when e.Message.Contains("recursion", StringComparison.Ordinal):
                return "loops and snippets are nested too deeply";
            case Fluid.LiquidException:
                var message = e.Message.Length > 200 ? e.Message[..200] : e.Message;
                if (filter is not null && message.StartsWith(filter + ":", StringComparison.OrdinalIgnoreCase)) message = message[(filter.Length + 1)..].Trim();
                return filter is null || message.Contains($"'{filter}'", StringComparison.Ordinal) ? message : $"'{filter}' failed: {message}";
            default:
                var kind = e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal);
                return filter is null ? $"a filter or expression failed here ({kind})" : $"'{filter}' failed here ({kind})";
        }
    }
}
