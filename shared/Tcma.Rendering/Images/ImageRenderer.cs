using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using SkiaSharp;
using Tcma.Domain.Rendering;

namespace Tcma.Rendering.Images;

public sealed record ImageRendererOptions
{
    /// <summary>Keep the rendered static bottom layers (fills, gradients, images, logo) and reuse them across renders.</summary>
    public bool CacheStaticLayers { get; init; } = true;
    public long StaticLayerCacheBytes { get; init; } = 64L * 1024 * 1024;
    public int AssetCacheEntries { get; init; } = 64;
    /// <summary>PNG is lossless whatever these are; they trade size for speed (Skia's defaults: all filters, zlib 6).</summary>
    public SKPngEncoderFilterFlags PngFilters { get; init; } = SKPngEncoderFilterFlags.Sub;
    public int PngZlibLevel { get; init; } = 1;
    /// <summary>JPEG and WebP through libjpeg-turbo and libwebp when loadable (several times faster than Skia's), else Skia.</summary>
    public ImageEncoderPreference Encoders { get; init; } = ImageEncoderPreference.Native;
    public RenderLimits Limits { get; init; } = RenderLimits.Default;
    public LogoLimits LogoLimits { get; init; } = LogoLimits.Default;
}

/// <summary>
/// Renders a loaded template for one partner into PNG, JPEG, WebP or PDF bytes plus a report. Pure: the same template,
/// kit version, brand profile and text give the same bytes (see <see cref="RenderKey"/>). Thread-safe; owns caches of
/// decoded kit assets and pre-rendered static layers, released by <see cref="Dispose"/>.
/// </summary>
public sealed class ImageRenderer(ImageRendererOptions? options = null) : IDisposable
{
    private readonly ImageRendererOptions _options = options ?? new();
    private readonly AssetCache<SKTypeface> _typefaces = new((options ?? new()).AssetCacheEntries);
    private readonly AssetCache<DecodedImage> _images = new((options ?? new()).AssetCacheEntries);
    private readonly PixelCache _statics = new((options ?? new()).StaticLayerCacheBytes);

    /// <summary>The JPEG and WebP encoders in use, chosen once; the host logs them at start-up.</summary>
    public ImageEncoders Encoders { get; } = ImageEncoders.For((options ?? new()).Encoders);

    public RenderResult Render(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size, ImageFormat format) =>
        Draw(template, kit, brand, text, size, format, (address, info) => format switch
        {
            ImageFormat.Png => EncodePng(address, info),
            ImageFormat.Jpeg => Encoders.Jpeg.Encode(address, info.Width, info.Height, info.RowBytes, template.JpegQuality),
            _ => Encoders.Webp.Encode(address, info.Width, info.Height, info.RowBytes, template.WebpQuality),
        });

    /// <summary>
    /// The image drawn at its full size and scaled down to <paramref name="width"/> before it is encoded, as one JPEG:
    /// a card preview costs one draw and one small encode, without encoding and decoding the full-size picture.
    /// </summary>
    public RenderResult RenderThumbnail(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size, int width, int quality = 82) =>
        Draw(template, kit, brand, text, size, ImageFormat.Jpeg, (address, info) =>
        {
            using var pixmap = new SKPixmap(info, address, info.RowBytes);
            return Scaled(pixmap, width, quality);
        }, checkFormat: false);

    private byte[]? EncodePng(IntPtr address, SKImageInfo info)
    {
        using var pixmap = new SKPixmap(info, address, info.RowBytes);
        using var png = pixmap.Encode(new SKPngEncoderOptions(_options.PngFilters, _options.PngZlibLevel));
        return png?.ToArray();
    }

