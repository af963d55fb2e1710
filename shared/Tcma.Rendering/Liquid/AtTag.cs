using DotLiquid;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// Invisible marker our compiler puts before each output and tag: it records where rendering is, so an error deep
/// inside a loop or an if names its own line and column, not just the top-level statement around it.
/// </summary>
internal sealed class AtTag : Tag
{
    private int _line;
    private int _column;

    public override void Initialize(string tagName, string markup, List<string> tokens)
    {
        var comma = markup.IndexOf(',');
        _line = int.Parse(markup.AsSpan(0, comma), System.Globalization.CultureInfo.InvariantCulture);
        _column = int.Parse(markup.AsSpan(comma + 1), System.Globalization.CultureInfo.InvariantCulture);
        base.Initialize(tagName, markup, tokens);
    }

    public override void Render(Context context, TextWriter result)
    {
        if (context.Registers[RenderState.Key] is RenderState state) state.At = (_line, _column);
    }
}
