using System.Text.RegularExpressions;
using DotLiquid;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// Shopify's <c>render</c>: a kit snippet in its own scope. It sees the model and what is passed to it, never the
/// caller's variables, and what it assigns stays inside it.
/// </summary>
internal sealed partial class RenderTag : Tag
{
    private string _name = "";
    private string? _mode;
    private string? _value;
    private string? _alias;
    private readonly List<(string Key, string Value)> _arguments = [];

    public static string? NameOf(string markup) => Syntax().Match(markup) is { Success: true } m ? m.Groups["name"].Value : null;

    public override void Initialize(string tagName, string markup, List<string> tokens)
    {
        var m = Syntax().Match(markup);
        if (!m.Success) throw new DotLiquid.Exceptions.SyntaxException("'render' needs the form: render 'snippet', name: value");
        _name = m.Groups["name"].Value;
        if (m.Groups["mode"].Success)
        {
            _mode = m.Groups["mode"].Value;
            _value = m.Groups["value"].Value;
            _alias = m.Groups["alias"].Success ? m.Groups["alias"].Value : null;
        }
        if (m.Groups["args"].Success)
            foreach (var arg in LiquidScanner.SplitOutsideQuotes(m.Groups["args"].Value, ','))
            {
                if (arg.Trim().Length == 0) continue;
                var kv = LiquidScanner.SplitOutsideQuotes(arg, ':');
                if (kv.Count != 2) throw new DotLiquid.Exceptions.SyntaxException($"'render' argument '{arg.Trim()}' needs the form name: value");
                _arguments.Add((kv[0].Trim(), kv[1].Trim()));
            }
        base.Initialize(tagName, markup, tokens);
    }

    public override void Render(Context context, TextWriter result)
    {
        var state = LiquidFilters.State(context);
        var snippet = state.Partials[_name];
        var scope = new Hash();
        foreach (var (key, value) in _arguments) scope[key] = context[value];
        var alias = _alias ?? _name;
        if (_mode == "for" && context[_value!] is System.Collections.IEnumerable items and not string)
        {
            var list = items.Cast<object?>().ToList();
            if (list.Count > context.MaxIterations)
                throw new LiquidFilterException($"'render ... for' went over the limit of {context.MaxIterations:N0} iterations");
            foreach (var item in list)
            {
                var itemScope = new Hash();
                foreach (var (key, value) in scope) itemScope[key] = value;
                itemScope[alias] = item;
                RenderSnippet(context, state, snippet, itemScope, result);
            }
            return;
        }
        if (_mode is not null) scope[alias] = context[_value!];
        RenderSnippet(context, state, snippet, scope, result);
    }

    private static void RenderSnippet(Context outer, RenderState state, CompiledTemplate snippet, Hash scope, TextWriter result)
    {
        var inner = new Context(outer.Environments, scope, outer.Registers, ErrorsOutputMode.Rethrow, outer.MaxIterations, outer.FormatProvider, state.Token)
        {
            SyntaxCompatibilityLevel = outer.SyntaxCompatibilityLevel,
        };
        SharedStrainer.Attach(inner);
        foreach (var node in snippet.Nodes) snippet.RenderNode(node, inner, result);
    }

    [GeneratedRegex(@"^\s*(['""])(?<name>[^'""]+)\1\s*(?:(?<mode>with|for)\s+(?<value>[^,\s]+)(?:\s+as\s+(?<alias>[A-Za-z_][\w-]*))?\s*)?(?:,(?<args>.*))?$")]
    private static partial Regex Syntax();
}
