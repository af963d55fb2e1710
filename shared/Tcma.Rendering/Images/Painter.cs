using System.Text;
using QRCoder;
using SkiaSharp;
using Tcma.Domain.Rendering;

namespace Tcma.Rendering.Images;

/// <summary>Draws one render's layers, bottom to top, onto one or more canvases (a raster, plus the PDF page when printing).</summary>
internal sealed class Painter(ImageRenderer renderer, IKitFiles kit, BrandProfile brand, ITextResolver text, Issues issues, Raster raster, SKCanvas[] canvases, int page)
{
    private static readonly SKSamplingOptions Smooth = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    public void Draw(Layer layer)
    {
        var box = RectOf(layer.Box);
        try
        {
            switch (layer)
            {
                case FillLayer f: Fill(box, f); break;
                case GradientLayer g: Gradient(box, g); break;
                case ImageLayer i: Image(box, i); break;
                case LogoLayer l: Logo(box, l); break;
                case ShapeLayer s: Shape(box, s); break;
                case TextLayer t: Text(box, t); break;
                case QrLayer q: Qr(box, q); break;
            }
        }
        catch (RenderException e) { issues.Error(layer.Place, e.Message); }
        catch (TextResolutionException e) { issues.Error(layer.Place, e.Message); }
        issues.Placements.Add(new(layer.Place, layer.GetType().Name.Replace("Layer", "").ToLowerInvariant(), page,
            (int)MathF.Floor(box.Left), (int)MathF.Floor(box.Top), (int)MathF.Ceiling(box.Right) - (int)MathF.Floor(box.Left), (int)MathF.Ceiling(box.Bottom) - (int)MathF.Floor(box.Top)));
    }

    private SKRect RectOf(Box b) => new((float)(b.X * raster.Width), (float)(b.Y * raster.Height), (float)((b.X + b.W) * raster.Width), (float)((b.Y + b.H) * raster.Height));

    private Colour ColourOf(string reference) => reference switch
    {
        "brand.primary" => brand.PrimaryColour,
        "brand.secondary" => brand.SecondaryColour,
        _ => Colour.Parse(reference),
    };

    private static SKColor Sk(Colour c) => new(c.R, c.G, c.B, c.A);

    private static string Describe(string reference, Colour c) => reference.StartsWith("brand.", StringComparison.Ordinal) ? $"{reference} ({c})" : c.ToString();

    private void Fill(SKRect box, FillLayer f)
    {
        using var paint = new SKPaint { Color = Sk(ColourOf(f.Colour)) };
        foreach (var canvas in canvases) canvas.DrawRect(box, paint);
    }

