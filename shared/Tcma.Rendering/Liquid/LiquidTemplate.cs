using System.Globalization;
using DotLiquid;

namespace Tcma.Rendering.Liquid;

/// <summary>The outcome of parsing: a template, or every error found with file, line and column.</summary>
public sealed record LiquidParseResult(LiquidTemplate? Template, IReadOnlyList<LiquidError> Errors)
{
    public bool Succeeded => Template is not null;
}

/// <summary>
/// A vendor's Liquid template, validated and compiled once, then rendered any number of times from any number of
/// threads. Each render gets its own DotLiquid context, so nothing assigned in one render is visible in the next.
/// </summary>
public sealed class LiquidTemplate
{
    private readonly CompiledTemplate _main;
    private readonly IReadOnlyDictionary<string, CompiledTemplate> _snippets;

    private LiquidTemplate(CompiledTemplate main, IReadOnlyDictionary<string, CompiledTemplate> snippets, LiquidContentKind kind, LiquidLimits limits)
    {
        _main = main;
        _snippets = snippets;
        Kind = kind;
        Limits = limits;
    }

    public string FileName => _main.File;
    public LiquidContentKind Kind { get; }
    public LiquidLimits Limits { get; }
    /// <summary>Top-level statements that must be rendered per recipient; the rest is rendered once per launch.</summary>
    public int PerRecipientStatements => _main.Nodes.Count(n => n.PerRecipient);
    public int Statements => _main.Nodes.Count;

    /// <param name="snippets">Kit snippets by name, for <c>{% render 'name' %}</c>; parsed with the same rules.</param>
    public static LiquidParseResult Parse(
        string source,
        string fileName,
        LiquidContentKind kind = LiquidContentKind.Html,
        LiquidLimits? limits = null,
        IReadOnlyDictionary<string, string>? snippets = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        limits ??= LiquidLimits.Default;
        var errors = new List<LiquidError>();
        var compiler = new LiquidCompiler(kind, limits, snippets);
        var main = compiler.Compile(source, fileName, errors);
        return main is null || errors.Count > 0
            ? new LiquidParseResult(null, errors.Count > 0 ? errors : [new LiquidError(fileName, 1, 1, "the template could not be compiled")])
            : new LiquidParseResult(new LiquidTemplate(main, compiler.Snippets, kind, limits), []);
    }

    /// <summary>Renders the whole template for one model.</summary>
    public RenderResult Render(LiquidModel model, RenderOptions? options = null)
    {
        options ??= new RenderOptions();
        return Run(options, options.CancellationToken, [new Hash(), model.Values], Limits.MaxOutputChars, 1024, (context, writer) =>
        {
            foreach (var node in _main.Nodes) _main.RenderNode(node, context, writer);
        });
    }

    /// <summary>
    /// Renders everything that does not depend on the recipient once for a launch (partner, vendor, campaign);
    /// <see cref="LaunchTemplate.Render"/> then renders only the recipient-dependent statements.
    /// </summary>
    public LaunchPreparation PrepareLaunch(LiquidModel launch, RenderOptions? options = null)
    {
        options ??= new RenderOptions();
        // Whatever the caller passes, one recipient's data must never be baked into every email of the launch.
        launch = launch.Shared();
        var parts = new List<LaunchPart>();
        var result = Run(options, options.CancellationToken, [new Hash(), launch.Values], Limits.MaxOutputChars, 1024, (context, writer) =>
        {
            var builder = writer.GetStringBuilder();
            var staticFrom = 0;
            foreach (var node in _main.Nodes)
            {
                if (!node.PerRecipient)
                {
                    _main.RenderNode(node, context, writer);
                    continue;
                }
                if (builder.Length > staticFrom) parts.Add(new LaunchPart(builder.ToString(staticFrom, builder.Length - staticFrom), null, null));
                staticFrom = builder.Length;
                // What the launch-level statements assigned so far: the recipient statement reads exactly these.
                var snapshot = context.Scopes[^1].ToDictionary(kv => kv.Key, kv => kv.Value);
                parts.Add(new LaunchPart(null, node, snapshot));
            }
            if (builder.Length > staticFrom) parts.Add(new LaunchPart(builder.ToString(staticFrom, builder.Length - staticFrom), null, null));
        });
        return result.Succeeded
            ? new LaunchPreparation(new LaunchTemplate(this, launch, options, parts), null)
            : new LaunchPreparation(null, result.Error);
    }

    internal RenderResult RenderLaunch(LaunchTemplate launch, LiquidModel recipient, CancellationToken cancellationToken)
    {
        return Run(launch.Options, cancellationToken, [new Hash(), recipient.Values, launch.Model.Values], Limits.MaxOutputChars, launch.StaticLength + 256, (context, writer) =>
        {
            var scope = context.Scopes[^1];
            foreach (var part in launch.Parts)
            {
                if (part.Text is not null)
                {
                    writer.Write(part.Text);
                    continue;
                }
                foreach (var (key, value) in part.Snapshot!) scope[key] = value;
                _main.RenderNode(part.Node!, context, writer);
            }
        });
    }

    private RenderResult Run(RenderOptions options, CancellationToken cancellationToken, List<Hash> environments, int maxChars, int capacity, Action<Context, LimitedWriter> body)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Limits.RenderTimeout);
        var state = new RenderState(options, _snippets, timeout.Token, Limits);
        var registers = new Hash { [RenderState.Key] = state };
        var context = new Context(environments, new Hash(), registers, ErrorsOutputMode.Rethrow, Limits.MaxIterationsPerLoop, CultureInfo.InvariantCulture, timeout.Token)
        {
            SyntaxCompatibilityLevel = SyntaxCompatibility.DotLiquid22a,
        };
        SharedStrainer.Attach(context);
        using var writer = new LimitedWriter(maxChars);
        writer.GetStringBuilder().EnsureCapacity(Math.Min(capacity, maxChars));
        try
        {
            body(context, writer);
            return RenderResult.Ok(writer.ToString());
        }
        catch (LiquidRenderException e)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return RenderResult.Failed(e.Error);
        }
        catch (OutputLimitException e)
        {
            return RenderResult.Failed(new LiquidError(FileName, 1, 1, e.Message));
        }
    }
}

internal sealed record LaunchPart(string? Text, CompiledNode? Node, IReadOnlyDictionary<string, object>? Snapshot);

public sealed record LaunchPreparation(LaunchTemplate? Launch, LiquidError? Error)
{
    public bool Succeeded => Launch is not null;
}

/// <summary>A template with one launch's partner, vendor and campaign already rendered in; immutable and thread-safe.</summary>
public sealed class LaunchTemplate
{
    private readonly LiquidTemplate _template;

    internal LaunchTemplate(LiquidTemplate template, LiquidModel model, RenderOptions options, IReadOnlyList<LaunchPart> parts)
    {
        _template = template;
        Model = model;
        Options = options;
        Parts = parts;
        StaticLength = parts.Sum(p => p.Text?.Length ?? 0);
    }

    internal LiquidModel Model { get; }
    internal RenderOptions Options { get; }
    internal IReadOnlyList<LaunchPart> Parts { get; }
    internal int StaticLength { get; }

    /// <summary>Renders one recipient's copy; <paramref name="recipient"/> carries <c>recipient</c> and <c>links</c>.</summary>
    public RenderResult Render(LiquidModel recipient, CancellationToken cancellationToken = default) =>
        _template.RenderLaunch(this, recipient, cancellationToken);
}
