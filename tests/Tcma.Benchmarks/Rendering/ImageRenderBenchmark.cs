using System.Diagnostics;
using SkiaSharp;
using Tcma.Domain.Rendering;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Rendering.Images;

namespace Tcma.Benchmarks.Rendering;

/// <summary>
/// Median time per co-branded render (1200x628 banner: gradient, partner logo, wrapped text boxes, rounded button) for
/// PNG, JPEG q85, WebP q80 and the one-page PDF flyer, on one core; then memory over many renders.
/// Options: --iterations N (timed renders per case, default 200), --renders N (memory run, default 10000),
/// --memory-only (skip the timings).
/// </summary>
public sealed class ImageRenderBenchmark : IBenchmark
{
    public string Name => "images";
    public string Description => "co-branded banner render: median ms per PNG/JPEG/WebP/PDF, peak memory over 10,000 renders";

    public Task RunAsync(string[] args)
    {
        var iterations = Option(args, "--iterations", 200);
        var renders = Option(args, "--renders", 10_000);
        // One core, as the goal is stated: the figures must not lean on the machine's second core.
        if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows()) Process.GetCurrentProcess().ProcessorAffinity = 1;

        var samples = Path.Combine(RepoPaths.Root, "tests", "Tcma.UnitTests", "Rendering", "Images", "Samples");
        var kit = new DirectoryKitFiles(samples, "samples-1");
        var template = TemplateLoader.Load("templates/social-banner.json", File.ReadAllText(Path.Combine(samples, "templates", "social-banner.json")), kit);
        var brand = NavyBrand(samples);
        var text = PlaceholderTextResolver.For(brand, Inputs);
        var size = new RenderSize(1200, 628);

        if (args.Contains("--memory-only"))
        {
            Memory(template, kit, brand, text, size, renders);
            return Task.CompletedTask;
        }
        Console.WriteLine($"images benchmark: {template.Name}, {size}, {iterations} timed renders per case after 20 warm-up, 1 core (affinity), {Environment.ProcessorCount} cores visible");
        Console.WriteLine($"SkiaSharp {typeof(SKImage).Assembly.GetName().Version}, .NET {Environment.Version}, load average {LoadAverage()}");
        Console.WriteLine($"native encoders: {ImageEncoders.For(ImageEncoderPreference.Native)}");
        Console.WriteLine();

        var configurations = new (string Name, ImageRendererOptions Options)[]
        {
            ("naive: Skia default encoders, every layer drawn every time", new() { CacheStaticLayers = false, PngFilters = SKPngEncoderFilterFlags.AllFilters, PngZlibLevel = 6, Encoders = ImageEncoderPreference.Skia }),
            ("tuned Skia: cheap PNG + static layers, Skia JPEG/WebP", new() { Encoders = ImageEncoderPreference.Skia }),
            ("native encoders, every layer drawn (first render for a partner)", new() { CacheStaticLayers = false }),
            ("tuned native: cheap PNG + static layers + libjpeg-turbo/libwebp", new()),
        };
        var results = new Dictionary<string, Dictionary<string, (double Median, int Bytes)>>();
        foreach (var (name, options) in configurations)
        {
            using var renderer = new ImageRenderer(options);
            var row = results[name] = [];
            foreach (var format in new[] { ImageFormat.Png, ImageFormat.Jpeg, ImageFormat.Webp })
                row[format.ToString().ToLowerInvariant()] = Measure(iterations, () => renderer.Render(template, kit, brand, text, size, format));
            row["pdf"] = Measure(iterations, () => renderer.RenderPdf(template, kit, brand, text));
        }
        Console.WriteLine($"{"median ms per render (bytes), load average " + LoadAverage(),-78} {"png",14} {"jpeg q85",14} {"webp q80",14} {"pdf",14}");
        foreach (var (name, row) in results)
            Console.WriteLine($"{name,-78} {string.Join(" ", new[] { "png", "jpeg", "webp", "pdf" }.Select(f => $"{row[f].Median,6:0.00} ({row[f].Bytes / 1024,4}K)"))}");
        Console.WriteLine();