    private void Gradient(SKRect box, GradientLayer g)
    {
        var radians = g.Angle * Math.PI / 180;
        var (dx, dy) = ((float)Math.Cos(radians), (float)Math.Sin(radians));
        var half = (MathF.Abs(box.Width * dx) + MathF.Abs(box.Height * dy)) / 2;
        var centre = new SKPoint(box.MidX, box.MidY);
        using var shader = SKShader.CreateLinearGradient(
            new SKPoint(centre.X - dx * half, centre.Y - dy * half), new SKPoint(centre.X + dx * half, centre.Y + dy * half),
            [Sk(ColourOf(g.From)), Sk(ColourOf(g.To))], null, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        foreach (var canvas in canvases) canvas.DrawRect(box, paint);
    }

    private void Image(SKRect box, ImageLayer layer)
    {
        using var lease = renderer.KitImage(kit, layer.File);
        var image = lease.Value.Image;
        var (iw, ih) = ((float)image.Width, (float)image.Height);
        SKRect source = new(0, 0, iw, ih), dest = box;
        if (layer.Fit == "cover")
        {
            // Crop the image to the box's shape, keeping its centre.
            var scale = MathF.Max(box.Width / iw, box.Height / ih);
            var (cw, ch) = (box.Width / scale, box.Height / scale);
            source = SKRect.Create((iw - cw) / 2, (ih - ch) / 2, cw, ch);
        }
        else dest = Fit(box, iw, ih);
        foreach (var canvas in canvases) canvas.DrawImage(image, source, dest, Smooth);
    }

    private static SKRect Fit(SKRect box, float width, float height)
    {
        var scale = MathF.Min(box.Width / width, box.Height / height);
        var (w, h) = (width * scale, height * scale);
        return SKRect.Create(box.MidX - w / 2, box.MidY - h / 2, w, h);
    }

    private void Logo(SKRect slot, LogoLayer layer)
    {
        using var lease = renderer.Logo(brand);
        var logo = lease.Value;
        var padding = (float)layer.Padding;
        var inner = SKRect.Inflate(slot, -padding, -padding);
        if (inner.Width < 8 || inner.Height < 8)
            throw new RenderException($"the logo slot is {slot.Width:0}x{slot.Height:0} px, too small for {padding} px of padding");

        Colour? plate = layer.Plate switch
        {
            "none" => null,
            "auto" => null,
            _ => ColourOf(layer.Plate),
        };
        if (layer.Plate == "auto")
        {
            // A logo must stand out from what is behind it; when it would not, it gets a plate it does stand out on.
            var background = raster.Average(slot);
            plate = LogoPlate.For(logo.AverageVisible, background);
            if (plate is not null)
                issues.Warn(layer.Place, $"logo plate {plate} added: the logo (average {logo.AverageVisible}) has only {Contrast.Ratio(logo.AverageVisible, background):0.0}:1 contrast with the background ({background})");
        }
        if (plate is { } p)
        {
            using var platePaint = new SKPaint { Color = Sk(p), IsAntialias = true };
            foreach (var canvas in canvases) canvas.DrawRoundRect(slot, (float)layer.PlateRadius, (float)layer.PlateRadius, platePaint);
        }
        var dest = Fit(inner, logo.Image.Width, logo.Image.Height);
        foreach (var canvas in canvases) canvas.DrawImage(logo.Image, dest, Smooth);
    }

    private void Shape(SKRect box, ShapeLayer s)
    {
        var radius = (float)s.Radius;
        using var paint = new SKPaint { Color = Sk(ColourOf(s.Colour)), IsAntialias = true };
        foreach (var canvas in canvases) canvas.DrawRoundRect(box, radius, radius, paint);
        if (s.StrokeColour is { } stroke && s.StrokeWidth > 0)
        {
            var half = (float)s.StrokeWidth / 2;
            using var pen = new SKPaint { Color = Sk(ColourOf(stroke)), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = (float)s.StrokeWidth };
            foreach (var canvas in canvases) canvas.DrawRoundRect(SKRect.Inflate(box, -half, -half), Math.Max(0, radius - half), Math.Max(0, radius - half), pen);
        }
    }

    private void Qr(SKRect box, QrLayer q)
    {
        var url = text.Resolve(q.Url).Trim();
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new RenderException($"url '{url}' is not a web address a phone can open");
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var modules = data.ModuleMatrix;
        var count = modules.Count;
        // Whole pixels per module keep the code crisp for scanners; the code is centred in its box.
        var module = MathF.Floor(MathF.Min(box.Width, box.Height) / count);
        if (module < 2) throw new RenderException($"the box is too small for this link's QR code ({count}x{count} modules need at least {count * 2} px)");
        var origin = new SKPoint(MathF.Round(box.MidX - module * count / 2), MathF.Round(box.MidY - module * count / 2));
        using var builder = new SKPathBuilder();
        for (var y = 0; y < count; y++)
        for (var x = 0; x < count; x++)
            if (modules[y][x]) builder.AddRect(SKRect.Create(origin.X + x * module, origin.Y + y * module, module, module), SKPathDirection.Clockwise);
        using var path = builder.Detach();
        using var background = new SKPaint { Color = Sk(ColourOf(q.Background)) };
        using var ink = new SKPaint { Color = Sk(ColourOf(q.Colour)) };
        foreach (var canvas in canvases)
        {
            canvas.DrawRect(SKRect.Create(origin.X, origin.Y, module * count, module * count), background);
            canvas.DrawPath(path, ink);
        }
    }

    private void Text(SKRect box, TextLayer t)
    {
        var content = text.Resolve(t.Text).Replace("\r\n", "\n").Trim();
        if (content.Length == 0)
        {
            issues.Warn(t.Place, "the text is empty for this partner; the box is left blank");
            return;
        }
        using var typeface = renderer.Typeface(kit, t.Font);
        using var font = new SKFont(typeface.Value, (float)t.Size)
        {
            // Fixed rendering settings: nothing taken from the machine's font configuration.
            Edging = SKFontEdging.Antialias, Hinting = SKFontHinting.None, Subpixel = true, LinearMetrics = true,
        };
        var missing = content.EnumerateRunes().Where(r => !Rune.IsWhiteSpace(r) && !Rune.IsControl(r) && font.GetGlyph(r.Value) == 0).Distinct().ToList();
        if (missing.Count > 0)
            throw new RenderException($"font '{t.Font}' has no glyphs for {string.Join(", ", missing.Take(5).Select(r => $"'{r}' (U+{r.Value:X4})"))}: they would print as empty boxes; use a font that covers them");

        var layout = Layout(font, content, box, t);
        if (layout is null)
        {
            font.Size = (float)t.MinSize;
            var widest = content.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries).MaxBy(w => font.MeasureText(w))!;
            var reason = font.MeasureText(widest) > box.Width
                ? $"the word '{widest}' alone is {font.MeasureText(widest):0} px wide at the minimum size; the box is {box.Width:0} px"
                : $"it needs {Wrap(font, content, box.Width)!.Count} lines, {BlockHeight(font, Wrap(font, content, box.Width)!.Count, t):0} px, at the minimum size; the box is {box.Height:0} px high";
            throw new RenderException($"the text does not fit its {box.Width:0}x{box.Height:0} px box even at minSize {t.MinSize} px: {reason}. Shorten the text or enlarge the box");
        }
        var (lines, size) = layout.Value;
        font.Size = size;
        var metrics = font.Metrics;
        var advance = size * (float)t.LineHeight;
        var block = BlockHeight(font, lines.Count, t);
        var top = t.VerticalAlign switch
        {
            "middle" => box.MidY - block / 2,
            "bottom" => box.Bottom - block,
            _ => box.Top,
        };

        var colour = ChooseColour(t, SKRect.Create(box.Left, top, box.Width, block), size);
        using var paint = new SKPaint { Color = Sk(colour), IsAntialias = true };
        for (var i = 0; i < lines.Count; i++)
        {
            var width = font.MeasureText(lines[i]);
            var x = t.Align switch
            {
                "center" => box.MidX - width / 2,
                "right" => box.Right - width,
                _ => box.Left,
            };
            var baseline = top - metrics.Ascent + i * advance;
            foreach (var canvas in canvases) canvas.DrawText(lines[i], x, baseline, SKTextAlign.Left, font, paint);
        }
    }

