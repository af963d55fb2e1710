using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Tcma.Domain.Rendering;

/// <summary>An sRGB colour as partners and template authors write it: #RGB, #RRGGBB or #RRGGBBAA.</summary>
public readonly record struct Colour(byte R, byte G, byte B, byte A = 255)
{
    public static Colour Black { get; } = new(0, 0, 0);
    public static Colour White { get; } = new(255, 255, 255);

    public static bool TryParse(string? text, [NotNullWhen(true)] out Colour? colour, [NotNullWhen(false)] out string? error)
    {
        colour = null;
        var s = text?.Trim() ?? "";
        if (s.Length == 0) { error = "is empty; write a colour as #RRGGBB, e.g. #1A2B3C"; return false; }
        if (s[0] != '#') { error = $"'{s}' is not a colour; write it as #RRGGBB, e.g. #1A2B3C"; return false; }
        var hex = s[1..];
        if (!hex.All(Uri.IsHexDigit) || hex.Length is not (3 or 6 or 8))
        {
            error = $"'{s}' is not a colour; write it as #RGB, #RRGGBB or #RRGGBBAA with hexadecimal digits";
            return false;
        }
        if (hex.Length == 3) hex = string.Concat(hex.Select(c => new string(c, 2)));
        byte At(int i) => byte.Parse(hex.AsSpan(i * 2, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        colour = new Colour(At(0), At(1), At(2), hex.Length == 8 ? At(3) : (byte)255);
        error = null;
        return true;
    }

    public static Colour Parse(string text) =>
        TryParse(text, out var c, out var error) ? c.Value : throw new FormatException($"Colour {error}");

    /// <summary>WCAG 2.x relative luminance, ignoring alpha.</summary>
    public double RelativeLuminance => 0.2126 * Linear(R) + 0.7152 * Linear(G) + 0.0722 * Linear(B);

    private static double Linear(byte channel)
    {
        var c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }

    public override string ToString() => A == 255 ? $"#{R:X2}{G:X2}{B:X2}" : $"#{R:X2}{G:X2}{B:X2}{A:X2}";
}

/// <summary>WCAG 2.x contrast: the bar text must clear to stay readable.</summary>
public static class Contrast
{
    /// <summary>Body text must reach 4.5:1; large text (24 px, or 18.66 px bold) 3:1.</summary>
    public const double BodyMinimum = 4.5;
    public const double LargeMinimum = 3.0;

    public static double Ratio(Colour a, Colour b)
    {
        var (l1, l2) = (a.RelativeLuminance, b.RelativeLuminance);
        return (Math.Max(l1, l2) + 0.05) / (Math.Min(l1, l2) + 0.05);
    }

    public static bool IsLargeText(double pixelSize, bool bold) => pixelSize >= 24 || (bold && pixelSize >= 18.66);

    public static double MinimumFor(double pixelSize, bool bold) => IsLargeText(pixelSize, bold) ? LargeMinimum : BodyMinimum;
}

/// <summary>
/// The one rule for where a partner logo may sit, used by the image renderer and by every email: a logo must stand
/// out from what is behind it (large-text contrast, 3:1, against the logo's average visible colour); when it would not,
/// it sits on a plate of white or near-black, whichever it stands out from more.
/// </summary>
public static class LogoPlate
{
    public static readonly Colour Dark = new(0x11, 0x11, 0x11);

    /// <summary>The plate the logo needs on <paramref name="background"/>, or null when it stands out on its own.</summary>
    public static Colour? For(Colour logoAverage, Colour background) =>
        Contrast.Ratio(logoAverage, background) >= Contrast.LargeMinimum
            ? null
            : Contrast.Ratio(logoAverage, Colour.White) >= Contrast.Ratio(logoAverage, Dark) ? Colour.White : Dark;
}