        Profile(template, kit, brand, text, size, iterations);
        Encoders(template, kit, brand, text, size, iterations);
        SamePixels(template, kit, brand, text, size);
        Memory(template, kit, brand, text, size, renders);
        return Task.CompletedTask;
    }

    private static (double Median, int Bytes) Measure(int iterations, Func<RenderResult> render)
    {
        var bytes = 0;
        for (var i = 0; i < 20; i++) bytes = render().Bytes?.Length ?? throw new InvalidOperationException("render failed");
        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            render();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
        Array.Sort(times);
        return (times[iterations / 2], bytes);
    }

    /// <summary>Where the naive path's time goes: the parts measured one by one on the same pixels.</summary>
    private static void Profile(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size, int iterations)
    {
        using var renderer = new ImageRenderer(new() { CacheStaticLayers = false });
        var png = renderer.Render(template, kit, brand, text, size, ImageFormat.Png).Bytes!;
        using var bitmap = SKBitmap.Decode(png);
        using var pixmap = bitmap.PeekPixels();
        var info = new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        using var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(size.Width, size.Height), [new SKColor(0x0B, 0x1F, 0x4B), new SKColor(0x1D, 0x3F, 0x7A)], null, SKShaderTileMode.Clamp);
        using var paint = new SKPaint { Shader = shader };
        using var image = SKImage.FromBitmap(bitmap);
        var scratch = new byte[pixmap.BytesSize];
        double Median(Action action)
        {
            for (var i = 0; i < 5; i++) action();
            var times = new double[Math.Max(20, iterations / 4)];
            for (var i = 0; i < times.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                action();
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            return times[times.Length / 2];
        }
        var rows = new (string, Action)[]
        {
            ("gradient fill, full canvas", () => { surface.Canvas.DrawRect(0, 0, size.Width, size.Height, paint); surface.Flush(); }),
            ("draw a cached full-size image", () => { surface.Canvas.DrawImage(image, 0, 0, SKSamplingOptions.Default); surface.Flush(); }),
            ("copy cached pixels (what the tuned path does)", () => pixmap.GetPixelSpan().CopyTo(scratch)),
            ("PNG encode, Skia defaults (all filters, zlib 6)", () => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.AllFilters, 6))!.Dispose()),
            ("PNG encode, Sub filter, zlib 1 (tuned)", () => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.Sub, 1))!.Dispose()),
            ("PNG encode, no filter, zlib 1", () => pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.NoFilters, 1))!.Dispose()),
            ("JPEG encode q85 4:2:0", () => pixmap.Encode(new SKJpegEncoderOptions(85, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))!.Dispose()),
            ("WebP encode lossy q80", () => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossy, 80))!.Dispose()),
            ("WebP encode lossless, effort 0 (not used)", () => pixmap.Encode(new SKWebpEncoderOptions(SKWebpEncoderCompression.Lossless, 0))!.Dispose()),
        };
        Console.WriteLine("profile (median ms):");
        foreach (var (name, action) in rows) Console.WriteLine($"  {name,-52} {Median(action),7:0.00}");
        Console.WriteLine();
    }

    /// <summary>
    /// Each JPEG/WebP encoder on the same banner pixels: median ms, size and PSNR (decoded against the source), so the
    /// speed settings used are chosen on measured quality. The other DCT and WebP methods are shown for the choice.
    /// </summary>
    private static void Encoders(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size, int iterations)
    {
        using var renderer = new ImageRenderer(new() { CacheStaticLayers = false });
        var png = renderer.Render(template, kit, brand, text, size, ImageFormat.Png).Bytes!;
        using var bitmap = SKBitmap.Decode(png);
        using var rgba = bitmap.Copy(SKColorType.Rgba8888);
        var source = rgba.GetPixelSpan().ToArray();
        var address = rgba.GetPixels();
        var library = ImageEncoders.Candidates("libturbojpeg.so.0");
        var webp = ImageEncoders.Candidates("libwebp.so.7");
        var rows = new List<(string, IImageEncoder?, int)>
        {
            ("JPEG q85, Skia", ImageEncoders.SkiaJpeg, 85),
            ("JPEG q85, TurboJPEG accurate DCT", TurboJpegEncoder.TryCreate(library, TurboJpegEncoder.AccurateDct), 85),
            ("JPEG q85, TurboJPEG fast DCT (its default)", TurboJpegEncoder.TryCreate(library, 0), 85),
            // TJFLAG_PROGRESSIVE: the only way TurboJPEG 2.1 optimises Huffman tables, as Skia's encoder does.
            ("JPEG q85, TurboJPEG accurate DCT progressive", TurboJpegEncoder.TryCreate(library, TurboJpegEncoder.AccurateDct | 16384), 85),
            ("WebP q80, Skia", ImageEncoders.SkiaWebp, 80),
        };
        foreach (var method in new[] { 0, 1, 2, 3, 4 })
            rows.Add(($"WebP q80, libwebp method {method}{(method == LibWebpEncoder.DefaultMethod ? " (used)" : "")}", LibWebpEncoder.TryCreate(webp, method), 80));
        Console.WriteLine($"encoders on the same pixels (load average {LoadAverage()}):");
        Console.WriteLine($"  {"encoder",-44} {"median ms",10} {"bytes",8} {"PSNR dB",8}");
        foreach (var (name, encoder, quality) in rows)
        {
            if (encoder is null) { Console.WriteLine($"  {name,-44} not loadable"); continue; }
            var bytes = encoder.Encode(address, size.Width, size.Height, rgba.RowBytes, quality)!;
            var times = new double[Math.Max(20, iterations / 2)];
            for (var i = 0; i < 5; i++) encoder.Encode(address, size.Width, size.Height, rgba.RowBytes, quality);
            for (var i = 0; i < times.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                encoder.Encode(address, size.Width, size.Height, rgba.RowBytes, quality);
                times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Array.Sort(times);
            Console.WriteLine($"  {name,-44} {times[times.Length / 2],10:0.00} {bytes.Length,8} {Psnr(source, bytes),8:0.00}");
        }
        Console.WriteLine();
    }

    private static double Psnr(byte[] source, byte[] encoded)
    {
        using var decoded = SKBitmap.Decode(encoded).Copy(SKColorType.Rgba8888);
        var d = decoded.GetPixelSpan();
        double sum = 0;
        for (var i = 0; i < source.Length; i += 4)
        for (var c = 0; c < 3; c++) { var e = source[i + c] - d[i + c]; sum += e * e; }
        return 10 * Math.Log10(255.0 * 255.0 / (sum / (source.Length / 4 * 3)));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The tuned path must be indistinguishable: PNG pixels identical to the naive path's.</summary>
    private static void SamePixels(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size)
    {
        using var naive = new ImageRenderer(new() { CacheStaticLayers = false, PngFilters = SKPngEncoderFilterFlags.AllFilters, PngZlibLevel = 6 });
        using var tuned = new ImageRenderer();
        tuned.Render(template, kit, brand, text, size, ImageFormat.Png);
        using var a = SKBitmap.Decode(naive.Render(template, kit, brand, text, size, ImageFormat.Png).Bytes!);
        using var b = SKBitmap.Decode(tuned.Render(template, kit, brand, text, size, ImageFormat.Png).Bytes!);
        Console.WriteLine($"tuned PNG pixels identical to naive PNG pixels: {a.GetPixelSpan().SequenceEqual(b.GetPixelSpan())}");
        Console.WriteLine();
    }

    /// <summary>Renders round-robin over formats, PDF and partners; memory must stay flat (nothing native leaks).</summary>
    private static void Memory(ImageTemplate template, IKitFiles kit, BrandProfile brand, ITextResolver text, RenderSize size, int renders)
    {
        using var renderer = new ImageRenderer();
        var process = Process.GetCurrentProcess();
        var formats = new[] { ImageFormat.Png, ImageFormat.Jpeg, ImageFormat.Webp };
        // Several partners, so the static-layer cache fills, evicts and reuses as it would in production.
        var brands = Enumerable.Range(0, 40).Select(i => brand with { PrimaryColour = new Colour(0x0B, (byte)(0x1F + i), 0x4B) }).ToArray();
        Console.WriteLine($"memory over {renders:N0} renders (PNG/JPEG/WebP in turn, a PDF every 10th, 40 partners):");
        Console.WriteLine($"  {"renders",8} {"working set MB",15} {"peak WS MB",11} {"managed MB",11} {"gen2 GCs",9}");
        var start = Stopwatch.GetTimestamp();
        for (var i = 1; i <= renders; i++)
        {
            var partner = brands[i % brands.Length];
            var result = i % 10 == 0
                ? renderer.RenderPdf(template, kit, partner, text)
                : renderer.Render(template, kit, partner, text, size, formats[i % 3]);
            if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Report.Errors));
            if (i % (renders / 10) == 0 || i == 1)
            {
                process.Refresh();
                Console.WriteLine($"  {i,8:N0} {process.WorkingSet64 / 1048576.0,15:0.0} {process.PeakWorkingSet64 / 1048576.0,11:0.0} {GC.GetTotalMemory(false) / 1048576.0,11:0.0} {GC.CollectionCount(2),9}");
            }
        }
        Console.WriteLine($"  {renders:N0} renders in {Stopwatch.GetElapsedTime(start).TotalSeconds:0.0} s");
    }

    private static readonly Dictionary<string, string> Inputs = new()
    {
        ["campaign.headline"] = "Cloud security that keeps up with your business",
        ["campaign.body"] = "Book a free 30-minute assessment with your local expert.",
        ["campaign.details"] = "Our certified team reviews your network, your cloud accounts and your backups, and hands you a short written plan.",
        ["campaign.call_to_action"] = "Book now",
    };

    private static BrandProfile NavyBrand(string samples)
    {
        var (profile, problems) = BrandProfileValidator.Validate(new BrandProfileInput
        {
            CompanyName = "Harbour Systems", Logo = File.ReadAllBytes(Path.Combine(samples, "logos", "navy-logo.png")),
            PrimaryColour = "#0B1F4B", SecondaryColour = "#1D3F7A", ContactPerson = "Dana Whitfield", Phone = "(202) 555-0143",
            Email = "dana@harbour.example.com", Website = "harbour.example.com", Street = "1200 Harbor Blvd", City = "Baltimore",
            Region = "MD", PostalCode = "21230", CountryCode = "US", TimeZone = "America/New_York", Language = "en-US",
        });
        return profile ?? throw new InvalidOperationException(string.Join("; ", problems));
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) ? n : fallback;
    }
}
