using System.Collections;
using System.Globalization;
using System.Text;
using DotLiquid;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// Filters DotLiquid lacks or gets wrong for Shopify templates. Every method is registered under a tcma_ name
/// (DotLiquid's Ruby naming convention) and our scanner maps the Shopify name onto it, because DotLiquid keeps its
/// own built-in when a second filter registers the same name.
/// </summary>
public static class LiquidFilters
{
    /// <summary>Shopify filter name → the name DotLiquid knows it by.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Names = BuildNames();

    private static Dictionary<string, string> BuildNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var same in new[]
                 {
                     "size", "slice", "downcase", "upcase", "url_encode", "url_decode", "capitalize", "escape_once",
                     "truncate", "split", "strip_html", "strip", "lstrip", "rstrip", "strip_newlines",
                     "sort", "sort_natural", "map", "replace_first", "remove", "remove_first", "append",
                     "prepend", "newline_to_br", "first", "last", "plus", "minus", "times", "round", "ceil", "floor",
                     "divided_by", "modulo", "uniq", "abs", "at_least", "at_most", "compact", "concat", "reverse",
                     "base64_encode", "base64_decode", "base64_url_safe_encode", "base64_url_safe_decode",
                 })
            names[same] = same;
        foreach (var ours in new[]
                 {
                     "date", "default", "where", "reject", "find", "find_index", "has", "sum", "remove_last",
                     "replace_last", "money", "money_without_currency", "track", "escape", "replace", "join",
                 })
            names[ours] = "tcma_" + ours;
        names["h"] = "tcma_escape";
        names["truncatewords"] = "truncate_words";
        return names;
    }

    internal static RenderState State(Context context) => (RenderState)context.Registers[RenderState.Key];

    public static string TcmaEscape(Context context, object? input) => HtmlEscape(ToLiquidString(input));

    public static object? TcmaDefault(object? input, object? fallback, object? allowFalse = null)
    {
        var keepFalse = allowFalse is true || (allowFalse is string s && s == "true");
        return input switch
        {
            null => fallback,
            false when !keepFalse => fallback,
            string text when text.Length == 0 => fallback,
            ICollection { Count: 0 } => fallback,
            _ => input,
        };
    }

    public static object? TcmaDate(Context context, object? input, object? format = null)
    {
        var state = State(context);
        if (ToDate(input, state) is not { } moment) return input;
        var local = TimeZoneInfo.ConvertTime(moment, state.TimeZone);
        var pattern = format as string;
        return string.IsNullOrEmpty(pattern) ? input : Strftime.Format(local, pattern, state.Culture, state.TimeZone);
    }

    public static List<object?> TcmaWhere(object? input, object? property, object? value = null) =>
        Items(input).Where(i => Matches(i, property, value)).ToList();

    public static List<object?> TcmaReject(object? input, object? property, object? value = null) =>
        Items(input).Where(i => !Matches(i, property, value)).ToList();

    public static object? TcmaFind(object? input, object? property, object? value = null) =>
        Items(input).FirstOrDefault(i => Matches(i, property, value));

    public static object? TcmaFindIndex(object? input, object? property, object? value = null)
    {
        var index = Items(input).FindIndex(i => Matches(i, property, value));
        return index < 0 ? null : index;
    }

    public static bool TcmaHas(object? input, object? property, object? value = null) =>
        Items(input).Any(i => Matches(i, property, value));

    public static object TcmaSum(object? input, object? property = null)
    {
        var total = 0m;
        foreach (var item in Items(input))
        {
            var v = property is null ? item : Property(item, property);
            if (ToDecimal(v) is { } d) total += d;
        }
        return total == decimal.Truncate(total) && Math.Abs(total) < long.MaxValue ? (long)total : total;
    }

    /// <summary>Plain (not regex) replacement, refused before it allocates more than the output limit.</summary>
    public static string TcmaReplace(Context context, object? input, object? find, object? replacement = null)
    {
        var text = ToLiquidString(input);
        var what = ToLiquidString(find);
        var with = ToLiquidString(replacement);
        if (what.Length == 0) return text;
        if (with.Length > what.Length)
        {
            var count = 0L;
            for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal)) count++;
            CheckSize(context, text.Length + count * (with.Length - what.Length), "replace");
        }
        return text.Replace(what, with, StringComparison.Ordinal);
    }

    public static string TcmaJoin(Context context, object? input, object? separator = null)
    {
        var items = Items(input).Select(ToLiquidString).ToList();
        var glue = separator is null ? " " : ToLiquidString(separator);
        CheckSize(context, items.Sum(i => (long)i.Length) + (long)Math.Max(0, items.Count - 1) * glue.Length, "join");
        return string.Join(glue, items);
    }

    private static void CheckSize(Context context, long size, string filter)
    {
        var limit = State(context).Limits.MaxOutputChars;
        if (size > limit) throw new LiquidFilterException($"'{filter}' would make a value larger than the limit of {limit:N0} characters");
    }

    public static string TcmaRemoveLast(object? input, object? remove) => TcmaReplaceLast(input, remove, "");

    public static string TcmaReplaceLast(object? input, object? find, object? replacement)
    {
        var text = ToLiquidString(input);
        var what = ToLiquidString(find);
        if (what.Length == 0) return text;
        var at = text.LastIndexOf(what, StringComparison.Ordinal);
        return at < 0 ? text : string.Concat(text.AsSpan(0, at), ToLiquidString(replacement), text.AsSpan(at + what.Length));
    }

    public static object? TcmaMoney(Context context, object? input) => Money(context, input, withSymbol: true);

    public static object? TcmaMoneyWithoutCurrency(Context context, object? input) => Money(context, input, withSymbol: false);

    private static object? Money(Context context, object? input, bool withSymbol)
    {
        if (ToDecimal(input) is not { } amount) return input;
        var format = State(context).CurrencyFormat;
        return withSymbol
            ? amount.ToString("C", format)
            : amount.ToString("N" + format.CurrencyDecimalDigits, format);
    }

    /// <summary>Adds UTM parameters (never overriding ones already there) so clicks are attributed to the partner.</summary>
    public static object? TcmaTrack(Context context, object? input, object? content = null)
    {
        var url = ToLiquidString(input);
        var tracking = State(context).Tracking;
        if (tracking is null || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return url;
        var fragmentAt = url.IndexOf('#');
        var fragment = fragmentAt < 0 ? "" : url[fragmentAt..];
        var head = fragmentAt < 0 ? url : url[..fragmentAt];
        var sb = new StringBuilder(head);
        var separator = head.Contains('?') ? (head.EndsWith('?') || head.EndsWith('&') ? "" : "&") : "?";
        void Add(string key, string? value)
        {
            if (string.IsNullOrEmpty(value) || head.Contains(key + "=", StringComparison.Ordinal)) return;
            sb.Append(separator).Append(key).Append('=').Append(Uri.EscapeDataString(value));
            separator = "&";
        }
        Add("utm_source", tracking.Source);
        Add("utm_medium", tracking.Medium);
        Add("utm_campaign", tracking.Campaign);
        Add("utm_content", content is null ? tracking.Content : ToLiquidString(content));
        return sb.Append(fragment).ToString();
    }

    internal static string HtmlEscape(string text)
    {
        if (text.AsSpan().IndexOfAny("<>&\"'") < 0) return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '&': sb.Append("&amp;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default: sb.Append(c); break;
            }
        }
        return sb.ToString();
    }

    /// <summary>How a value prints, matching DotLiquid's own output (invariant numbers, lower-case booleans).</summary>
    internal static string ToLiquidString(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IDictionary => "",
        IEnumerable e => string.Concat(e.Cast<object?>().Select(ToLiquidString)),
        _ => value.ToString() ?? "",
    };

    private static List<object?> Items(object? input) => input switch
    {
        null => [],
        string or IDictionary => [input],
        IEnumerable e => e.Cast<object?>().ToList(),
        _ => [input],
    };

    private static object? Property(object? item, object? property) =>
        item is IDictionary<string, object?> d && property is string key && d.TryGetValue(key, out var v) ? v
        : item is IDictionary nd && property is string k2 && nd.Contains(k2) ? nd[k2]
        : null;

    private static bool Matches(object? item, object? property, object? value)
    {
        var actual = Property(item, property);
        if (value is null) return actual is not (null or false) && !(actual is string { Length: 0 });
        if (ToDecimal(actual) is { } a && !(actual is string) && ToDecimal(value) is { } b && !(value is string)) return a == b;
        return Equals(actual, value) || (actual is string sa && value is string sb && string.Equals(sa, sb, StringComparison.Ordinal));
    }

    private static decimal? ToDecimal(object? value) => value switch
    {
        int i => i,
        long l => l,
        decimal m => m,
        double d when double.IsFinite(d) && Math.Abs(d) < 7.9e27 => (decimal)d,
        float f when float.IsFinite(f) && Math.Abs(f) < 7.9e27 => (decimal)f,
        string s when decimal.TryParse(s, NumberStyles.Number, CultureInfo.InvariantCulture, out var p) => p,
        _ => null,
    };

    private static DateTimeOffset? ToDate(object? input, RenderState state) => input switch
    {
        DateTimeOffset d => d,
        DateTime d => d.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(d, TimeSpan.Zero) : new DateTimeOffset(d),
        string s when s is "now" or "today" => state.Now,
        string s when long.TryParse(s, out var unix) => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(unix, -62135596800, 253402300799)),
        string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) => d,
        int or long => DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(Convert.ToInt64(input, CultureInfo.InvariantCulture), -62135596800, 253402300799)),
        _ => null,
    };
}

