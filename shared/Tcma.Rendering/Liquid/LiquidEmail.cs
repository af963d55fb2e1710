using System.Text.RegularExpressions;

namespace Tcma.Rendering.Liquid;

/// <summary>One rendered email; subject and preheader are single lines.</summary>
public sealed record RenderedEmail(string Subject, string Preheader, string Html, string Text);

/// <summary>The four Liquid parts of a kit email, validated together: subject, preheader, HTML and plain text.</summary>
public sealed partial class LiquidEmail
{
    private readonly LiquidTemplate _subject;
    private readonly LiquidTemplate _preheader;
    private readonly LiquidTemplate _html;
    private readonly LiquidTemplate _text;

    private LiquidEmail(LiquidTemplate subject, LiquidTemplate preheader, LiquidTemplate html, LiquidTemplate text) =>
        (_subject, _preheader, _html, _text) = (subject, preheader, html, text);

    /// <summary>Errors name the part's file, e.g. <c>welcome.subject.liquid(1,12)</c>.</summary>
    public static (LiquidEmail? Email, IReadOnlyList<LiquidError> Errors) Parse(
        string name, string subject, string preheader, string html, string text,
        LiquidLimits? limits = null, IReadOnlyDictionary<string, string>? snippets = null)
    {
        var parts = new[]
        {
            LiquidTemplate.Parse(subject, name + ".subject.liquid", LiquidContentKind.Text, limits, snippets),
            LiquidTemplate.Parse(preheader, name + ".preheader.liquid", LiquidContentKind.Text, limits, snippets),
            LiquidTemplate.Parse(html, name + ".html.liquid", LiquidContentKind.Html, limits, snippets),
            LiquidTemplate.Parse(text, name + ".text.liquid", LiquidContentKind.Text, limits, snippets),
        };
        var errors = parts.SelectMany(p => p.Errors).ToList();
        return errors.Count > 0
            ? (null, errors)
            : (new LiquidEmail(parts[0].Template!, parts[1].Template!, parts[2].Template!, parts[3].Template!), []);
    }

    public (RenderedEmail? Email, LiquidError? Error) Render(LiquidModel model, RenderOptions options)
    {
        var results = new[] { _subject.Render(model, options), _preheader.Render(model, options), _html.Render(model, options), _text.Render(model, options) };
        return Combine(results);
    }

    public (LiquidEmailLaunch? Launch, LiquidError? Error) PrepareLaunch(LiquidModel launch, RenderOptions options)
    {
        var prepared = new[] { _subject, _preheader, _html, _text }.Select(t => t.PrepareLaunch(launch, options)).ToList();
        var error = prepared.FirstOrDefault(p => !p.Succeeded)?.Error;
        return error is not null ? (null, error) : (new LiquidEmailLaunch(prepared.Select(p => p.Launch!).ToArray()), null);
    }

    internal static (RenderedEmail?, LiquidError?) Combine(RenderResult[] results)
    {
        if (results.FirstOrDefault(r => !r.Succeeded) is { } failed) return (null, failed.Error);
        return (new RenderedEmail(OneLine(results[0].Text!), OneLine(results[1].Text!), results[2].Text!, results[3].Text!), null);
    }

    /// <summary>A recipient's name with a line break must not become a second mail header: subjects are one line.</summary>
    private static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

/// <summary>A kit email with one launch rendered in; renders each recipient's copy.</summary>
public sealed class LiquidEmailLaunch
{
    private readonly LaunchTemplate[] _parts;

    internal LiquidEmailLaunch(LaunchTemplate[] parts) => _parts = parts;

    public (RenderedEmail? Email, LiquidError? Error) Render(LiquidModel recipient, CancellationToken cancellationToken = default) =>
        LiquidEmail.Combine(_parts.Select(p => p.Render(recipient, cancellationToken)).ToArray());
}
