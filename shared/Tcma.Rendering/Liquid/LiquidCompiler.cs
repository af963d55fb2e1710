#pragma warning disable FLUID001 // statement locations: every error names its line and column
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Ast.BinaryExpressions;
using Fluid.Parser;

namespace Tcma.Rendering.Liquid;

/// <summary>One top-level statement of a template, marked when it depends on the recipient.</summary>
internal sealed record CompiledNode(Statement Statement, bool PerRecipient);

/// <summary>A parsed and checked template or snippet: its top-level statements in order, immutable once built.</summary>
internal sealed class CompiledTemplate(string file, IReadOnlyList<CompiledNode> nodes)
{
    public string File { get; } = file;
    public IReadOnlyList<CompiledNode> Nodes { get; } = nodes;
    public bool PerRecipient { get; } = nodes.Any(n => n.PerRecipient);

    public async ValueTask RenderAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        foreach (var node in Nodes) await node.Statement.WriteToAsync(output, encoder, context);
    }
}

/// <summary>
/// Parses with Fluid and checks what Fluid does not: the model's five roots (a misspelt one is an error, not an
/// empty string in every email), <c>raw</c> against partner and recipient data followed through assignments,
/// unknown filters and <c>include</c>, the nesting and chain limits, and the kit's snippets. Then it appends HTML
/// escaping where it is due, places every statement for errors, and marks which top-level statements depend on the
/// recipient so a launch can render everything else once.
/// </summary>
internal sealed class LiquidCompiler(LiquidContentKind kind, LiquidLimits limits, IReadOnlyDictionary<string, string>? snippets)
{
    private const int MaxSnippetDepth = 8;
    private static readonly HashSet<string> EscapingFilters = ["escape", "h", "escape_once", "url_encode", "raw"];

    private readonly IReadOnlyDictionary<string, string> _snippetSources = snippets ?? new Dictionary<string, string>();
    private readonly Dictionary<string, CompiledTemplate> _snippets = new(StringComparer.Ordinal);
    private readonly Stack<string> _compiling = new();

    public CompiledTemplate? Compile(string source, string file, List<LiquidError> errors)
    {
        var lines = new LineMap(source, file);
        if (source.Length > limits.MaxTemplateChars)
        {
            // Fluid has no size limit of its own; a huge source would cost parse time on every upload check.
            errors.Add(lines.Error(0, $"the template is {source.Length:N0} characters long; the limit is {limits.MaxTemplateChars:N0}"));
            return null;
        }
        if (LiquidSyntaxErrors.UnclosedComment(source, lines) is { } unclosed)
        {
            errors.Add(unclosed);
            return null;
        }
        var errorsBefore = errors.Count;
        FluidTemplate parsed;
        try
        {
            parsed = (FluidTemplate)LiquidEngine.Parser.Parse(source);
        }
        catch (ParseException e)
        {
            errors.Add(LiquidSyntaxErrors.Describe(e, source, lines, limits));
            return null;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            // Not a Fluid parse error but a failure of the parser itself: still an answer, never a throw.
            errors.Add(lines.Error(0, $"the template could not be parsed ({e.GetType().Name})"));
            return null;
        }

        var analysis = new Analysis(this, lines, limits);
        var nodes = analysis.Run(parsed.Statements);
        if (analysis.Errors.Count > 0)
        {
            errors.AddRange(analysis.Errors);
            return null;
        }
        var tainted = Taint(analysis, snippet: _compiling.Count > 0);
        var captureOnly = new HashSet<string>(analysis.Captured);
        captureOnly.ExceptWith(analysis.OtherwiseAssigned);

        if (_compiling.Count == 0 && UnknownVariable(analysis) is { } unknown)
        {
            errors.Add(unknown);
            return null;
        }
        if (kind == LiquidContentKind.Html)
            foreach (var output in analysis.Outputs.Where(o => o.Raw))
                if (output.Reads.Any(r => tainted.Contains(r) && !captureOnly.Contains(r)))
                    errors.Add(lines.Error(output.Offset, "'raw' cannot be used on partner- or recipient-provided values: they are always HTML-escaped"));
        if (errors.Count > errorsBefore) return null;

        var rewriter = new Rewriter(lines, kind == LiquidContentKind.Html, captureOnly, _snippets);
        var perRecipient = PerRecipient(nodes);
        return new CompiledTemplate(file, parsed.Statements.Select((s, i) => new CompiledNode(rewriter.Rewrite(s), perRecipient[i])).ToList());
    }

