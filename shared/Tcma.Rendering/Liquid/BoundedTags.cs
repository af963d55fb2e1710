using System.Collections;
using DotLiquid;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// DotLiquid's <c>assign</c> with a size check: doubling a string in a loop (<c>assign s = s | append: s</c>) would
/// otherwise fill memory without writing a byte of output, so the output limit alone would never see it.
/// </summary>
internal sealed class BoundedAssign : DotLiquid.Tags.Assign
{
    public override void Render(Context context, TextWriter result)
    {
        base.Render(context, result);
        if (context.Registers[RenderState.Key] is not RenderState state) return;
        var name = Markup[..Math.Max(0, Markup.IndexOf('='))].Trim();
        var limit = state.Limits.MaxOutputChars;
        var size = context.Scopes[^1][name] switch
        {
            string s => s.Length,
            ICollection c => c.Count,
            _ => 0,
        };
        if (size > limit) throw new LiquidFilterException($"'assign {name}' made a value larger than the limit of {limit:N0} characters");
    }
}

/// <summary>DotLiquid's <c>capture</c> writes into an unbounded buffer of its own; ours stops at the output limit.</summary>
internal sealed class BoundedCapture : DotLiquid.Tags.Capture
{
    public override void Render(Context context, TextWriter result)
    {
        if (context.Registers[RenderState.Key] is not RenderState state)
        {
            base.Render(context, result);
            return;
        }
        var name = Markup.Trim().Trim('\'', '"');
        using var buffer = new LimitedWriter(state.Limits.MaxOutputChars);
        RenderAll(NodeList, context, buffer);
        context.Scopes[^1][name] = buffer.ToString();
    }
}
