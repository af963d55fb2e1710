using System.Diagnostics;
using System.IO.Compression;
using SkiaSharp;
using Tcma.Domain.Kits;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Rendering.Images;

namespace Tcma.Benchmarks.Kits;

/// <summary>
/// What an upload costs before any storage call, on the largest sample kit (by bytes) or the one named: reading the
/// zip safely (its records, every file's CRC), every check (schema, references, every file by its content: pictures
/// decoded, fonts loaded, text UTF-8; Liquid, templates), and the full preview for the sample partner (every image's
/// first size and PDF, every email, post and page). Options: --iterations N (default 50), --kit FOLDER.
/// </summary>
public sealed class KitUploadCheckBenchmark : IBenchmark
{
    public string Name => "kit-upload";
    public string Description => "kit upload checks on the largest sample kit (--kit FOLDER for another): median ms for unzip, checks, sample-partner previews";

    public Task RunAsync(string[] args)
    {
        var iterations = args.SkipWhile(a => a != "--iterations").Skip(1).Select(int.Parse).FirstOrDefault(50);
        var samples = Path.Combine(RepoPaths.Root, "campaign-templates");
        var folder = args.SkipWhile(a => a != "--kit").Skip(1).Select(k => Path.Combine(samples, k)).FirstOrDefault()
            ?? Directory.EnumerateDirectories(samples).Where(d => File.Exists(Path.Combine(d, "kit.json")))
                .MaxBy(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length))!;
        var zip = Zip(KitChecks.ReadFolder(folder));
        using var renderer = new ImageRenderer();
        var previews = new KitPreviews(renderer, TimeProvider.System);

        var (files, _) = KitArchive.Read(new MemoryStream(zip), new KitArchiveLimits());
        var (manifest, problems) = KitChecks.Check(files!);
        if (manifest is null) throw new InvalidOperationException($"{folder} does not pass the upload checks: {string.Join("; ", problems)}");
        for (var i = 0; i < 5; i++) previews.Check(manifest!, files!);

        var unzip = Measure(iterations, () => KitArchive.Read(new MemoryStream(zip), new KitArchiveLimits()));
        var checks = Measure(iterations, () => KitChecks.Check(files!));
        var preview = Measure(iterations, () => previews.Check(manifest!, files!));
        // The samples hold no pictures; a kit's picture costs one structure walk and one full decode each.
        var photo = Photo(1200, 628, SKEncodedImageFormat.Png);
        var print = Photo(2550, 3300, SKEncodedImageFormat.Jpeg);
        var photoCheck = Measure(iterations, () => KitAssetChecks.Picture(photo, "images/photo.png", RenderLimits.Default, long.MaxValue));
        var printCheck = Measure(Math.Max(5, iterations / 5), () => KitAssetChecks.Picture(print, "images/print.jpg", RenderLimits.Default, long.MaxValue));
        Console.WriteLine($"kit-upload: {Path.GetFileName(folder)}, zip {zip.Length / 1024} KiB, {files!.Files.Count} files, {iterations} iterations after warm-up, {Environment.ProcessorCount} cores");
        Console.WriteLine($"median ms: unzip {unzip:0.0}, checks {checks:0.0}, previews for the sample partner {preview:0.0}, total {unzip + checks + preview:0.0}");
        Console.WriteLine($"median ms per picture a kit adds to the checks: 1200x628 PNG {photoCheck:0.0}, 2550x3300 JPEG (US Letter at 300 dpi) {printCheck:0.0}");
        return Task.CompletedTask;
    }

    private static byte[] Photo(int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        using (var paint = new SKPaint { Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [SKColors.SteelBlue, SKColors.Orange], SKShaderTileMode.Clamp) })
            canvas.DrawRect(0, 0, width, height, paint);
        using var data = bitmap.Encode(format, 85);
        return data.ToArray();
    }

    private static double Measure(int iterations, Action action)
    {
        var times = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var started = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(times);
        return times[iterations / 2];
    }

    private static byte[] Zip(KitFiles files)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (path, bytes) in files.Files)
            {
                using var entry = zip.CreateEntry(path, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        return stream.ToArray();
    }
}
