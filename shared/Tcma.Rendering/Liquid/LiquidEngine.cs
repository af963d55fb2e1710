#pragma warning disable FLUID001 // statement locations: every error names its line and column
using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// The one Fluid parser and the one set of template options of the process. Both are immutable and shared by every
/// kit: what differs per render (the partner's language, zone and currency, the limits) lives in the render's
/// <see cref="LiquidRenderContext"/>, and a kit's snippets in the parsed template (<see cref="SnippetStatement"/>).
/// </summary>
internal static class LiquidEngine
{
    public static readonly FluidParser Parser = new(new FluidParserOptions
    {
        AllowLiquidTag = true,
        TrackStatementLocations = true,
    });

    /// <summary>Filters Fluid has beyond Shopify's documented set: not part of what a kit author can rely on.</summary>
    private static readonly string[] NotShopify = ["format_date", "format_number", "format_string", "time_zone"];

    public static readonly TemplateOptions Options = BuildOptions();

    private static TemplateOptions BuildOptions()
    {
        var builder = new TemplateOptionsBuilder()
            // Our model holds Fluid values only (LiquidModel), so no CLR member is ever registered or reachable.
            .WithMemberAccessStrategy(() => new DefaultMemberAccessStrategy())
            .WithStrictFilters(false)
            .WithMoneyFilters()
            .WithCultureInfo(CultureInfo.InvariantCulture)
            .WithTimeZone(TimeZoneInfo.Utc);
        var shopify = builder.Build().Filters.ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
        builder.ClearFilters();
        foreach (var name in NotShopify) shopify.Remove(name);
        foreach (var (name, filter) in LiquidFilters.Ours(shopify)) shopify[name] = filter;
        // Each filter records its name while it runs, so a failure can say which filter of a chain failed.
        foreach (var (name, filter) in shopify) builder.AddFilter(name, Named(name, filter));
        return builder.Build();
    }

    private static FilterDelegate Named(string name, FilterDelegate filter) => (input, arguments, context) =>
    {
        var render = (LiquidRenderContext)context;
        render.Filter = name;
        var result = filter(input, arguments, context);
        if (result.IsCompletedSuccessfully) render.Filter = null;
        return result;
    };

    public static bool IsFilter(string name) => Options.Filters.TryGetValue(name, out _);
}

/// <summary>Where a statement sits in its file, for errors; one immutable instance per statement, shared by renders.</summary>
internal sealed record LiquidPlace(string File, int Line, int Column, string Statement);

/// <summary>One render: Fluid's context plus what our filters and statements need.</summary>
internal sealed class LiquidRenderContext : TemplateContext
{
    private static readonly ConcurrentDictionary<string, MoneyOptions> Currencies = new(StringComparer.Ordinal);

    public LiquidRenderContext(RenderOptions options, LiquidLimits limits, CancellationToken cancellationToken)
        : base(LiquidEngine.Options, StringComparer.Ordinal)
    {
        Render = options;
        Limits = limits;
        MaxSteps = limits.MaxSteps;
        MaxOutputSize = limits.MaxOutputChars;
        MaxCollectionSize = limits.MaxIterationsPerLoop;
        TimeZone = options.TimeZone;
        CancellationToken = cancellationToken;
        // Numbers print as Liquid prints them (1234.5) whatever the partner's language; money and date switch to it.
        CultureInfo = CultureInfo.InvariantCulture;
        MoneyOptions = Currencies.GetOrAdd(options.Currency.ToUpperInvariant(), c => new MoneyOptions { Currency = c, AmountsInCents = true });
        Deadline = Environment.TickCount64 + (long)limits.RenderTimeout.TotalMilliseconds;
    }

    public RenderOptions Render { get; }
    /// <summary>One builder for the filters of this render (a render is single-threaded).</summary>
    public StringBuilder Scratch => _scratch ??= new StringBuilder(256);
    private StringBuilder? _scratch;
    public LiquidLimits Limits { get; }
    public long Deadline { get; }
    /// <summary>The statement being rendered (set by <see cref="LocatedStatement"/>), for render errors.</summary>
    public LiquidPlace? At { get; set; }
    /// <summary>The filter being applied, for render errors.</summary>
    public string? Filter { get; set; }
}

/// <summary>
/// Wraps each statement of a parsed template: records where rendering is, so an error deep inside a loop or a
/// snippet names its own line and column (Fluid's exceptions carry no place), and stops a render that runs past
/// its time limit even when every loop stays under the step limit.
/// </summary>
internal sealed class LocatedStatement(Statement inner, LiquidPlace place) : Statement
{
    public Statement Inner { get; } = inner;
    public LiquidPlace Place { get; } = place;
    public override bool IsWhitespaceOrCommentOnly => Inner.IsWhitespaceOrCommentOnly;

    public override ValueTask<Completion> WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        var render = (LiquidRenderContext)context;
        if (Environment.TickCount64 > render.Deadline) throw new TimeoutException();
        render.At = Place;
        return Inner.WriteToAsync(output, encoder, context);
    }
}