    /// <summary>Which variables carry partner or recipient data, found by a worklist over every assignment.</summary>
    private static HashSet<string> Taint(Analysis analysis, bool snippet)
    {
        var tainted = new HashSet<string>(LiquidModel.UntrustedRoots);
        var assigned = analysis.Assignments.Select(a => a.Target).ToHashSet();
        // A snippet's parameters may carry recipient data from the caller: trust none of them.
        if (snippet) tainted.UnionWith(analysis.References.Keys.Where(r => !assigned.Contains(r) && !LiquidModel.Roots.Contains(r)));
        var readers = new Dictionary<string, List<string>>();
        foreach (var (target, reads) in analysis.Assignments)
            foreach (var r in reads) (readers.TryGetValue(r, out var list) ? list : readers[r] = []).Add(target);
        var work = new Queue<string>(tainted);
        while (work.TryDequeue(out var variable))
            foreach (var target in readers.GetValueOrDefault(variable, []))
                if (tainted.Add(target)) work.Enqueue(target);
        return tainted;
    }

    /// <summary>
    /// A misspelt root (<c>recipent.first_name</c>) would print nothing in every email of a launch; refuse it while
    /// the vendor is still looking at the template. Snippets are exempt: their variables come from the caller.
    /// </summary>
    private static LiquidError? UnknownVariable(Analysis analysis)
    {
        var known = new HashSet<string>(LiquidModel.Roots) { "forloop", "tablerowloop" };
        known.UnionWith(analysis.Assignments.Select(a => a.Target));
        var first = analysis.References.Where(r => !known.Contains(r.Key)).OrderBy(r => r.Value).FirstOrDefault();
        return first.Key is null ? null
            : analysis.Lines.Error(first.Value, $"unknown variable '{first.Key}'; the model has {string.Join(", ", LiquidModel.Roots)}");
    }

