using System.Globalization;
using Microsoft.AspNetCore.Components;

namespace Tcma.Functions.Web.Pages.Dashboards;

/// <summary>What every server-drawn chart writes the same way: coordinates without culture, and encoded tick text.</summary>
public static class ChartSvg
{
    public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>An SVG text element (Razor keeps the name "text" for itself, so it is written out), its content encoded.</summary>
    public static MarkupString SvgText(double x, double y, string anchor, string content) =>
        new($"<text x=\"{F(x)}\" y=\"{F(y)}\" text-anchor=\"{anchor}\" class=\"tick\">{System.Net.WebUtility.HtmlEncode(content)}</text>");

    public static MarkupString SvgText(double x, double y, string content) => SvgText(x, y, "start", content);
}