/// <summary>
/// Shopify's <c>render</c> over the kit's own snippets, parsed and checked with the template. Fluid's
/// <see cref="RenderStatement"/> loads its snippet by path from the process-wide options' file provider and cache,
/// which cannot tell one kit's 'footer' from another's; this keeps Fluid's parsed arguments and scoping and only
/// swaps where the snippet comes from.
/// </summary>
internal sealed class SnippetStatement(RenderStatement render, CompiledTemplate snippet) : Statement
{
    public override async ValueTask<Completion> WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        context.IncrementSteps();
        FluidValue? with = null;
        IReadOnlyList<FluidValue>? list = null;
        if (render.With is not null) with = await render.With.EvaluateAsync(context);
        else if (render.For is not null)
        {
            var items = await render.For.EvaluateAsync(context);
            var values = new List<FluidValue>();
            await foreach (var item in items.EnumerateAsync(context))
            {
                values.Add(item);
                context.EnsureCollectionSize(values.Count);
            }
            list = values;
        }
        // As in Shopify, arguments are evaluated in the caller, then the snippet sees only them and the model.
        var arguments = new (string Name, FluidValue Value)[render.AssignStatements.Count];
        for (var i = 0; i < arguments.Length; i++)
            arguments[i] = (render.AssignStatements[i].Identifier, await render.AssignStatements[i].Value.EvaluateAsync(context));
        var alias = render.Alias ?? render.Path;
        using var scope = context.EnterScope(ScopeBehavior.Isolated);
        foreach (var (name, value) in arguments) context.SetValue(name, value);
        if (list is null)
        {
            if (with is not null) context.SetValue(alias, with);
            await snippet.RenderAsync(output, encoder, context);
            return Completion.Normal;
        }
        var forloop = ForLoopValue.Create();
        forloop.IsRenderLoop = true;
        forloop.Length = list.Count;
        for (var i = 0; i < list.Count; i++)
        {
            context.IncrementSteps();
            context.SetValue("forloop", forloop);
            context.SetValue(alias, list[i]);
            forloop.Index = i + 1;
            forloop.Index0 = i;
            forloop.RIndex = list.Count - i;
            forloop.RIndex0 = list.Count - i - 1;
            forloop.First = i == 0;
            forloop.Last = i == list.Count - 1;
            await snippet.RenderAsync(output, encoder, context);
        }
        return Completion.Normal;
    }
}

/// <summary>
/// Collects a render's text in a pooled buffer (an email's own text is the only big allocation of a render) and
/// stops it at the output limit, before memory fills.
/// </summary>
internal sealed class LimitedOutput(int maxChars, int capacity) : IFluidOutput, IDisposable
{
    private char[] _buffer = ArrayPool<char>.Shared.Rent(Math.Max(256, Math.Min(capacity, maxChars)));
    private int _length;

    public int Length => _length;

    public void Write(string value) => Write(value.AsSpan());

    public void Write(char[] buffer, int index, int count) => Write(buffer.AsSpan(index, count));

    public void Write(ReadOnlySpan<char> value)
    {
        value.CopyTo(GetSpan(value.Length));
        Advance(value.Length);
    }

    public void Advance(int count)
    {
        Check(count);
        _length += count;
    }

    public Memory<char> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<char> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public ValueTask FlushAsync() => ValueTask.CompletedTask;
    public string Substring(int start) => new(_buffer, start, _length - start);
    public override string ToString() => new(_buffer, 0, _length);

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer.Length - _length >= sizeHint) return;
        Check(sizeHint);
        var bigger = ArrayPool<char>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + sizeHint));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private void Check(int adding)
    {
        if (_length + adding > maxChars) throw new OutputLimitException(maxChars);
    }

    public void Dispose()
    {
        ArrayPool<char>.Shared.Return(_buffer);
        _buffer = [];
    }
}

/// <summary>
/// An HTML output: its value is escaped as it is written, without an intermediate string. Escaping is decided by
/// the compiler from the expression, not left to Fluid's encoder: Fluid's "already encoded" mark travels with a
/// value, so a captured block appended with a recipient's name would print that name raw (FluidTrapTests).
/// </summary>
internal sealed class EscapedOutputStatement(Expression expression) : Statement
{
    private static readonly SearchValues<char> Special = SearchValues.Create("<>&\"'");

    public Expression Expression { get; } = expression;

    public override ValueTask<Completion> WriteToAsync(IFluidOutput output, TextEncoder encoder, TemplateContext context)
    {
        context.IncrementSteps();
        var task = Expression.EvaluateAsync(context);
        if (!task.IsCompletedSuccessfully) return Awaited(task, output, context);
        Write(output, task.Result.ToStringValue(context));
        return NormalCompletion;
    }

    private static async ValueTask<Completion> Awaited(ValueTask<FluidValue> task, IFluidOutput output, TemplateContext context)
    {
        Write(output, (await task).ToStringValue(context));
        return Completion.Normal;
    }

    internal static void Write(IFluidOutput output, ReadOnlySpan<char> text)
    {
        while (text.Length > 0)
        {
            var at = text.IndexOfAny(Special);
            var plain = at < 0 ? text : text[..at];
            if (plain.Length > 0)
            {
                plain.CopyTo(output.GetSpan(plain.Length));
                output.Advance(plain.Length);
            }
            if (at < 0) return;
            var entity = text[at] switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                _ => "&#39;",
            };
            entity.AsSpan().CopyTo(output.GetSpan(entity.Length));
            output.Advance(entity.Length);
            text = text[(at + 1)..];
        }
    }
}

internal sealed class OutputLimitException(int maxChars) : Exception($"the output is larger than the limit of {maxChars:N0} characters");
