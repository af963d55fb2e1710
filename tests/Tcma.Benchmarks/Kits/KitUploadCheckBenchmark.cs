using System.Diagnostics;
using System.IO.Compression;
using Tcma.Domain.Kits;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Rendering.Images;

namespace Tcma.Benchmarks.Kits;

/// <summary>
/// What an upload costs before any storage call, on the cloud-backup sample kit: reading the zip safely, every
/// check (schema, references, Liquid, templates), and the full preview for the sample partner (every image's first
/// size and PDF, every email, post and page). Options: --iterations N (default 50).
/// </summary>
public sealed class KitUploadCheckBenchmark : IBenchmark
{
    public string Name => "kit-upload";
    public string Description => "kit upload checks on the cloud-backup sample: median ms for unzip, checks, sample-partner previews";

    public Task RunAsync(string[] args)
    {
        var iterations = args.SkipWhile(a => a != "--iterations").Skip(1).Select(int.Parse).FirstOrDefault(50);
        var folder = Path.Combine(RepoPaths.Root, "campaign-templates", "cloud-backup-nurture");
        var zip = Zip(KitChecks.ReadFolder(folder));
        using var renderer = new ImageRenderer();
        var previews = new KitPreviews(renderer, TimeProvider.System);

        var (files, _) = KitArchive.Read(new MemoryStream(zip), new KitArchiveLimits());
        var (manifest, _) = KitChecks.Check(files!);
        for (var i = 0; i < 5; i++) previews.Check(manifest!, files!);

        var unzip = Measure(iterations, () => KitArchive.Read(new MemoryStream(zip), new KitArchiveLimits()));
        var checks = Measure(iterations, () => KitChecks.Check(files!));
        var preview = Measure(iterations, () => previews.Check(manifest!, files!));
        Console.WriteLine($"kit-upload: cloud-backup-nurture, zip {zip.Length / 1024} KiB, {files!.Files.Count} files, {iterations} iterations after warm-up, {Environment.ProcessorCount} cores");
        Console.WriteLine($"median ms: unzip {unzip:0.0}, checks {checks:0.0}, previews for the sample partner {preview:0.0}, total {unzip + checks + preview:0.0}");
        return Task.CompletedTask;
    }

    /// <summary>Median milliseconds of <paramref name="iterations"/> runs (also used by the emails benchmark).</summary>
    internal static double Measure(int iterations, Action action)
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
