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
    /// <summary>
    /// How many arguments each filter takes (named ones included), as Fluid 3.0 checks when it runs the filter
    /// (read from Fluid, filter by filter): checked at upload too, so a branch the preview never takes cannot fail a
    /// launch for the recipients who reach it. Filters not listed (json, sum) take any number.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, (int Min, int Max)> Arguments = new Dictionary<string, (int, int)>(StringComparer.Ordinal)
    {
        ["abs"] = (0, 0),
        ["append"] = (1, 1),
        ["at_least"] = (1, 1),
        ["at_most"] = (1, 1),
        ["base64_decode"] = (0, 0),
        ["base64_encode"] = (0, 0),
        ["base64_url_safe_decode"] = (0, 0),
        ["base64_url_safe_encode"] = (0, 0),
        ["capitalize"] = (0, 0),
        ["ceil"] = (0, 0),
        ["compact"] = (0, 1),
        ["concat"] = (1, 1),
        ["date"] = (0, 1),
        ["default"] = (0, 2),
        ["divided_by"] = (1, 1),
        ["downcase"] = (0, 0),
        ["escape"] = (0, 0),
        ["escape_once"] = (0, 0),
        ["find"] = (1, 2),
        ["find_index"] = (1, 2),
        ["first"] = (0, 0),
        ["floor"] = (0, 0),
        ["h"] = (0, 0),
        ["handle"] = (0, 0),
        ["handleize"] = (0, 0),
        ["has"] = (1, 2),
        ["hmac_sha1"] = (1, 1),
        ["hmac_sha256"] = (1, 1),
        ["join"] = (0, 1),
        ["last"] = (0, 0),
        ["lstrip"] = (0, 0),
        ["map"] = (1, 1),
        ["md5"] = (0, 0),
        ["minus"] = (1, 1),
        ["modulo"] = (1, 1),
        ["money"] = (0, 1),
        ["money_with_currency"] = (0, 1),
        ["money_without_currency"] = (0, 1),
        ["money_without_trailing_zeros"] = (0, 1),
        ["newline_to_br"] = (0, 0),
        ["plus"] = (1, 1),
        ["prepend"] = (1, 1),
        ["raw"] = (0, 0),
        ["reject"] = (1, 2),
        ["remove"] = (1, 1),
        ["remove_first"] = (1, 1),
        ["remove_last"] = (1, 1),
        ["replace"] = (1, 2),
        ["replace_first"] = (1, 2),
        ["replace_last"] = (2, 2),
        ["reverse"] = (0, 0),
        ["round"] = (0, 1),
        ["rstrip"] = (0, 0),
        ["sha1"] = (0, 0),
        ["sha256"] = (0, 0),
        ["size"] = (0, 0),
        ["slice"] = (1, 2),
        ["sort"] = (0, 1),
        ["sort_natural"] = (0, 1),
        ["split"] = (1, 1),
        ["squish"] = (0, 0),
        ["strip"] = (0, 0),
        ["strip_html"] = (0, 0),
        ["strip_newlines"] = (0, 0),
        ["times"] = (1, 1),
        ["track"] = (0, 1),
        ["truncate"] = (0, 2),
        ["truncatewords"] = (0, 2),
        ["uniq"] = (0, 1),
        ["upcase"] = (0, 0),
        ["url_decode"] = (0, 0),
        ["url_encode"] = (0, 0),
        ["where"] = (1, 2),
    };

    internal static IEnumerable<(string Name, FilterDelegate Filter)> Ours(IReadOnlyDictionary<string, FilterDelegate> fluid)
    {
        var date = fluid["date"];
        yield return ("date", (input, arguments, context) => Date(date, input, arguments, context));
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

    /// <summary>
    /// Fluid's strftime (Shopify's codes, zone abbreviations) after two things Fluid does not do: reading a date from
    /// Unix seconds in a string or 'now' as the render's time, and moving a dated value into the partner's zone
    /// (Fluid prints it in its own offset). Day and month names come from the partner's language for the call only.
    /// </summary>
    private static ValueTask<FluidValue> Date(FilterDelegate fluid, FluidValue input, FilterArguments arguments, TemplateContext context)
    {
        var render = ((LiquidRenderContext)context).Render;
        if (ToDate(input, context, render) is not { } moment || string.IsNullOrEmpty(arguments.At(0).ToStringValue(context)))
            return new ValueTask<FluidValue>(input);
        var local = DateTimeValue.Create(TimeZoneInfo.ConvertTime(moment, render.TimeZone));
        context.CultureInfo = render.Culture;
        try
        {
            var task = fluid(local, arguments, context);
            return new ValueTask<FluidValue>(task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult());
        }
        finally
        {
            context.CultureInfo = CultureInfo.InvariantCulture;
        }
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
