using System.Text.RegularExpressions;
using Fluid;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// Turns Fluid's parse errors into errors a vendor can act on. Fluid says where its parser stopped (inside a tag,
/// or at the end of the file for a block left open) and nothing about which tag was left open; this points at the
/// <c>{%</c> or <c>{{</c> of the tag concerned and, for blocks, names the opener. It only reads tag names to
/// describe an error Fluid found; it never decides whether a template parses.
/// </summary>
internal static partial class LiquidSyntaxErrors
{
    private static readonly HashSet<string> Blocks = ["if", "unless", "case", "for", "tablerow", "capture", "ifchanged"];

    /// <summary>What Shopify's documentation gives as each tag's form, said when Fluid finds a tag it cannot read.</summary>
    private static readonly Dictionary<string, string> Syntax = new(StringComparer.Ordinal)
    {
        ["if"] = "if [expression]",
        ["elsif"] = "elsif [expression]",
        ["unless"] = "unless [expression]",
        ["case"] = "case [expression]",
        ["when"] = "when [value] [or value2, value3 ...]",
        ["for"] = "for [item] in [collection]",
        ["tablerow"] = "tablerow [item] in [collection] [cols: n]",
        ["cycle"] = "cycle [name :] var [, var2, var3 ...]",
        ["assign"] = "assign [name] = [value]",
        ["capture"] = "capture [name]",
        ["increment"] = "increment [name]",
        ["decrement"] = "decrement [name]",
        ["render"] = "render 'snippet' [with value | for list] [as name], [name: value ...]",
        ["echo"] = "echo [expression]",
    };

    /// <summary>
    /// Fluid backtracks over every '{%' of a comment that is never closed (80,000 of them take about a minute), so
    /// comments are matched here first, in one pass, as Shopify nests them.
    /// </summary>
    public static LiquidError? UnclosedComment(string source, LineMap lines)
    {
        var depth = 0;
        var opened = -1;
        for (var i = source.IndexOf("{%", StringComparison.Ordinal); i >= 0; i = source.IndexOf("{%", i + 2, StringComparison.Ordinal))
        {
            var name = TagName(source, i);
            if (name == "comment" && depth++ == 0) opened = i;
            else if (name == "endcomment" && depth > 0) depth--;
            else if (name == "raw" && depth == 0)
            {
                // A raw block's text is not Liquid: '{% comment %}' inside it opens nothing.
                var end = source.IndexOf("endraw", i, StringComparison.Ordinal);
                if (end < 0) break;
                i = end;
            }
        }
        return depth > 0 ? lines.Error(opened, "'comment' is never closed with 'endcomment'") : null;
    }

    public static LiquidError Describe(ParseException e, string source, LineMap lines, LiquidLimits limits)
    {
        var message = e.Message;
        var cut = message.IndexOf(" at (", StringComparison.Ordinal);
        if (cut >= 0) message = message[..cut];
        message = message.Split('\n')[0].Trim();
        var offset = Math.Clamp(e.Position?.Offset ?? 0, 0, source.Length);
        var tag = TagStart(source, offset);

        if (message.StartsWith("The maximum parser recursion depth", StringComparison.Ordinal))
        {
            var name = TagName(source, tag);
            if (source.AsSpan(tag).StartsWith("{{"))
                return lines.Error(tag, $"an expression may apply at most {limits.MaxFiltersPerExpression} filters");
            if (name is "if" or "elsif" or "unless" && AndOr().IsMatch(source.AsSpan(tag, Math.Min(200, source.Length - tag))))
                return lines.Error(tag, $"a condition may combine at most {limits.MaxConditionsPerTag} parts with 'and'/'or'");
            return lines.Error(TooDeep(source, offset, limits.MaxNestingDepth) ?? tag, $"blocks are nested more than {limits.MaxNestingDepth} deep");
        }
        if (ExpectedEnd().Match(message) is { Success: true } expected)
        {
            var open = OpenBlocks(source, offset);
            var here = offset < source.Length ? TagName(source, TagStart(source, Math.Min(source.Length - 1, offset + 2))) : null;
            if (open.Count > 0)
            {
                var (name, at) = open.Peek();
                if (here is not null && here.StartsWith("end", StringComparison.Ordinal) && here != "end" + name)
                {
                    var (line, column) = lines.At(at);
                    return lines.Error(TagStart(source, Math.Min(source.Length - 1, offset + 2)),
                        $"'{here}' cannot close the '{name}' opened at line {line}, column {column}");
                }
                return lines.Error(at, $"'{name}' is never closed with 'end{name}'");
            }
            return lines.Error(tag, message);
        }
        if (message.StartsWith("Invalid '", StringComparison.Ordinal) && message.EndsWith("' tag", StringComparison.Ordinal)
            && Syntax.TryGetValue(message[9..^5], out var syntax))
            return lines.Error(tag, $"Syntax Error in '{message[9..^5]}' tag - Valid syntax: {syntax}");
        if (UnknownTag().Match(message) is { Success: true } unknown)
        {
            var name = unknown.Groups[1].Value;
            // Inside {% liquid %} a tag has no delimiters: point at its name.
            var named = source.LastIndexOf(name, Math.Min(offset, source.Length - 1), StringComparison.Ordinal);
            if (named >= 0 && !PrefixOfTag().IsMatch(source[TagStart(source, named)..named])) tag = named;
            if (name is "else" or "elsif" or "when" || name.StartsWith("end", StringComparison.Ordinal))
                return lines.Error(tag, $"'{name}' is not allowed here");
            return lines.Error(tag, $"unknown tag '{name}'");
        }
        if (message.StartsWith("End of tag '}}' was expected", StringComparison.Ordinal) && source.IndexOf("}}", tag, StringComparison.Ordinal) < 0)
            return lines.Error(tag, "'{{' is never closed with '}}'");
        if (message.StartsWith("End of tag '%}' was expected", StringComparison.Ordinal) && source.IndexOf("%}", tag, StringComparison.Ordinal) < 0)
            return lines.Error(tag, "'{%' is never closed with '%}'");
        return lines.Error(tag, message);
    }