    /// <summary>Top-level statements that depend on recipient data, directly or through a variable another one sets.</summary>
    private static bool[] PerRecipient(List<NodeInfo> nodes)
    {
        var touching = new Dictionary<string, List<int>>();
        for (var k = 0; k < nodes.Count; k++)
            foreach (var v in nodes[k].Reads.Concat(nodes[k].Sets)) (touching.TryGetValue(v, out var list) ? list : touching[v] = []).Add(k);
        var dynamic = nodes.Select(n => n.Dynamic || n.Reads.Overlaps(LiquidModel.PerRecipientRoots)).ToArray();
        var dynamicVariables = new HashSet<string>();
        var work = new Queue<int>(Enumerable.Range(0, nodes.Count).Where(k => dynamic[k]));
        while (work.TryDequeue(out var k))
            foreach (var v in nodes[k].Sets)
                if (dynamicVariables.Add(v))
                    foreach (var other in touching[v])
                        if (!dynamic[other])
                        {
                            dynamic[other] = true;
                            work.Enqueue(other);
                        }
        return dynamic;
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

    private sealed record NodeInfo(HashSet<string> Reads, HashSet<string> Sets, bool Dynamic);

    private sealed record OutputInfo(HashSet<string> Reads, bool Raw, int Offset);

    /// <summary>Walks Fluid's AST once: what each statement reads and sets, and every problem with its place.</summary>
    private sealed class Analysis(LiquidCompiler compiler, LineMap lines, LiquidLimits limits) : AstVisitor
    {
        private readonly List<HashSet<string>> _sinks = [];
        private HashSet<string> _sets = [];
        private bool _dynamic;
        private int _offset;
        private int _depth;
        private FilterExpression? _finalRaw;

        public LineMap Lines => lines;
        public List<LiquidError> Errors { get; } = [];
        /// <summary>Every root name read, with the first place it is read.</summary>
        public Dictionary<string, int> References { get; } = new(StringComparer.Ordinal);
        public List<(string Target, HashSet<string> Reads)> Assignments { get; } = [];
        public HashSet<string> Captured { get; } = new(StringComparer.Ordinal);
        public HashSet<string> OtherwiseAssigned { get; } = new(StringComparer.Ordinal);
        public List<OutputInfo> Outputs { get; } = [];

        public List<NodeInfo> Run(IReadOnlyList<Statement> statements)
        {
            var nodes = new List<NodeInfo>(statements.Count);
            foreach (var statement in statements)
            {
                var reads = new HashSet<string>(StringComparer.Ordinal);
                _sets = new HashSet<string>(StringComparer.Ordinal);
                _dynamic = false;
                _sinks.Add(reads);
                Visit(statement);
                _sinks.Remove(reads);
                nodes.Add(new NodeInfo(reads, _sets, _dynamic));
            }
            return nodes;
        }

        private void Fail(string message) => Errors.Add(lines.Error(_offset, message));

        public override Statement Visit(Statement statement)
        {
            if (statement is null) return statement!;
            var outer = _offset;
            if (statement.SourceOffset >= 0) _offset = statement.SourceOffset;
            var result = base.Visit(statement);
            _offset = outer;
            return result;
        }

        private HashSet<string> Reading(Action visit)
        {
            var reads = new HashSet<string>(StringComparer.Ordinal);
            _sinks.Add(reads);
            visit();
            _sinks.Remove(reads);
            return reads;
        }

        private void Assign(string target, HashSet<string> reads, bool captured = false)
        {
            Assignments.Add((target, reads));
            _sets.Add(target);
            if (captured) Captured.Add(target);
            else OtherwiseAssigned.Add(target);
        }

        private void Block(Action visit)
        {
            if (++_depth > limits.MaxNestingDepth && Errors.Count == 0) Fail($"blocks are nested more than {limits.MaxNestingDepth} deep");
            else visit();
            _depth--;
        }

        private void Statements(IEnumerable<Statement> statements)
        {
            foreach (var s in statements) Visit(s);
        }

        protected override Expression VisitMemberExpression(MemberExpression memberExpression)
        {
            if (memberExpression.Segments.Count > 0 && memberExpression.Segments[0] is IdentifierSegment root)
            {
                References.TryAdd(root.Identifier, _offset);
                foreach (var sink in _sinks) sink.Add(root.Identifier);
            }
            foreach (var segment in memberExpression.Segments)
                if (segment is IndexerSegment indexer) Visit(indexer.Expression);
            return memberExpression;
        }

        protected override Expression VisitFilterExpression(FilterExpression filterExpression)
        {
            if (filterExpression.Name == "raw" && !ReferenceEquals(filterExpression, _finalRaw)) Fail("'raw' must be the last filter of an output");
            else if (!LiquidEngine.IsFilter(filterExpression.Name))
                Fail($"unknown filter '{filterExpression.Name}'");
            else if (LiquidFilters.Arguments.TryGetValue(filterExpression.Name, out var arity)
                && (filterExpression.Parameters.Count < arity.Min || filterExpression.Parameters.Count > arity.Max))
                Fail($"Wrong number of arguments for '{filterExpression.Name}' (given {filterExpression.Parameters.Count}, expected "
                    + (arity.Min == arity.Max ? $"{arity.Min})" : $"{arity.Min} to {arity.Max})"));
            return base.VisitFilterExpression(filterExpression);
        }

        private void CheckChain(Expression expression)
        {
            var count = 0;
            for (var e = expression; e is FilterExpression f; e = f.Input) count++;
            if (count > limits.MaxFiltersPerExpression) Fail($"an expression may apply at most {limits.MaxFiltersPerExpression} filters");
        }

        protected override Statement VisitOutputStatement(OutputStatement outputStatement)
        {
            CheckChain(outputStatement.Expression);
            var raw = outputStatement.Expression is FilterExpression { Name: "raw" } last ? last : null;
            _finalRaw = raw;
            var reads = Reading(() => Visit(outputStatement.Expression));
            _finalRaw = null;
            Outputs.Add(new OutputInfo(reads, raw is not null, _offset));
            return outputStatement;
        }

        protected override Statement VisitAssignStatement(AssignStatement assignStatement)
        {
            CheckChain(assignStatement.Value);
            Assign(assignStatement.Identifier, Reading(() => Visit(assignStatement.Value)));
            return assignStatement;
        }

        protected override Statement VisitCaptureStatement(CaptureStatement captureStatement)
        {
            Block(() => Assign(captureStatement.Identifier, Reading(() => Statements(captureStatement.Statements)), captured: true));
            return captureStatement;
        }

        protected override Statement VisitForStatement(ForStatement forStatement)
        {
            // Counters kept across statements: never split them between the launch and the recipient.
            _dynamic |= forStatement.OffsetIsContinue;
            Block(() =>
            {
                Assign(forStatement.Identifier, Reading(() =>
                {
                    Visit(forStatement.Source);
                    if (forStatement.Limit is not null) Visit(forStatement.Limit);
                    if (forStatement.Offset is not null && !forStatement.OffsetIsContinue) Visit(forStatement.Offset);
                }));
                Statements(forStatement.Statements);
                if (forStatement.Else is not null) Visit(forStatement.Else);
            });
            return forStatement;
        }

        protected override Statement VisitTableRowStatement(TableRowStatement tableRowStatement)
        {
            Block(() =>
            {
                Assign(tableRowStatement.Identifier, Reading(() =>
                {
                    Visit(tableRowStatement.Source);
                    if (tableRowStatement.Limit is not null) Visit(tableRowStatement.Limit);
                    if (tableRowStatement.Offset is not null) Visit(tableRowStatement.Offset);
                    if (tableRowStatement.Cols is not null) Visit(tableRowStatement.Cols);
                }));
                Statements(tableRowStatement.Statements);
            });
            return tableRowStatement;
        }

        protected override Statement VisitIncrementStatement(IncrementStatement incrementStatement)
        {
            _dynamic = true;
            Assign(incrementStatement.Identifier, []);
            return incrementStatement;
        }

        protected override Statement VisitDecrementStatement(DecrementStatement decrementStatement)
        {
            _dynamic = true;
            Assign(decrementStatement.Identifier, []);
            return decrementStatement;
        }

        protected override Statement VisitCycleStatement(CycleStatement cycleStatement)
        {
            _dynamic = true;
            return base.VisitCycleStatement(cycleStatement);
        }

        protected override Statement VisitIfStatement(IfStatement ifStatement)
        {
            Block(() =>
            {
                CheckConditions(ifStatement.Condition);
                foreach (var elseIf in ifStatement.ElseIfs) CheckConditions(elseIf.Condition);
                base.VisitIfStatement(ifStatement);
            });
            return ifStatement;
        }

        protected override Statement VisitUnlessStatement(UnlessStatement unlessStatement)
        {
            Block(() =>
            {
                CheckConditions(unlessStatement.Condition);
                base.VisitUnlessStatement(unlessStatement);
            });
            return unlessStatement;
        }

        protected override Statement VisitCaseStatement(CaseStatement caseStatement)
        {
            Block(() => base.VisitCaseStatement(caseStatement));
            return caseStatement;
        }

        /// <summary>Each and/or is a level of recursion when the condition is evaluated.</summary>
        private void CheckConditions(Expression condition)
        {
            static int Count(Expression e) => e is AndBinaryExpression or OrBinaryExpression
                ? 1 + Count(((BinaryExpression)e).Left) + Count(((BinaryExpression)e).Right)
                : 0;
            if (Count(condition) >= limits.MaxConditionsPerTag)
                Fail($"a condition may combine at most {limits.MaxConditionsPerTag} parts with 'and'/'or'");
        }

        protected override Statement VisitIncludeStatement(IncludeStatement includeStatement)
        {
            Fail("'include' is not supported; use 'render', which keeps the snippet's variables separate");
            return includeStatement;
        }

        protected override Statement VisitRenderStatement(RenderStatement renderStatement)
        {
            if (renderStatement.With is not null) Visit(renderStatement.With);
            if (renderStatement.For is not null) Visit(renderStatement.For);
            foreach (var argument in renderStatement.AssignStatements) Visit(argument.Value);
            var problem = compiler.CompileSnippet(renderStatement.Path, Errors);
            if (problem is not null) Fail(problem);
            else if (compiler._snippets[renderStatement.Path].PerRecipient) _dynamic = true;
            return renderStatement;
        }
    }

    /// <summary>
    /// Rebuilds the parsed statements with what rendering needs: the escaping filter on HTML outputs, each statement
    /// wrapped with its place, and <c>render</c> bound to the kit's parsed snippet.
    /// </summary>
    private sealed class Rewriter(LineMap lines, bool html, HashSet<string> captureOnly, IReadOnlyDictionary<string, CompiledTemplate> snippets) : AstRewriter
    {
        private LiquidPlace _place = lines.Place(0, "template");

        public Statement Rewrite(Statement statement) => Visit(statement);

        public override Statement Visit(Statement statement)
        {
            if (statement is null) return statement!;
            var outer = _place;
            if (statement.SourceOffset >= 0) _place = lines.Place(statement.SourceOffset, Label(statement));
            var place = _place;
            var rewritten = statement switch
            {
                RenderStatement render => new SnippetStatement(render, snippets[render.Path]),
                OutputStatement output when html && NeedsEscaping(output.Expression) => new EscapedOutputStatement(output.Expression),
                _ => base.Visit(statement),
            };
            _place = outer;
            return statement is OutputStatement or AssignStatement or ForStatement or TableRowStatement or IfStatement or UnlessStatement
                or CaseStatement or CaptureStatement or CycleStatement or IncrementStatement or DecrementStatement or RenderStatement
                ? new LocatedStatement(rewritten, place)
                : rewritten;
        }

        private static string Label(Statement statement) => statement switch
        {
            AssignStatement a => "assign " + a.Identifier,
            ForStatement => "for",
            TableRowStatement => "tablerow",
            RenderStatement => "render",
            CaptureStatement c => "capture " + c.Identifier,
            _ => statement.GetType().Name,
        };

        /// <summary>Shopify templates that escape explicitly are not escaped twice; a capture was escaped as it was captured.</summary>
        private bool NeedsEscaping(Expression expression) => expression switch
        {
            FilterExpression f => !EscapingFilters.Contains(f.Name),
            MemberExpression { Segments: [IdentifierSegment only] } => !captureOnly.Contains(only.Identifier),
            _ => true,
        };
    }
}

/// <summary>1-based line and column of an offset in one file.</summary>
internal sealed class LineMap
{
    private readonly int[] _lineStarts;
    private readonly string _file;

    public LineMap(string source, string file)
    {
        _file = file;
        var starts = new List<int> { 0 };
        for (var i = 0; i < source.Length; i++) if (source[i] == '\n') starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    public (int Line, int Column) At(int offset)
    {
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return (line + 1, offset - _lineStarts[line] + 1);
    }

    public LiquidError Error(int offset, string message)
    {
        var (line, column) = At(offset);
        return new LiquidError(_file, line, column, message);
    }

    public LiquidPlace Place(int offset, string statement)
    {
        var (line, column) = At(offset);
        return new LiquidPlace(_file, line, column, statement);
    }
}
