using System.Globalization;
using System.Text;
using Fluid;
using Fluid.Values;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// Where our filters differ from Fluid's: the partner's language and zone for dates while numbers print as
/// Liquid prints them, money in the partner's language and the kit's currency, and link tracking. Everything else
/// is Fluid's own Shopify filter.
/// </summary>
internal static class LiquidFilters
{
    internal static IEnumerable<(string Name, FilterDelegate Filter)> Ours(IReadOnlyDictionary<string, FilterDelegate> fluid)
    {
        yield return ("date", Date);
        yield return ("track", Track);
        // Fluid formats money with the context's culture, which also prints every number: switch it for the call only.
        foreach (var name in new[] { "money", "money_with_currency", "money_without_currency", "money_without_trailing_zeros" })
        {
            var money = fluid[name];
            yield return (name, (input, arguments, context) =>
            {
                var render = (LiquidRenderContext)context;
                context.CultureInfo = render.Render.Culture;
                try
                {
                    var task = money(input, arguments, context);
                    return new ValueTask<FluidValue>(task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult());
                }
                finally
                {
                    context.CultureInfo = CultureInfo.InvariantCulture;
                }
            });
        }
    }

    private static ValueTask<FluidValue> Date(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var render = ((LiquidRenderContext)context).Render;
        var format = arguments.At(0).ToStringValue(context);
        if (ToDate(input, context, render) is not { } moment || string.IsNullOrEmpty(format)) return new ValueTask<FluidValue>(input);
        var local = TimeZoneInfo.ConvertTime(moment, render.TimeZone);
        return new ValueTask<FluidValue>(StringValue.Create(Strftime.Format(local, format, render.Culture, render.TimeZone)));
    }

    /// <summary>Adds UTM parameters (never overriding ones already there) so clicks are attributed to the partner.</summary>
    private static ValueTask<FluidValue> Track(FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var url = input.ToStringValue(context);
        var render = (LiquidRenderContext)context;
        var tracking = render.Render.Tracking;
        if (tracking is null || !(url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
            || url.AsSpan().ContainsAny(" \t\r\n"))
            return new ValueTask<FluidValue>(StringValue.Create(url));
        var fragmentAt = url.IndexOf('#');
        var head = fragmentAt < 0 ? url.AsSpan() : url.AsSpan(0, fragmentAt);
        var sb = render.Scratch.Clear().Append(head);
        var separator = head.Contains('?') ? (head.EndsWith('?') || head.EndsWith('&') ? "" : "&") : "?";
        void Add(ReadOnlySpan<char> head, string key, string? value)
        {
            if (string.IsNullOrEmpty(value) || head.Contains(key, StringComparison.Ordinal)) return;
            sb.Append(separator).Append(key).Append(Uri.EscapeDataString(value));
            separator = "&";
        }
        Add(head, "utm_source=", tracking.Source);
        Add(head, "utm_medium=", tracking.Medium);
        Add(head, "utm_campaign=", tracking.Campaign);
        Add(head, "utm_content=", arguments.Count > 0 ? arguments.At(0).ToStringValue(context) : tracking.Content);
        if (fragmentAt >= 0) sb.Append(url.AsSpan(fragmentAt));
        return new ValueTask<FluidValue>(StringValue.Create(sb.ToString()));
    }

    private static DateTimeOffset? ToDate(FluidValue input, TemplateContext context, RenderOptions options)
    {
        switch (input.Type)
        {
            case FluidValues.DateTime:
                return input.ToObjectValue(context) switch
                {
                    DateTimeOffset d => d,
                    DateTime d => d.Kind == DateTimeKind.Unspecified ? new DateTimeOffset(d, TimeSpan.Zero) : new DateTimeOffset(d),
                    _ => null,
                };
            case FluidValues.Number:
                return FromUnix(input.ToNumberValue(context));
            case FluidValues.String:
                var s = input.ToStringValue(context);
                if (s is "now" or "today") return options.Now;
                if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var unix)) return FromUnix(unix);
                return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d2) ? d2 : null;
            default:
                return null;
        }
    }

    private static DateTimeOffset FromUnix(decimal seconds) =>
        DateTimeOffset.FromUnixTimeSeconds((long)Math.Clamp(decimal.Truncate(seconds), -62135596800m, 253402300799m));
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
