using System.Runtime.InteropServices;
using SkiaSharp;
using Tcma.Domain.Rendering;
using Tcma.Rendering.Images;

namespace Tcma.UnitTests.Rendering.Images;

/// <summary>
/// The fast JPEG/WebP encoders (libjpeg-turbo, libwebp) must be indistinguishable from a careful encode of the same
/// pixels, deterministic (the render cache relies on it), and replaceable by Skia's when the libraries are missing.
/// </summary>
public sealed class ImageEncoderTests
{
    private static readonly RenderSize Banner = new(1200, 628);

    /// <summary>The banner's pixels, lossless: what every encode below is compared to.</summary>
    private static byte[] SourcePixels()
    {
        using var renderer = new ImageRenderer();
        var template = Samples.Template("templates/social-banner.json");
        var png = renderer.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), Banner, ImageFormat.Png);
        using var bitmap = Samples.Decode(png.Bytes!);
        return bitmap.GetPixelSpan().ToArray();
    }

    private static byte[] Encode(IImageEncoder encoder, byte[] rgba, int quality)
    {
        var handle = GCHandle.Alloc(rgba, GCHandleType.Pinned);
        try { return encoder.Encode(handle.AddrOfPinnedObject(), Banner.Width, Banner.Height, Banner.Width * 4, quality) ?? throw new InvalidOperationException($"{encoder.Name} failed"); }
        finally { handle.Free(); }
    }

    /// <summary>Peak signal-to-noise ratio over RGB, decoded output against the source.</summary>
    private static double Psnr(byte[] source, byte[] encoded)
    {
        using var decoded = Samples.Decode(encoded);
        Assert.Equal((Banner.Width, Banner.Height), (decoded.Width, decoded.Height));
        var d = decoded.GetPixelSpan();
        double sum = 0;
        for (var i = 0; i < source.Length; i += 4)
        for (var c = 0; c < 3; c++)
        {
            var e = source[i + c] - d[i + c];
            sum += e * e;
        }
        var mse = sum / (source.Length / 4 * 3);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    [Fact]
    public void The_native_libraries_are_used_where_installed()
    {
        // ./tcma test installs libturbojpeg0 and libwebp7; the build copies them next to the app.
        var encoders = ImageEncoders.For(ImageEncoderPreference.Native);
        Assert.StartsWith("libjpeg-turbo", encoders.Jpeg.Name);
        Assert.StartsWith("libwebp", encoders.Webp.Name);
        using var renderer = new ImageRenderer();
        Assert.Equal(encoders, renderer.Encoders);
    }

    [Theory]
    [InlineData(ImageFormat.Jpeg, 85, 38.0)]
    [InlineData(ImageFormat.Webp, 80, 35.0)]
    public void A_fast_encode_looks_like_the_source_and_like_Skias_encode(ImageFormat format, int quality, double minimumPsnr)
    {
        var source = SourcePixels();
        var native = ImageEncoders.For(ImageEncoderPreference.Native);
        var skia = ImageEncoders.For(ImageEncoderPreference.Skia);
        var (fast, careful) = format == ImageFormat.Jpeg ? (native.Jpeg, skia.Jpeg) : (native.Webp, skia.Webp);

        var fastPsnr = Psnr(source, Encode(fast, source, quality));
        var carefulPsnr = Psnr(source, Encode(careful, source, quality));
        Assert.True(fastPsnr >= minimumPsnr, $"{fast.Name}: PSNR {fastPsnr:0.00} dB < {minimumPsnr} dB");
        // Faster must not mean visibly worse than what Skia gave before.
        Assert.True(fastPsnr >= carefulPsnr - 1.0, $"{fast.Name}: PSNR {fastPsnr:0.00} dB against Skia's {carefulPsnr:0.00} dB");
    }

    [Fact]
    public void The_same_pixels_give_the_same_bytes_even_from_concurrent_renders()
    {
        var source = SourcePixels();
        var native = ImageEncoders.For(ImageEncoderPreference.Native);
        var jpeg = Encode(native.Jpeg, source, 85);
        var webp = Encode(native.Webp, source, 80);
        var results = new (byte[] Jpeg, byte[] Webp)[8];
        Parallel.For(0, results.Length, i => results[i] = (Encode(native.Jpeg, source, 85), Encode(native.Webp, source, 80)));
        Assert.All(results, r => Assert.Equal(jpeg, r.Jpeg));
        Assert.All(results, r => Assert.Equal(webp, r.Webp));
        // Quality reaches the encoder: a lower quality is a different, smaller file.
        Assert.True(Encode(native.Jpeg, source, 40).Length < jpeg.Length);
        Assert.True(Encode(native.Webp, source, 40).Length < webp.Length);
    }

    [Fact]
    public void A_machine_without_the_libraries_falls_back_to_Skias_encoders()
    {
        var missing = ImageEncoders.Load(["/nonexistent/libturbojpeg.so.0"], ["/nonexistent/libwebp.so.7"]);
        Assert.Equal(ImageEncoders.SkiaJpeg, missing.Jpeg);
        Assert.Equal(ImageEncoders.SkiaWebp, missing.Webp);

        // The renderer's fallback path end to end: JPEG and WebP through Skia still render and decode (the PSNR test covers how they look).
        using var skia = new ImageRenderer(new() { Encoders = ImageEncoderPreference.Skia });
        using var native = new ImageRenderer();
        Assert.Equal(missing, skia.Encoders);
        var template = Samples.Template("templates/social-banner.json");
        foreach (var format in new[] { ImageFormat.Jpeg, ImageFormat.Webp })
        {
            var slow = skia.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), Banner, format);
            var fast = native.Render(template, Samples.Kit, Samples.Navy, Samples.Text(Samples.Navy), Banner, format);
            Assert.True(slow.Succeeded && fast.Succeeded);
            Assert.NotEqual(fast.Bytes, slow.Bytes);
            using var decoded = Samples.Decode(slow.Bytes!);
            Assert.Equal((Banner.Width, Banner.Height), (decoded.Width, decoded.Height));
        }
    }

    [Fact]
    public void A_library_from_the_app_directory_is_tried_before_the_systems()
    {
        var candidates = ImageEncoders.Candidates("libwebp.so.7").ToArray();
        Assert.Equal([Path.Combine(AppContext.BaseDirectory, "libwebp.so.7"), "libwebp.so.7"], candidates);
        Assert.NotNull(ImageEncoders.Load(candidates, candidates));
    }
}
