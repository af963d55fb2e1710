using SkiaSharp;
using Tcma.Domain.Rendering;
using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

/// <summary>A card preview is the full-size drawing scaled down: the same picture, smaller, as one JPEG.</summary>
public sealed class ThumbnailTests
{
    private static readonly RenderSize Banner = new(1200, 628);

    [Fact]
    public void A_thumbnail_is_the_full_drawing_scaled_to_the_width_asked_with_its_proportions()
    {
        using var renderer = new ImageRenderer();
        var template = Samples.Template("templates/social-banner.json");
        var full = renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), Banner, ImageFormat.Png);
        var thumbnail = renderer.RenderThumbnail(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), Banner, 480);

        Assert.True(thumbnail.Report.Succeeded);
        Assert.Equal("image/jpeg", thumbnail.ContentType);
        Assert.Equal(full.Report.Warnings.Select(w => w.Message), thumbnail.Report.Warnings.Select(w => w.Message));
        using var small = Samples.Decode(thumbnail.Bytes!);
        Assert.Equal((480, 251), (small.Width, small.Height));

        // Pixel by pixel against the full PNG scaled the same way: only JPEG's loss separates them.
        using var large = Samples.Decode(full.Bytes!);
        using var expected = new SKBitmap(new SKImageInfo(480, 251, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Assert.True(large.ScalePixels(expected, new SKSamplingOptions(SKCubicResampler.Mitchell)));
        double error = 0;
        for (var y = 0; y < 251; y++)
        for (var x = 0; x < 480; x++)
        {
            var (a, b) = (expected.GetPixel(x, y), small.GetPixel(x, y));
            error += Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue);
        }
        Assert.InRange(error / (480 * 251 * 3), 0, 4.0);
    }

    [Fact]
    public void A_thumbnail_wider_than_the_drawing_is_the_drawing_at_its_own_size()
    {
        using var renderer = new ImageRenderer();
        var template = Samples.Template("templates/social-banner.json");
        var thumbnail = renderer.RenderThumbnail(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), Banner, 5000);
        using var decoded = Samples.Decode(thumbnail.Bytes!);
        Assert.Equal((1200, 628), (decoded.Width, decoded.Height));
    }

    [Fact]
    public void A_size_the_template_does_not_declare_is_an_error_not_a_picture()
    {
        using var renderer = new ImageRenderer();
        var template = Samples.Template("templates/social-banner.json");
        var thumbnail = renderer.RenderThumbnail(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), new RenderSize(333, 333), 480);
        Assert.False(thumbnail.Report.Succeeded);
        Assert.Null(thumbnail.Bytes);
    }
}
