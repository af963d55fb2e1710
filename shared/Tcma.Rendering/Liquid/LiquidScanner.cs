using System.Text;
using System.Text.RegularExpressions;

namespace Tcma.Rendering.Liquid;

internal enum TokenKind
{
    Text,
    Output,
    Tag,
    Trim,
}

/// <summary>One piece of the source with the place it came from, so every error can name line and column.</summary>
internal sealed class Token(TokenKind kind, string content, int offset)
{
    public TokenKind Kind { get; } = kind;
    /// <summary>Text as written, or the markup of an output/tag with newlines flattened to spaces.</summary>
    public string Content { get; set; } = content;
    public int Offset { get; } = offset;
    public string Name { get; init; } = "";
    public string Args { get; init; } = "";
    public bool TrimLeft { get; init; }
    public bool TrimRight { get; init; }
    /// <summary>Index of the matching end tag for a block opener.</summary>
    public int End { get; set; } = -1;
    /// <summary>What DotLiquid gets for this token after our rewriting.</summary>
    public string Emitted { get; set; } = "";
}

/// <summary>
/// Our own front end in front of DotLiquid. It does what DotLiquid cannot do safely or at all: refuse oversized
/// and deeply nested sources before any recursive parser sees them, accept tags and outputs spanning lines,
/// give every error a line and column, expand Shopify's <c>liquid</c>, <c>echo</c> and <c>{% # %}</c>, apply
/// whitespace control itself (so the template can be cut into independently parsed statements), and rewrite
/// filter chains to our filter names with HTML escaping appended.
/// </summary>
internal sealed partial class LiquidScanner
{
    private static readonly HashSet<string> BlockTags = ["if", "unless", "case", "for", "tablerow", "capture"];
    private static readonly HashSet<string> SimpleTags = ["assign", "increment", "decrement", "cycle", "break", "continue", "render"];
    private static readonly HashSet<string> Keywords =
        ["and", "or", "contains", "in", "reversed", "limit", "offset", "cols", "true", "false", "nil", "null", "empty", "blank", "with", "as", "for", "continue"];

    private readonly string _source;
    private readonly string _file;
    private readonly LiquidLimits _limits;
    private readonly int[] _lineStarts;
    public List<LiquidError> Errors { get; } = [];

    public LiquidScanner(string source, string file, LiquidLimits limits)
    {
        _source = source;
        _file = file;
        _limits = limits;
        var starts = new List<int> { 0 };
        for (var i = 0; i < source.Length; i++) if (source[i] == '\n') starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    public LiquidError ErrorAt(int offset, string message)
    {
        var line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0) line = ~line - 1;
        return new LiquidError(_file, line + 1, offset - _lineStarts[line] + 1, message);
    }

    private bool Fail(int offset, string message)
    {
        Errors.Add(ErrorAt(offset, message));
        return false;
    }

    /// <summary>Lexes, expands, trims and checks the block structure. Null when the source is refused.</summary>
    public List<Token>? Scan()
    {
        if (_source.Length > _limits.MaxTemplateChars)
        {
            Fail(0, $"the template is {_source.Length:N0} characters long; the limit is {_limits.MaxTemplateChars:N0}");
            return null;
        }
        var tokens = Lex();
        if (tokens is null) return null;
        ApplyWhitespaceControl(tokens);
        tokens.RemoveAll(t => t.Kind == TokenKind.Trim || (t.Kind == TokenKind.Text && t.Content.Length == 0));
        return CheckStructure(tokens) ? tokens : null;
    }