    private RenderResult Draw(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size, ImageFormat format,
        Func<IntPtr, SKImageInfo, byte[]?> encode, bool checkFormat = true)
    {
        var issues = new Issues(template.FileName);
        if (!template.LayersBySize.TryGetValue(size, out var layers))
        {
            issues.Error("sizes", $"the template does not declare size {size}; it declares {string.Join(", ", template.Sizes)}");
            return issues.Fail(ContentTypeOf(format));
        }
        if (checkFormat && !template.Formats.Contains(format))
        {
            issues.Error("formats", $"the template does not declare format {format.ToString().ToLowerInvariant()}");
            return issues.Fail(ContentTypeOf(format));
        }

        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var buffer = ArrayPool<byte>.Shared.Rent(info.BytesSize);
        var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
        try
        {
            var address = handle.AddrOfPinnedObject();
            using (var surface = SKSurface.Create(info, address, info.RowBytes) ?? throw new InvalidOperationException($"Skia could not create a {size} surface"))
            {
                var canvas = surface.Canvas;
                var raster = new Raster(buffer, size.Width, size.Height, 1f);
                var painter = new Painter(this, kit, brand, text, issues, raster, [canvas], page: 0);
                var staticCount = _options.CacheStaticLayers ? layers.TakeWhile(l => l is not (TextLayer or QrLayer)).Count() : 0;
                var start = 0;
                if (staticCount > 0)
                {
                    var key = StaticKey(template, kit, brand, size, staticCount);
                    var cached = _statics.Get(key);
                    if (cached is null)
                    {
                        canvas.Clear(SKColors.White);
                        for (var i = 0; i < staticCount; i++) painter.Draw(layers[i]);
                        canvas.Flush();
                        if (issues.Errors.Count == 0)
                            _statics.Put(key, cached = new StaticLayers(buffer.AsSpan(0, info.BytesSize).ToArray(), [.. issues.Warnings], [.. issues.Placements]));
                    }
                    else
                    {
                        cached.Pixels.CopyTo(buffer, 0);
                        issues.Warnings.AddRange(cached.Warnings);
                        issues.Placements.AddRange(cached.Placements);
                    }
                    start = staticCount;
                }
                else canvas.Clear(SKColors.White);

                for (var i = start; i < layers.Length; i++) painter.Draw(layers[i]);
                canvas.Flush();
            }
            if (issues.Errors.Count > 0) return issues.Fail(ContentTypeOf(format));

            var bytes = encode(address, info);
            if (bytes is null)
            {
                issues.Error("", $"could not encode {format}");
                return issues.Fail(ContentTypeOf(format));
            }
            return new RenderResult(bytes, ContentTypeOf(format), issues.Report());
        }
        finally
        {
            handle.Free();
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The print form: vector text and shapes through Skia's PDF backend, fonts subset and embedded.</summary>
    public RenderResult RenderPdf(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text)
    {
        const string pdfType = "application/pdf";
        var issues = new Issues(template.FileName);
        if (template.Pdf is not { } pdf)
        {
            issues.Error("pdf", "the template has no PDF form");
            return issues.Fail(pdfType);
        }
        using var stream = new SKDynamicMemoryWStream();
        // No dates in the metadata: the same inputs must give the same bytes.
        var metadata = new SKDocumentPdfMetadata { Title = template.Name, Creator = "Tcma", Producer = "Tcma", RasterDpi = 300, EncodingQuality = 92 };
        using (var document = SKDocument.CreatePdf(stream, metadata))
        {
            // A raster twin of each page, at one pixel per point, is what contrast and logo-plate decisions look at.
            var info = new SKImageInfo((int)Math.Ceiling(pdf.Width), (int)Math.Ceiling(pdf.Height), SKColorType.Rgba8888, SKAlphaType.Opaque);
            var buffer = new byte[info.BytesSize];
            var handle = GCHandle.Alloc(buffer, GCHandleType.Pinned);
            try
            {
                for (var p = 0; p < pdf.Pages.Length; p++)
                {
                    using var surface = SKSurface.Create(info, handle.AddrOfPinnedObject(), info.RowBytes)!;
                    surface.Canvas.Clear(SKColors.White);
                    var pageCanvas = document.BeginPage((float)pdf.Width, (float)pdf.Height);
                    var painter = new Painter(this, kit, brand, text, issues, new Raster(buffer, info.Width, info.Height, 1f), [surface.Canvas, pageCanvas], page: p);
                    foreach (var layer in pdf.Pages[p]) painter.Draw(layer);
                    surface.Canvas.Flush();
                    document.EndPage();
                }
            }
            finally { handle.Free(); }
            if (issues.Errors.Count > 0)
            {
                document.Abort();
                return issues.Fail(pdfType);
            }
            document.Close();
        }
        using var data = stream.DetachAsData();
        return new RenderResult(data.ToArray(), pdfType, issues.Report());
    }

    /// <summary>
    /// Renders every declared size and the PDF form, keeping only the report: what a vendor sees before publishing
    /// a template, and a partner before launching (text that does not fit, contrast fallbacks, logo plates).
    /// </summary>
    public RenderReport Preview(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text)
    {
        var warnings = new List<RenderIssue>();
        var errors = new List<RenderIssue>();
        var placements = new List<LayerPlacement>();
        void Add(string what, RenderReport r)
        {
            warnings.AddRange(r.Warnings.Select(w => w with { Place = $"{what}: {w.Place}" }));
            errors.AddRange(r.Errors.Select(e => e with { Place = $"{what}: {e.Place}" }));
            placements.AddRange(r.Placements);
        }
        var format = template.Formats.FirstOrDefault();
        foreach (var size in template.Sizes) Add(size.ToString(), Render(template, kit, brand, text, size, format).Report);
        if (template.Pdf is not null) Add("pdf", RenderPdf(template, kit, brand, text).Report);
        return new RenderReport(warnings, errors, placements);
    }

    /// <summary>
    /// A rendered image scaled down to <paramref name="width"/> pixels wide (never up) as JPEG: the cards of a campaign
    /// library want many small previews, not the full-size asset. Null when the bytes are not an image.
    /// </summary>
    private byte[]? Scaled(SKPixmap source, int width, int quality)
    {
        var w = Math.Min(width, source.Width);
        var h = Math.Max(1, (int)Math.Round(source.Height * (double)w / source.Width));
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var scaled = new SKBitmap(info);
        using var target = scaled.PeekPixels();
        if (!source.ScalePixels(target, new SKSamplingOptions(SKCubicResampler.Mitchell))) return null;
        return Encoders.Jpeg.Encode(scaled.GetPixels(), w, h, info.RowBytes, quality);
    }

    public static string ContentTypeOf(ImageFormat format) => format switch
    {
        ImageFormat.Png => "image/png",
        ImageFormat.Jpeg => "image/jpeg",
        _ => "image/webp",
    };

    private static string StaticKey(ImageTemplate template, IKitFiles kit, BrandProfile brand, RenderSize size, int count) =>
        $"{template.ContentSha256}|{kit.Version}|{size}|{count}|{brand.PrimaryColour}|{brand.SecondaryColour}|{brand.Logo.Sha256}";

    internal AssetCache<SKTypeface>.Lease Typeface(IKitFiles kit, string name) =>
        _typefaces.Get($"{kit.Version}|{name}", () =>
        {
            using var data = SKData.CreateCopy(kit.Read(name) ?? throw new RenderException($"font '{name}' is not in the kit (version {kit.Version})"));
            // From the kit's bytes only: a system font would differ between machines and hide a missing font.
            return SKTypeface.FromData(data) ?? throw new RenderException($"font '{name}' is not a font file Skia can read (TrueType or OpenType)");
        });

    internal AssetCache<DecodedImage>.Lease KitImage(IKitFiles kit, string name) =>
        _images.Get($"kit|{kit.Version}|{name}", () =>
            DecodedImage.Decode(kit.Read(name) ?? throw new RenderException($"image '{name}' is not in the kit (version {kit.Version})"),
                $"image '{name}'", _options.Limits.MaxImageBytes, _options.Limits.MaxImagePixels));

    internal AssetCache<DecodedImage>.Lease Logo(BrandProfile brand) =>
        _images.Get($"logo|{brand.Logo.Sha256}", () =>
            DecodedImage.Decode(brand.Logo.Bytes, "the partner logo", _options.LogoLimits.MaxBytes, _options.LogoLimits.MaxPixels));

    public void Dispose()
    {
        _typefaces.Dispose();
        _images.Dispose();
    }
}

internal sealed class RenderException(string message) : Exception(message);

/// <summary>Accumulates a render's report; the first error means no bytes will be returned.</summary>
internal sealed class Issues(string file)
{
    public List<RenderIssue> Warnings { get; } = [];
    public List<RenderIssue> Errors { get; } = [];
    public List<LayerPlacement> Placements { get; } = [];
    public void Error(string place, string message) => Errors.Add(new(file, place, message));
    public void Warn(string place, string message) => Warnings.Add(new(file, place, message));
    public RenderReport Report() => new([.. Warnings], [.. Errors], [.. Placements]);
    public RenderResult Fail(string contentType) => new(null, contentType, Report());
}

/// <summary>The pixels drawn so far, read back to decide text colours and logo plates.</summary>
internal readonly record struct Raster(byte[] Rgba, int Width, int Height, float Scale)
{
    public Colour At(int x, int y)
    {
        var i = (Math.Clamp(y, 0, Height - 1) * Width + Math.Clamp(x, 0, Width - 1)) * 4;
        return new Colour(Rgba[i], Rgba[i + 1], Rgba[i + 2]);
    }

    /// <summary>A grid of samples over a rectangle: enough to see a gradient or a photo without reading every pixel.</summary>
    public IEnumerable<Colour> Sample(SKRect rect, int across = 24, int down = 12)
    {
        for (var j = 0; j < down; j++)
        for (var i = 0; i < across; i++)
            yield return At((int)(rect.Left + (i + 0.5f) * rect.Width / across), (int)(rect.Top + (j + 0.5f) * rect.Height / down));
    }

    public Colour Average(SKRect rect)
    {
        long r = 0, g = 0, b = 0, n = 0;
        foreach (var c in Sample(rect)) { r += c.R; g += c.G; b += c.B; n++; }
        return new Colour((byte)(r / n), (byte)(g / n), (byte)(b / n));
    }
}

/// <summary>A decoded raster plus what its visible pixels look like on average (for logo plates).</summary>
internal sealed class DecodedImage(SKImage image, Colour averageVisible, double visibleFraction, byte maxAlpha) : IDisposable
{
    public SKImage Image { get; } = image;
    public Colour AverageVisible { get; } = averageVisible;
    public double VisibleFraction { get; } = visibleFraction;
    public byte MaxAlpha { get; } = maxAlpha;

    public static DecodedImage Decode(byte[] bytes, string what, long maxBytes, long maxPixels)
    {
        if (bytes.Length > maxBytes) throw new RenderException($"{what} is {bytes.Length:N0} bytes; the limit is {maxBytes:N0}");
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data) ?? throw new RenderException($"{what} is not an image Skia can decode");
        // The header's size is checked before a single pixel is allocated: a tiny file can claim gigapixels.
        var (w, h) = (codec.Info.Width, codec.Info.Height);
        if (w <= 0 || h <= 0 || (long)w * h > maxPixels) throw new RenderException($"{what} is {w}x{h} pixels; the limit is {maxPixels:N0} pixels");
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
            throw new RenderException($"{what} could not be decoded ({result})");
        var pixels = bitmap.GetPixelSpan();
        long r = 0, g = 0, b = 0, visible = 0;
        byte maxAlpha = 0;
        for (var i = 0; i < pixels.Length; i += 4)
        {
            var a = pixels[i + 3];
            if (a > maxAlpha) maxAlpha = a;
            if (a < 32) continue;
            r += pixels[i] * 255 / a; g += pixels[i + 1] * 255 / a; b += pixels[i + 2] * 255 / a; visible++;
        }
        var average = visible == 0 ? Colour.White : new Colour((byte)(r / visible), (byte)(g / visible), (byte)(b / visible));
        bitmap.SetImmutable();
        var image = SKImage.FromBitmap(bitmap) ?? throw new RenderException($"{what} could not be decoded");
        return new DecodedImage(image, average, (double)visible / ((long)w * h), maxAlpha);
    }

    public void Dispose() => Image.Dispose();
}
