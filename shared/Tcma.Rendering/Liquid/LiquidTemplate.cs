using Fluid;
using Fluid.Values;

namespace Tcma.Rendering.Liquid;

/// <summary>The outcome of parsing: a template, or every error found with file, line and column.</summary>
public sealed record LiquidParseResult(LiquidTemplate? Template, IReadOnlyList<LiquidError> Errors)
{
    public bool Succeeded => Template is not null;
}

/// <summary>
/// A vendor's Liquid template, validated and compiled once, then rendered any number of times from any number of
/// threads. Each render gets its own Fluid context, so nothing assigned in one render is visible in the next.
/// </summary>
public sealed class LiquidTemplate
{
    private readonly CompiledTemplate _main;
    /// <summary>The last render's length, so the next starts with a buffer that fits (a race only costs a regrowth).</summary>
    private int _lastLength;

    private LiquidTemplate(CompiledTemplate main, LiquidContentKind kind, LiquidLimits limits)
    {
        _main = main;
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
            : new LiquidParseResult(new LiquidTemplate(main, kind, limits), []);
    }

    /// <summary>Renders the whole template for one model.</summary>
    public RenderResult Render(LiquidModel model, RenderOptions? options = null)
    {
        options ??= new RenderOptions();
        return Run(options, options.CancellationToken, model, null, 1024, (context, output) =>
        {
            foreach (var node in _main.Nodes) Sync(node.Statement.WriteToAsync(output, NullEncoder.Default, context));
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
        var result = Run(options, options.CancellationToken, launch, null, 1024, (context, output) =>
        {
            var staticFrom = 0;
            foreach (var node in _main.Nodes)
            {
                if (!node.PerRecipient)
                {
                    Sync(node.Statement.WriteToAsync(output, NullEncoder.Default, context));
                    continue;
                }
                if (output.Length > staticFrom) parts.Add(new LaunchPart(output.Substring(staticFrom), null, null));
                staticFrom = output.Length;
                // What the launch-level statements assigned so far: the recipient statement reads exactly these.
                var scope = context.LocalScope;
                var snapshot = scope.Properties.Select(name => (name, scope.GetValue(name))).ToArray();
                parts.Add(new LaunchPart(null, node, snapshot));
            }
            if (output.Length > staticFrom) parts.Add(new LaunchPart(output.Substring(staticFrom), null, null));
        });
        return result.Succeeded
            ? new LaunchPreparation(new LaunchTemplate(this, launch, options, parts), null)
            : new LaunchPreparation(null, result.Error);
    }

    internal RenderResult RenderLaunch(LaunchTemplate launch, LiquidModel recipient, CancellationToken cancellationToken)
    {
        return Run(launch.Options, cancellationToken, launch.Model, recipient, launch.StaticLength + 256, (context, output) =>
        {
            foreach (var part in launch.Parts)
            {
                if (part.Text is not null)
                {
                    output.Write(part.Text);
                    continue;
                }
                foreach (var (name, value) in part.Snapshot!) context.SetValue(name, value);
                Sync(part.Node!.Statement.WriteToAsync(output, NullEncoder.Default, context));
            }
        });
    }

    /// <summary>Our statements and filters never await anything; a pending task would be a bug, not a template problem.</summary>
    private static void Sync(ValueTask<Fluid.Ast.Completion> task)
    {
        if (!task.IsCompletedSuccessfully) task.AsTask().GetAwaiter().GetResult();
    }

    private RenderResult Run(RenderOptions options, CancellationToken cancellationToken, LiquidModel model, LiquidModel? recipient, int capacity,
        Action<LiquidRenderContext, LimitedOutput> body)
    {
        var context = new LiquidRenderContext(options, Limits, cancellationToken);
        foreach (var (name, value) in model.Values) context.SetValue(name, value);
        if (recipient is not null) foreach (var (name, value) in recipient.Values) context.SetValue(name, value);
        using var output = new LimitedOutput(Limits.MaxOutputChars, Math.Max(capacity, _lastLength + 64));
        try
        {
            // The model sits in the root scope, which a snippet sees; the template's own variables live in a scope
            // of their own, which it does not.
            using var scope = context.EnterScope();
            body(context, output);
            _lastLength = output.Length;
            return RenderResult.Ok(output.ToString());
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not (OutOfMemoryException or InsufficientExecutionStackException))
        {
            var at = context.At ?? new LiquidPlace(FileName, 1, 1, "template");
            return RenderResult.Failed(new LiquidError(at.File, at.Line, at.Column, LiquidRenderErrors.Describe(e, context, at)));
        }
    }
}

internal sealed record LaunchPart(string? Text, CompiledNode? Node, (string Name, FluidValue Value)[]? Snapshot);

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