    private List<Token>? Lex()
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < _source.Length)
        {
            var open = IndexOfOpening(i);
            if (open < 0)
            {
                tokens.Add(new Token(TokenKind.Text, _source[i..], i));
                break;
            }
            if (open > i) tokens.Add(new Token(TokenKind.Text, _source[i..open], i));
            var isOutput = _source[open + 1] == '{';
            var close = _source.IndexOf(isOutput ? "}}" : "%}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                Fail(open, isOutput ? "'{{' is never closed with '}}'" : "'{%' is never closed with '%}'");
                return null;
            }
            var innerStart = open + 2;
            var innerEnd = close;
            var trimLeft = innerStart < innerEnd && _source[innerStart] == '-';
            if (trimLeft) innerStart++;
            var trimRight = innerEnd > innerStart && _source[innerEnd - 1] == '-';
            if (trimRight) innerEnd--;
            i = close + 2;
            if (isOutput)
            {
                tokens.Add(new Token(TokenKind.Output, Flatten(_source[innerStart..innerEnd]), open) { TrimLeft = trimLeft, TrimRight = trimRight });
                continue;
            }
            var inner = _source[innerStart..innerEnd];
            var nameMatch = TagNameRegex().Match(inner);
            if (!nameMatch.Success)
            {
                Fail(open, "a tag needs a name, as in {% if ... %}");
                return null;
            }
            var name = nameMatch.Groups[1].Value;
            var argsOffset = innerStart + nameMatch.Length;
            var args = inner[nameMatch.Length..];
            switch (name)
            {
                case "#":
                    tokens.Add(new Token(TokenKind.Trim, "", open) { TrimLeft = trimLeft, TrimRight = trimRight });
                    break;
                case "comment":
                    var endComment = FindClosing(i, "comment", "endcomment");
                    if (endComment is null) { Fail(open, "'comment' is never closed with 'endcomment'"); return null; }
                    tokens.Add(new Token(TokenKind.Trim, "", open) { TrimLeft = trimLeft, TrimRight = endComment.Value.TrimRight });
                    i = endComment.Value.After;
                    break;
                case "raw":
                    var endRaw = FindClosing(i, "raw", "endraw", nests: false);
                    if (endRaw is null) { Fail(open, "'raw' is never closed with 'endraw'"); return null; }
                    tokens.Add(new Token(TokenKind.Trim, "", open) { TrimLeft = trimLeft });
                    tokens.Add(new Token(TokenKind.Text, _source[i..endRaw.Value.Start], i) { Name = "raw" });
                    tokens.Add(new Token(TokenKind.Trim, "", endRaw.Value.Start) { TrimRight = endRaw.Value.TrimRight });
                    i = endRaw.Value.After;
                    break;
                case "liquid":
                    tokens.Add(new Token(TokenKind.Trim, "", open) { TrimLeft = trimLeft });
                    if (!ExpandLiquidTag(args, argsOffset, tokens)) return null;
                    tokens.Add(new Token(TokenKind.Trim, "", open) { TrimRight = trimRight });
                    break;
                case "echo":
                    tokens.Add(new Token(TokenKind.Output, Flatten(args), open) { TrimLeft = trimLeft, TrimRight = trimRight, Name = "echo" });
                    break;
                default:
                    tokens.Add(new Token(TokenKind.Tag, Flatten(inner), open)
                    { Name = name, Args = Flatten(args).Trim(), TrimLeft = trimLeft, TrimRight = trimRight });
                    break;
            }
        }
        return tokens;
    }

    private int IndexOfOpening(int from)
    {
        var a = _source.IndexOf("{{", from, StringComparison.Ordinal);
        var b = _source.IndexOf("{%", from, StringComparison.Ordinal);
        return a < 0 ? b : b < 0 ? a : Math.Min(a, b);
    }

    /// <summary>Finds the end of a comment or raw block, counting nested comments as Shopify does.</summary>
    private (int Start, int After, bool TrimRight)? FindClosing(int from, string open, string close, bool nests = true)
    {
        // A plain left-to-right scan: a regex here would go quadratic on a source full of unclosed '{%'.
        var depth = 1;
        var i = from;
        while (true)
        {
            var start = _source.IndexOf("{%", i, StringComparison.Ordinal);
            if (start < 0) return null;
            var end = _source.IndexOf("%}", start + 2, StringComparison.Ordinal);
            if (end < 0) return null;
            var inner = _source.AsSpan(start + 2, end - start - 2);
            var trimRight = inner.Length > 0 && inner[^1] == '-';
            if (inner.Length > 0 && inner[0] == '-') inner = inner[1..];
            inner = inner.TrimStart();
            var length = 0;
            while (length < inner.Length && (char.IsAsciiLetter(inner[length]) || inner[length] == '_')) length++;
            var name = inner[..length];
            if (nests && name.SequenceEqual(open)) depth++;
            else if (name.SequenceEqual(close) && --depth == 0) return (start, end + 2, trimRight);
            i = end + 2;
        }
    }

    /// <summary>Shopify's multi-line tag: one tag per line, no delimiters; expanded into ordinary tokens.</summary>
    private bool ExpandLiquidTag(string body, int bodyOffset, List<Token> tokens)
    {
        var lineOffset = bodyOffset;
        var inComment = 0;
        foreach (var rawLine in body.Split('\n'))
        {
            var offset = lineOffset;
            lineOffset += rawLine.Length + 1;
            var line = rawLine.TrimEnd('\r');
            var indent = line.Length - line.TrimStart().Length;
            line = line.Trim();
            if (line.Length == 0) continue;
            var m = TagNameRegex().Match(line);
            if (!m.Success) return Fail(offset + indent, $"'{line}' is not a tag");
            var name = m.Groups[1].Value;
            var args = line[m.Length..].Trim();
            if (name == "comment") { inComment++; continue; }
            if (name == "endcomment" && inComment > 0) { inComment--; continue; }
            if (inComment > 0 || name == "#") continue;
            var at = offset + indent;
            if (name == "echo") tokens.Add(new Token(TokenKind.Output, args, at) { Name = "echo" });
            else if (name is "liquid" or "raw") return Fail(at, $"'{name}' cannot be used inside 'liquid'");
            else tokens.Add(new Token(TokenKind.Tag, line, at) { Name = name, Args = args });
        }
        return true;
    }

    private static string Flatten(string markup) => markup.Replace("\r\n", " ").Replace('\n', ' ').Replace('\r', ' ').Replace('\t', ' ');

    /// <summary>As in Shopify, a dash trims the whitespace of the one text next to it (a comment is a tag too).</summary>
    private static void ApplyWhitespaceControl(List<Token> tokens)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind == TokenKind.Text) continue;
            if (t.TrimLeft && i > 0 && tokens[i - 1] is { Kind: TokenKind.Text, Name: not "raw" } before) before.Content = before.Content.TrimEnd();
            if (t.TrimRight && i + 1 < tokens.Count && tokens[i + 1] is { Kind: TokenKind.Text, Name: not "raw" } after) after.Content = after.Content.TrimStart();
        }
    }

    private bool CheckStructure(List<Token> tokens)
    {
        var open = new Stack<int>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            if (t.Kind != TokenKind.Tag) continue;
            var name = t.Name;
            if (BlockTags.Contains(name))
            {
                open.Push(i);
                if (open.Count > _limits.MaxNestingDepth)
                    return Fail(t.Offset, $"blocks are nested more than {_limits.MaxNestingDepth} deep");
                if (name is "if" or "unless" && !CheckConditions(t)) return false;
            }
            else if (name.StartsWith("end", StringComparison.Ordinal) && BlockTags.Contains(name[3..]))
            {
                if (open.Count == 0) return Fail(t.Offset, $"'{name}' has no opening '{name[3..]}'");
                var opener = tokens[open.Peek()];
                if (opener.Name != name[3..])
                {
                    var at = ErrorAt(opener.Offset, "");
                    return Fail(t.Offset, $"'{name}' cannot close the '{opener.Name}' opened at line {at.Line}, column {at.Column}");
                }
                opener.End = i;
                open.Pop();
            }
            else if (name is "else" or "elsif" or "when")
            {
                var parent = open.Count == 0 ? null : tokens[open.Peek()].Name;
                var allowed = name switch
                {
                    "elsif" => parent is "if" or "unless",
                    "when" => parent is "case",
                    _ => parent is "if" or "unless" or "case" or "for",
                };
                if (!allowed) return Fail(t.Offset, $"'{name}' is not allowed here{(parent is null ? "" : $" (inside '{parent}')")}");
                if (name == "elsif" && !CheckConditions(t)) return false;
            }
            else if (name == "include")
                return Fail(t.Offset, "'include' is not supported; use 'render', which keeps the snippet's variables separate");
            else if (!SimpleTags.Contains(name))
                return Fail(t.Offset, $"unknown tag '{name}'");
        }
        if (open.Count > 0)
        {
            var opener = tokens[open.Peek()];
            return Fail(opener.Offset, $"'{opener.Name}' is never closed with 'end{opener.Name}'");
        }
        return true;
    }

    /// <summary>DotLiquid evaluates and/or chains recursively: a long chain is a stack overflow in disguise.</summary>
    private bool CheckConditions(Token t)
    {
        var count = Identifiers(t.Args).Count(w => w is "and" or "or");
        return count < _limits.MaxConditionsPerTag
            || Fail(t.Offset, $"a condition may combine at most {_limits.MaxConditionsPerTag} parts with 'and'/'or'");
    }

    /// <summary>Root names a markup reads (not properties after a dot, filter names or keyword argument names).</summary>
    public static IEnumerable<string> RootReferences(string markup) =>
        Identifiers(markup, rootsOnly: true).Where(w => !Keywords.Contains(w));

    private static List<string> Identifiers(string markup, bool rootsOnly = false)
    {
        var words = new List<string>();
        var i = 0;
        var previous = ' ';
        while (i < markup.Length)
        {
            var c = markup[i];
            if (c is '"' or '\'')
            {
                var close = markup.IndexOf(c, i + 1);
                i = close < 0 ? markup.Length : close + 1;
                previous = c;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < markup.Length && (char.IsLetterOrDigit(markup[i]) || markup[i] is '_' or '-')) i++;
                if (i < markup.Length && markup[i] == '?') i++;
                var word = markup[start..i];
                var next = i;
                while (next < markup.Length && markup[next] == ' ') next++;
                var isKeywordArgument = next < markup.Length && markup[next] == ':';
                if (!rootsOnly || (previous != '.' && previous != '|' && !isKeywordArgument)) words.Add(word);
                previous = 'a';
                continue;
            }
            if (c == '.' && i + 1 < markup.Length && markup[i + 1] == '.')
            {
                // A range's '..' is an operator, not a property access: (1..recipient.count) reads 'recipient'.
                previous = ' ';
                i += 2;
                continue;
            }
            if (c != ' ') previous = c;
            i++;
        }
        return words;
    }

    /// <summary>Splits on a separator outside quoted strings.</summary>
    public static List<string> SplitOutsideQuotes(string markup, char separator)
    {
        var parts = new List<string>();
        var start = 0;
        char quote = '\0';
        for (var i = 0; i < markup.Length; i++)
        {
            var c = markup[i];
            if (quote != '\0') { if (c == quote) quote = '\0'; }
            else if (c is '"' or '\'') quote = c;
            else if (c == separator) { parts.Add(markup[start..i]); start = i + 1; }
        }
        parts.Add(markup[start..]);
        return parts;
    }

    [GeneratedRegex(@"^\s*(#|[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex TagNameRegex();

}

/// <summary>A filter chain taken apart: the expression and each filter with its arguments.</summary>
internal sealed record FilterChain(string Expression, List<(string Name, List<string> Positional, List<(string Key, string Value)> Named)> Filters)
{
    public static FilterChain? Parse(string markup, out string? error)
    {
        error = null;
        var parts = LiquidScanner.SplitOutsideQuotes(markup, '|');
        var filters = new List<(string, List<string>, List<(string, string)>)>();
        foreach (var part in parts.Skip(1))
        {
            var colon = LiquidScanner.SplitOutsideQuotes(part, ':');
            var name = colon[0].Trim();
            if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
            {
                error = name.Length == 0 ? "a '|' is not followed by a filter name" : $"'{name}' is not a filter name";
                return null;
            }
            var positional = new List<string>();
            var named = new List<(string, string)>();
            var argText = colon.Count > 1 ? part[(part.IndexOf(':') + 1)..] : "";
            if (argText.Trim().Length > 0)
                foreach (var arg in LiquidScanner.SplitOutsideQuotes(argText, ','))
                {
                    var a = arg.Trim();
                    if (a.Length == 0) { error = $"filter '{name}' has an empty argument"; return null; }
                    var kv = LiquidScanner.SplitOutsideQuotes(a, ':');
                    if (kv.Count == 2 && kv[0].Trim().All(c => char.IsLetterOrDigit(c) || c == '_')) named.Add((kv[0].Trim(), kv[1].Trim()));
                    else positional.Add(a);
                }
            filters.Add((name, positional, named));
        }
        return new FilterChain(parts[0].Trim(), filters);
    }

    public string Emit()
    {
        var sb = new StringBuilder(Expression);
        foreach (var (name, positional, _) in Filters)
        {
            sb.Append(" | ").Append(name);
            if (positional.Count > 0) sb.Append(": ").Append(string.Join(", ", positional));
        }
        return sb.ToString();
    }
}
