using System.Globalization;
using System.Text.RegularExpressions;
using DotLiquid;
using DotLiquid.Exceptions;

namespace Tcma.Rendering.Liquid;

/// <summary>One top-level statement of a template, parsed by DotLiquid on its own.</summary>
internal sealed record CompiledNode(Document Root, int Line, int Column, bool PerRecipient);

/// <summary>A parsed template or snippet: its statements in order, immutable once built.</summary>
internal sealed class CompiledTemplate(string file, IReadOnlyList<CompiledNode> nodes)
{
    public string File { get; } = file;
    public IReadOnlyList<CompiledNode> Nodes { get; } = nodes;
    public bool PerRecipient { get; } = nodes.Any(n => n.PerRecipient);

    public void RenderNode(CompiledNode node, Context context, TextWriter writer)
    {
        var state = LiquidFilters.State(context);
        state.At = (node.Line, node.Column);
        try
        {
            node.Root.Render(context, writer);
        }
        catch (LiquidRenderException)
        {
            throw;
        }
        catch (Exception e)
        {
            throw new LiquidRenderException(new LiquidError(File, state.At.Line, state.At.Column, Describe(e, context)));
        }
    }

    private static string Describe(Exception e, Context context) => e switch
    {
        MaximumIterationsExceededException =>
            $"a loop went over the limit of {context.MaxIterations:N0} iterations",
        OperationCanceledException or TimeoutException =>
            $"rendering took longer than the limit of {LiquidFilters.State(context).Limits.RenderTimeout.TotalSeconds:0.###} s",
        OutputLimitException or LiquidException or LiquidFilterException => e.Message,
        _ => $"a filter or expression failed here ({e.GetType().Name.Replace("Exception", "", StringComparison.Ordinal)})",
    };
}

internal sealed class LiquidRenderException(LiquidError error) : Exception(error.ToString())
{
    public LiquidError Error { get; } = error;
}

internal sealed class LiquidFilterException(string message) : Exception(message);

/// <summary>
/// Turns scanned tokens into DotLiquid documents: rewrites filter chains, appends HTML escaping, checks
/// <c>raw</c> against untrusted data, compiles snippets for <c>render</c>, and marks which statements depend on
/// the recipient so a launch can render everything else once.
/// </summary>
internal sealed partial class LiquidCompiler
{
    private const int MaxSnippetDepth = 8;
    private static readonly HashSet<string> EscapingFilters = ["tcma_escape", "escape_once", "url_encode"];

    private readonly LiquidContentKind _kind;
    private readonly LiquidLimits _limits;
    private readonly IReadOnlyDictionary<string, string> _snippetSources;
    private readonly Dictionary<string, CompiledTemplate> _snippets = new(StringComparer.Ordinal);
    private readonly Stack<string> _compiling = new();

    static LiquidCompiler()
    {
        // Global DotLiquid settings, stated rather than assumed: filter and tag names follow Ruby's snake_case.
        Template.NamingConvention = new DotLiquid.NamingConventions.RubyNamingConvention();
        Template.RegisterFilter(typeof(LiquidFilters));
        Template.RegisterTag<RenderTag>("tcma_render");
        Template.RegisterTag<AtTag>("tcma_at");
        // DotLiquid registers its standard tags on first use; parse once so ours replace them rather than the reverse.
        Template.Parse("x");
        Template.RegisterTag<BoundedAssign>("assign");
        Template.RegisterTag<BoundedCapture>("capture");
    }

    public LiquidCompiler(LiquidContentKind kind, LiquidLimits limits, IReadOnlyDictionary<string, string>? snippets)
    {
        _kind = kind;
        _limits = limits;
        _snippetSources = snippets ?? new Dictionary<string, string>();
    }

    public IReadOnlyDictionary<string, CompiledTemplate> Snippets => _snippets;

    public CompiledTemplate? Compile(string source, string file, List<LiquidError> errors)
    {
        var errorsBefore = errors.Count;
        var scanner = new LiquidScanner(source, file, _limits);
        var tokens = scanner.Scan();
        if (tokens is null)
        {
            errors.AddRange(scanner.Errors);
            return null;
        }
        var analysis = Analyse(tokens, snippet: _compiling.Count > 0);
        if (_compiling.Count == 0 && UnknownVariable(tokens, analysis) is { } unknown)
        {
            errors.Add(scanner.ErrorAt(unknown.Offset, unknown.Message));
            return null;
        }
        foreach (var token in tokens)
        {
            var problem = Emit(token, analysis, errors);
            if (problem is not null) errors.Add(scanner.ErrorAt(token.Offset, problem));
        }
        if (errors.Count > errorsBefore) return null;

        var nodes = new List<CompiledNode>();
        foreach (var (start, end, perRecipient) in TopLevelNodes(tokens, analysis))
        {
            var text = string.Concat(tokens.Skip(start).Take(end - start + 1).Select(t => Marker(t, scanner) + t.Emitted));
            var at = scanner.ErrorAt(tokens[start].Offset, "");
            try
            {
                nodes.Add(new CompiledNode(Template.Parse(text, SyntaxCompatibility.DotLiquid22a).Root, at.Line, at.Column, perRecipient));
            }
            catch (Exception e)
            {
                var (offset, message) = Locate(tokens, start, end, e);
                errors.Add(scanner.ErrorAt(offset, message));
                return null;
            }
        }
        return new CompiledTemplate(file, nodes);
    }