/// <summary>Ruby's strftime over .NET's culture data, so "%A %-d %B" reads right in the partner's language.</summary>
internal static class Strftime
{
    public static string Format(DateTimeOffset t, string pattern, CultureInfo culture, TimeZoneInfo zone)
    {
        var f = culture.DateTimeFormat;
        var sb = new StringBuilder(pattern.Length * 2);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c != '%' || i + 1 >= pattern.Length) { sb.Append(c); continue; }
            var flag = pattern[i + 1] is '-' or '^' or '_' ? pattern[++i] : '\0';
            if (i + 1 >= pattern.Length) { sb.Append('%').Append(flag); break; }
            var code = pattern[++i];
            string Pad(int value, int width) => flag switch
            {
                '-' => value.ToString(CultureInfo.InvariantCulture),
                '_' => value.ToString(CultureInfo.InvariantCulture).PadLeft(width, ' '),
                _ => value.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0'),
            };
            var hour12 = t.Hour % 12 == 0 ? 12 : t.Hour % 12;
            var piece = code switch
            {
                'a' => f.GetAbbreviatedDayName(t.DayOfWeek),
                'A' => f.GetDayName(t.DayOfWeek),
                'b' or 'h' => f.GetAbbreviatedMonthName(t.Month),
                'B' => f.GetMonthName(t.Month),
                'c' => t.ToString("F", culture),
                'C' => Pad(t.Year / 100, 2),
                'd' => Pad(t.Day, 2),
                'D' => t.ToString("MM'/'dd'/'yy", CultureInfo.InvariantCulture),
                'e' => flag == '-' ? Pad(t.Day, 2) : t.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2, ' '),
                'F' => t.ToString("yyyy'-'MM'-'dd", CultureInfo.InvariantCulture),
                'H' => Pad(t.Hour, 2),
                'I' => Pad(hour12, 2),
                'j' => Pad(t.DayOfYear, 3),
                'k' => flag == '-' ? Pad(t.Hour, 2) : t.Hour.ToString(CultureInfo.InvariantCulture).PadLeft(2, ' '),
                'l' => flag == '-' ? Pad(hour12, 2) : hour12.ToString(CultureInfo.InvariantCulture).PadLeft(2, ' '),
                'L' => Pad(t.Millisecond, 3),
                'm' => Pad(t.Month, 2),
                'M' => Pad(t.Minute, 2),
                'n' => "\n",
                'p' => t.Hour < 12 ? Designator(f.AMDesignator, "AM") : Designator(f.PMDesignator, "PM"),
                'P' => (t.Hour < 12 ? Designator(f.AMDesignator, "AM") : Designator(f.PMDesignator, "PM")).ToLower(culture),
                'R' => t.ToString("HH':'mm", CultureInfo.InvariantCulture),
                's' => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                'S' => Pad(t.Second, 2),
                't' => "\t",
                'T' => t.ToString("HH':'mm':'ss", CultureInfo.InvariantCulture),
                'u' => (t.DayOfWeek == DayOfWeek.Sunday ? 7 : (int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'w' => ((int)t.DayOfWeek).ToString(CultureInfo.InvariantCulture),
                'x' => t.ToString("d", culture),
                'X' => t.ToString("T", culture),
                'y' => Pad(t.Year % 100, 2),
                'Y' => t.Year.ToString(CultureInfo.InvariantCulture),
                'z' => (t.Offset < TimeSpan.Zero ? "-" : "+") + t.Offset.ToString("hhmm", CultureInfo.InvariantCulture),
                'Z' => zone.IsDaylightSavingTime(t) ? zone.DaylightName : zone.StandardName,
                '%' => "%",
                _ => "%" + (flag == '\0' ? "" : flag.ToString()) + code,
            };
            sb.Append(flag == '^' ? piece.ToUpper(culture) : piece);
        }
        return sb.ToString();
    }

    private static string Designator(string cultural, string fallback) => string.IsNullOrEmpty(cultural) ? fallback : cultural;
}