    /// <summary>The opening of the tag or output an offset falls in (or the offset itself outside any).</summary>
    private static int TagStart(string source, int offset)
    {
        var from = Math.Min(offset, source.Length - 1);
        if (from < 0) return 0;
        var tag = source.LastIndexOf("{%", from, StringComparison.Ordinal);
        var output = source.LastIndexOf("{{", from, StringComparison.Ordinal);
        var start = Math.Max(tag, output);
        return start < 0 ? offset : start;
    }

    private static string? TagName(string source, int at) =>
        TagNameAt().Match(source, at) is { Success: true } m && m.Index == at ? m.Groups[1].Value : null;

    /// <summary>The blocks still open at an offset, innermost on top; comment and raw bodies are skipped.</summary>
    private static Stack<(string Name, int At)> OpenBlocks(string source, int upTo)
    {
        var open = new Stack<(string, int)>();
        string? skipUntil = null;
        var depth = 0;
        foreach (Match m in TagNameAt().Matches(source[..Math.Min(upTo, source.Length)]))
        {
            var name = m.Groups[1].Value;
            if (skipUntil is not null)
            {
                if (name == "comment" && skipUntil == "endcomment") depth++;
                else if (name == skipUntil && --depth == 0) skipUntil = null;
                continue;
            }
            if (name is "comment" or "raw") { skipUntil = "end" + name; depth = 1; }
            else if (Blocks.Contains(name)) open.Push((name, m.Index));
            else if (name.StartsWith("end", StringComparison.Ordinal) && open.Count > 0 && open.Peek().Item1 == name[3..]) open.Pop();
        }
        return open;
    }

    /// <summary>Where the first block deeper than the limit opens, reading tag names up to the parser's stop.</summary>
    private static int? TooDeep(string source, int upTo, int max)
    {
        var depth = 0;
        foreach (Match m in TagNameAt().Matches(source[..Math.Min(upTo, source.Length)]))
        {
            var name = m.Groups[1].Value;
            if (Blocks.Contains(name) && ++depth > max) return m.Index;
            if (name.StartsWith("end", StringComparison.Ordinal) && Blocks.Contains(name[3..])) depth--;
        }
        return null;
    }

    [GeneratedRegex(@"^\{%-?\s*$")]
    private static partial Regex PrefixOfTag();

    [GeneratedRegex(@"\{%-?\s*([A-Za-z_]\w*)")]
    private static partial Regex TagNameAt();

    [GeneratedRegex(@"^'\{% (end\w+) %\}' was expected")]
    private static partial Regex ExpectedEnd();

    [GeneratedRegex(@"^Unknown tag '([^']+)'")]
    private static partial Regex UnknownTag();

    [GeneratedRegex(@"\s(and|or)\s")]
    private static partial Regex AndOr();
}