    /// <summary>The largest size, in half-pixel steps from size down to minSize, at which the wrapped text fits the box.</summary>
    private static (List<string> Lines, float Size)? Layout(SKFont font, string content, SKRect box, TextLayer t)
    {
        // Unhinted, linear-metric advances scale exactly with size: measure every word once, then wrap by arithmetic.
        var paragraphs = content.Split('\n').Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        font.Size = (float)t.Size;
        var widths = paragraphs.Select(words => words.Select(w => font.MeasureText(w)).ToArray()).ToArray();
        var space = font.MeasureText(" ");
        List<string>? FitsAt(float size)
        {
            font.Size = size;
            var lines = Wrap(paragraphs, widths, space, size / (float)t.Size, box.Width);
            return lines is not null && BlockHeight(font, lines.Count, t) <= box.Height ? lines : null;
        }
        var steps = (int)Math.Floor((t.Size - t.MinSize) * 2);
        if (FitsAt((float)t.Size) is { } full) return (full, (float)t.Size);
        if (FitsAt((float)t.MinSize) is null) return null;
        // Fit grows monotonically with shrinking size in practice, so a binary search finds the largest fitting step.
        int lo = 0, hi = steps; // lo fits (minSize + lo/2), hi does not
        while (hi - lo > 1)
        {
            var mid = (lo + hi) / 2;
            if (FitsAt((float)(t.MinSize + mid / 2.0)) is not null) lo = mid; else hi = mid;
        }
        var best = (float)(t.MinSize + lo / 2.0);
        return (FitsAt(best)!, best);
    }