    private static string Marker(Token t, LiquidScanner scanner)
    {
        var marked = t.Kind == TokenKind.Output
            || (t.Kind == TokenKind.Tag && t.Name is not ("else" or "elsif" or "when") && !t.Name.StartsWith("end", StringComparison.Ordinal));
        if (!marked || t.Emitted.Length == 0) return "";
        var at = scanner.ErrorAt(t.Offset, "");
        return string.Create(CultureInfo.InvariantCulture, $"{{% tcma_at {at.Line},{at.Column} %}}");
    }

    private sealed record Analysis(
        List<HashSet<string>> References,
        List<HashSet<string>> Assigns,
        HashSet<string> Tainted,
        HashSet<string> CaptureOnly);

    /// <summary>Which variables carry partner or recipient data (taint), found by a fixed point over assignments.</summary>
    private static Analysis Analyse(List<Token> tokens, bool snippet)
    {
        var references = new List<HashSet<string>>();
        var assigns = new List<HashSet<string>>();
        var captured = new HashSet<string>();
        var otherwiseAssigned = new HashSet<string>();
        foreach (var t in tokens)
        {
            var refs = new HashSet<string>();
            var sets = new HashSet<string>();
            if (t.Kind == TokenKind.Output) refs.UnionWith(LiquidScanner.RootReferences(t.Content));
            if (t.Kind == TokenKind.Tag)
            {
                var target = Regex.Match(t.Args, @"^([A-Za-z_][\w-]*)").Groups[1].Value;
                switch (t.Name)
                {
                    case "assign" or "for" or "tablerow" or "increment" or "decrement":
                        sets.Add(target);
                        otherwiseAssigned.Add(target);
                        var rest = t.Name == "assign" ? t.Args[(t.Args.IndexOf('=') + 1)..]
                            : t.Name is "for" or "tablerow" ? Regex.Replace(t.Args, @"^\s*[\w-]+\s+in\b", "") : "";
                        refs.UnionWith(LiquidScanner.RootReferences(rest));
                        break;
                    case "capture":
                        sets.Add(target);
                        captured.Add(target);
                        break;
                    case "render":
                        refs.UnionWith(LiquidScanner.RootReferences(Regex.Replace(t.Args, @"^\s*(['""]).*?\1", "")));
                        break;
                    default:
                        refs.UnionWith(LiquidScanner.RootReferences(t.Args));
                        break;
                }
            }
            references.Add(refs);
            assigns.Add(sets);
        }
        // A capture's content counts as what the captured variable reads.
        for (var i = 0; i < tokens.Count; i++)
            if (tokens[i] is { Kind: TokenKind.Tag, Name: "capture" } capture)
                for (var j = i + 1; j < capture.End; j++) references[i].UnionWith(references[j]);

        var tainted = new HashSet<string>(LiquidModel.UntrustedRoots);
        if (snippet)
        {
            // A snippet's parameters may carry recipient data from the caller: trust none of them.
            var assignedHere = assigns.SelectMany(a => a).ToHashSet();
            tainted.UnionWith(references.SelectMany(r => r).Where(r => !assignedHere.Contains(r) && !LiquidModel.Roots.Contains(r)));
        }
        // Worklist, not repeated sweeps: a chain of assigns written backwards must not make parsing quadratic.
        var readers = new Dictionary<string, List<int>>();
        for (var i = 0; i < tokens.Count; i++)
            if (assigns[i].Count > 0)
                foreach (var r in references[i]) (readers.TryGetValue(r, out var list) ? list : readers[r] = []).Add(i);
        var work = new Queue<string>(tainted);
        while (work.TryDequeue(out var variable))
            foreach (var i in readers.GetValueOrDefault(variable, []))
                foreach (var v in assigns[i])
                    if (tainted.Add(v)) work.Enqueue(v);
        captured.ExceptWith(otherwiseAssigned);
        return new Analysis(references, assigns, tainted, captured);
    }

