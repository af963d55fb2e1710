using System.Collections.Immutable;

namespace Tcma.Rendering.Images;

public enum ImageFormat { Png, Jpeg, Webp }

public readonly record struct RenderSize(int Width, int Height)
{
    public override string ToString() => $"{Width}x{Height}";
}

/// <summary>A box as fractions of the canvas (or PDF page): x, y from the top-left, w, h its size.</summary>
public sealed record Box(double X, double Y, double W, double H)
{
    public static Box Full { get; } = new(0, 0, 1, 1);
}

/// <summary>A loaded, checked template: every size's layers resolved, every font and image found in the kit.</summary>
public sealed record ImageTemplate(
    string FileName,
    string Name,
    string ContentSha256,
    ImmutableArray<RenderSize> Sizes,
    ImmutableArray<ImageFormat> Formats,
    int JpegQuality,
    int WebpQuality,
    ImmutableDictionary<RenderSize, ImmutableArray<Layer>> LayersBySize,
    PdfForm? Pdf);

public sealed record PdfForm(double Width, double Height, ImmutableArray<ImmutableArray<Layer>> Pages);

/// <summary>One drawing step. <see cref="Place"/> says where it was written, for error messages.</summary>
public abstract record Layer
{
    public string? Name { get; init; }
    public Box Box { get; init; } = Box.Full;
    /// <summary>Leaves the layer out, typically for one size: "at": {"600x200": {"hidden": true}}.</summary>
    public bool Hidden { get; init; }
    internal string Place { get; set; } = "";
}

public sealed record FillLayer : Layer
{
    public string Colour { get; init; } = "#FFFFFF";
}

public sealed record GradientLayer : Layer
{
    public string From { get; init; } = "brand.primary";
    public string To { get; init; } = "brand.secondary";
    /// <summary>Direction in degrees: 0 runs left to right, 90 top to bottom.</summary>
    public double Angle { get; init; }
}

public sealed record ImageLayer : Layer
{
    public string File { get; init; } = "";
    /// <summary>cover fills the box and crops; contain fits inside it.</summary>
    public string Fit { get; init; } = "cover";
}

public sealed record LogoLayer : Layer
{
    public double Padding { get; init; } = 8;
    /// <summary>auto adds a plate only when the logo would not stand out; none never; a colour always.</summary>
    public string Plate { get; init; } = "auto";
    public double PlateRadius { get; init; } = 8;
}

public sealed record TextLayer : Layer
{
    public string Text { get; init; } = "";
    public string Font { get; init; } = "";
    public double Size { get; init; } = 32;
    public double MinSize { get; init; } = 12;
    public double LineHeight { get; init; } = 1.2;
    public string Colour { get; init; } = "#000000";
    public string? FallbackColour { get; init; }
    public string Align { get; init; } = "left";
    public string VerticalAlign { get; init; } = "top";
    /// <summary>Whether the font is bold, which lowers WCAG's large-text threshold from 24 px to 18.66 px.</summary>
    public bool Bold { get; init; }
}

public sealed record ShapeLayer : Layer
{
    public string Colour { get; init; } = "brand.primary";
    public double Radius { get; init; }
    public string? StrokeColour { get; init; }
    public double StrokeWidth { get; init; }
}

public sealed record QrLayer : Layer
{
    public string Url { get; init; } = "";
    public string Colour { get; init; } = "#000000";
    public string Background { get; init; } = "#FFFFFF";
}