    /// <summary>Greedy word wrap on pre-measured words; null when a single word is wider than the box.</summary>
    private static List<string>? Wrap(string[][] paragraphs, float[][] widths, float space, float scale, float boxWidth)
    {
        var lines = new List<string>();
        for (var p = 0; p < paragraphs.Length; p++)
        {
            var (words, w) = (paragraphs[p], widths[p]);
            var (first, lineWidth) = (0, 0f);
            for (var i = 0; i < words.Length; i++)
            {
                var width = w[i] * scale;
                if (width > boxWidth) return null;
                if (i == first) { lineWidth = width; continue; }
                if (lineWidth + space * scale + width <= boxWidth) { lineWidth += space * scale + width; continue; }
                lines.Add(string.Join(' ', words, first, i - first));
                (first, lineWidth) = (i, width);
            }
            lines.Add(string.Join(' ', words, first, words.Length - first));
        }
        return lines;
    }

    /// <summary>Greedy word wrap measuring at the font's current size; for error messages.</summary>
    private static List<string>? Wrap(SKFont font, string content, float width)
    {
        var paragraphs = content.Split('\n').Select(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();
        return Wrap(paragraphs, paragraphs.Select(words => words.Select(w => font.MeasureText(w)).ToArray()).ToArray(), font.MeasureText(" "), 1f, width);
    }

    private static float BlockHeight(SKFont font, int lines, TextLayer t)
    {
        var m = font.Metrics;
        return (lines - 1) * font.Size * (float)t.LineHeight + (m.Descent - m.Ascent);
    }

    /// <summary>
    /// The declared colour if it is readable on what is already drawn under the text, else the declared fallback.
    /// "Readable" is WCAG's bar measured against the darkest-contrast tenth of the background, so a gradient or photo
    /// is judged by its worst part rather than its average.
    /// </summary>
    private Colour ChooseColour(TextLayer t, SKRect area, float size)
    {
        var samples = raster.Sample(area).ToList();
        double Worst(Colour c)
        {
            var ratios = samples.Select(s => Contrast.Ratio(c, s)).Order().ToList();
            return ratios[ratios.Count / 10];
        }
        var required = Contrast.MinimumFor(size, t.Bold);
        var colour = ColourOf(t.Colour);
        var ratio = Worst(colour);
        if (ratio >= required) return colour;
        if (t.FallbackColour is { } fallbackRef)
        {
            var fallback = ColourOf(fallbackRef);
            var fallbackRatio = Worst(fallback);
            if (fallbackRatio >= required)
            {
                issues.Warn(t.Place, $"contrast fallback used for text box '{t.Name ?? t.Place}': {Describe(t.Colour, colour)} has {ratio:0.0}:1 on its background, below {required}:1; drawn in {Describe(fallbackRef, fallback)} ({fallbackRatio:0.0}:1)");
                return fallback;
            }
            throw new RenderException($"text would be unreadable: {Describe(t.Colour, colour)} has {ratio:0.0}:1 and the fallback {Describe(fallbackRef, fallback)} {fallbackRatio:0.0}:1 on its background; {required}:1 is needed");
        }
        throw new RenderException($"text would be unreadable: {Describe(t.Colour, colour)} has {ratio:0.0}:1 on its background, {required}:1 is needed; declare a fallbackColour");
    }
}