    /// <summary>
    /// A misspelt root (<c>recipent.first_name</c>) would print nothing in every email of a launch; refuse it while
    /// the vendor is still looking at the template. Snippets are exempt: their variables come from the caller.
    /// </summary>
    private static (int Offset, string Message)? UnknownVariable(List<Token> tokens, Analysis analysis)
    {
        var known = new HashSet<string>(LiquidModel.Roots) { "forloop", "tablerowloop" };
        foreach (var sets in analysis.Assigns) known.UnionWith(sets);
        for (var i = 0; i < tokens.Count; i++)
            foreach (var name in analysis.References[i])
                if (!known.Contains(name) && !(tokens[i] is { Kind: TokenKind.Tag, Name: "render" } && Regex.IsMatch(tokens[i].Args, $@"\bas\s+{Regex.Escape(name)}\b")))
                    return (tokens[i].Offset, $"unknown variable '{name}'; the model has {string.Join(", ", LiquidModel.Roots)}");
        return null;
    }

    /// <summary>Top-level statements, each marked when it (transitively) depends on recipient data.</summary>
    private List<(int Start, int End, bool PerRecipient)> TopLevelNodes(List<Token> tokens, Analysis analysis)
    {
        var nodes = new List<(int Start, int End, HashSet<string> Refs, HashSet<string> Sets, bool Dynamic)>();
        for (var i = 0; i < tokens.Count;)
        {
            var end = tokens[i].End >= 0 ? tokens[i].End : i;
            var refs = new HashSet<string>();
            var sets = new HashSet<string>();
            var dynamic = false;
            for (var j = i; j <= end; j++)
            {
                refs.UnionWith(analysis.References[j]);
                sets.UnionWith(analysis.Assigns[j]);
                var t = tokens[j];
                // Counters and cycles keep state across statements: never split them between launch and recipient.
                dynamic |= t.Kind == TokenKind.Tag && (t.Name is "increment" or "decrement" or "cycle"
                    || (t.Name == "for" && t.Args.Contains("continue", StringComparison.Ordinal)));
                dynamic |= t is { Kind: TokenKind.Tag, Name: "render" } && SnippetOf(t) is { PerRecipient: true };
            }
            dynamic |= refs.Overlaps(LiquidModel.PerRecipientRoots);
            nodes.Add((i, end, refs, sets, dynamic));
            i = end + 1;
        }
        // A statement touching a variable that a recipient statement sets is a recipient statement too (worklist).
        var touching = new Dictionary<string, List<int>>();
        for (var k = 0; k < nodes.Count; k++)
            foreach (var v in nodes[k].Refs.Concat(nodes[k].Sets)) (touching.TryGetValue(v, out var list) ? list : touching[v] = []).Add(k);
        var isDynamic = nodes.Select(n => n.Dynamic).ToArray();
        var dynamicVariables = new HashSet<string>();
        var work = new Queue<int>(Enumerable.Range(0, nodes.Count).Where(k => isDynamic[k]));
        while (work.TryDequeue(out var k))
            foreach (var v in nodes[k].Sets)
                if (dynamicVariables.Add(v))
                    foreach (var other in touching[v])
                        if (!isDynamic[other])
                        {
                            isDynamic[other] = true;
                            work.Enqueue(other);
                        }
        return nodes.Select((n, k) => (n.Start, n.End, isDynamic[k])).ToList();
    }

    private CompiledTemplate? SnippetOf(Token t) =>
        RenderTag.NameOf(t.Args) is { } name && _snippets.TryGetValue(name, out var s) ? s : null;

    /// <summary>Writes the DotLiquid text for one token; returns a problem to report, or null.</summary>
    private string? Emit(Token t, Analysis analysis, List<LiquidError> errors)
    {
        switch (t.Kind)
        {
            case TokenKind.Text:
                t.Emitted = t.Name == "raw" ? "{% raw %}" + t.Content + "{% endraw %}" : t.Content;
                return null;
            case TokenKind.Output:
                return EmitOutput(t, analysis);
            case TokenKind.Tag when t.Name == "assign":
                var m = Regex.Match(t.Args, @"^([A-Za-z_][\w-]*)\s*=\s*(.+)$");
                if (!m.Success) return "'assign' needs the form: assign name = value";
                var chain = FilterChain.Parse(m.Groups[2].Value, out var error);
                if (chain is null) return error;
                error = RewriteFilters(chain);
                if (error is not null) return error;
                t.Emitted = "{% assign " + m.Groups[1].Value + " = " + chain.Emit() + " %}";
                return null;
            case TokenKind.Tag when t.Name == "render":
                var name = RenderTag.NameOf(t.Args);
                if (name is null) return "'render' needs a quoted snippet name, as in render 'footer'";
                var problem = CompileSnippet(name, errors);
                if (problem is not null) return problem;
                t.Emitted = "{% tcma_render " + t.Args + " %}";
                return null;
            default:
                t.Emitted = "{% " + t.Name + (t.Args.Length > 0 ? " " + t.Args : "") + " %}";
                return null;
        }
    }

    private string? EmitOutput(Token t, Analysis analysis)
    {
        var chain = FilterChain.Parse(t.Content, out var error);
        if (chain is null) return error;
        if (chain.Expression.Length == 0)
        {
            if (chain.Filters.Count > 0) return "an output needs a value before its filters";
            t.Emitted = "";
            return null;
        }
        var rawAt = chain.Filters.FindIndex(f => f.Name == "raw");
        if (rawAt >= 0)
        {
            if (rawAt != chain.Filters.Count - 1) return "'raw' must be the last filter";
            chain.Filters.RemoveAt(rawAt);
            var reads = LiquidScanner.RootReferences(chain.Expression + " " + string.Join(" ", chain.Filters.SelectMany(f => f.Positional)));
            if (_kind == LiquidContentKind.Html && reads.Any(r => analysis.Tainted.Contains(r) && !analysis.CaptureOnly.Contains(r)))
                return "'raw' cannot be used on partner- or recipient-provided values: they are always HTML-escaped";
        }
        error = RewriteFilters(chain);
        if (error is not null) return error;
        var isCapturedHtml = chain.Filters.Count == 0 && analysis.CaptureOnly.Contains(chain.Expression);
        if (_kind == LiquidContentKind.Html && rawAt < 0 && !isCapturedHtml && !chain.Filters.Any(f => EscapingFilters.Contains(f.Name)))
            chain.Filters.Add(("tcma_escape", [], []));
        t.Emitted = "{{ " + chain.Emit() + " }}";
        return null;
    }

    private string? RewriteFilters(FilterChain chain)
    {
        if (chain.Filters.Count > _limits.MaxFiltersPerExpression)
            return $"an expression may apply at most {_limits.MaxFiltersPerExpression} filters";
        for (var i = 0; i < chain.Filters.Count; i++)
        {
            var (name, positional, named) = chain.Filters[i];
            if (!LiquidFilters.Names.TryGetValue(name, out var engineName))
                return name == "raw" ? "'raw' must be the last filter of an output" : $"unknown filter '{name}'";
            foreach (var (key, value) in named)
            {
                if (name == "default" && key == "allow_false" && positional.Count == 1) positional.Add(value);
                else return $"filter '{name}' takes no named argument '{key}'";
            }
            chain.Filters[i] = (engineName, positional, []);
        }
        return null;
    }

    private string? CompileSnippet(string name, List<LiquidError> errors)
    {
        if (_snippets.ContainsKey(name)) return null;
        if (_compiling.Contains(name)) return $"snippet '{name}' renders itself (through {string.Join(" → ", _compiling.Reverse())})";
        if (_compiling.Count >= MaxSnippetDepth) return $"snippets are nested more than {MaxSnippetDepth} deep";
        if (!_snippetSources.TryGetValue(name, out var source)) return $"unknown snippet '{name}'";
        _compiling.Push(name);
        var compiled = Compile(source, name, errors);
        _compiling.Pop();
        if (compiled is null) return $"snippet '{name}' has errors";
        _snippets[name] = compiled;
        return null;
    }

    /// <summary>DotLiquid says what is wrong but not where: parse tags one by one to find the culprit.</summary>
    private static (int Offset, string Message) Locate(List<Token> tokens, int start, int end, Exception whole)
    {
        for (var i = start; i <= end; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Text) continue;
            var probe = t.Kind == TokenKind.Output ? t.Emitted
                : t.End >= 0 ? t.Emitted + "{% end" + t.Name + " %}"
                : t.Name == "elsif" ? "{% if true %}" + t.Emitted + "{% endif %}"
                : t.Name == "when" ? "{% case 1 %}" + t.Emitted + "{% endcase %}"
                : t.Name.StartsWith("end", StringComparison.Ordinal) || t.Name == "else" ? ""
                : t.Emitted;
            try
            {
                Template.Parse(probe, SyntaxCompatibility.DotLiquid22a);
            }
            catch (Exception e)
            {
                return (t.Offset, Clean(e));
            }
        }
        return (tokens[start].Offset, Clean(whole));
    }

    private static string Clean(Exception e) => e is LiquidException
        ? e.Message.Replace("Liquid syntax error: ", "", StringComparison.Ordinal)
        : string.Format(CultureInfo.InvariantCulture, "the template could not be parsed here ({0})", e.GetType().Name);
}
