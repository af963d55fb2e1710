using System.IO.Compression;
using System.Text;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Kits;

/// <summary>Kit zips for tests: a sample kit as an author would zip it, optionally changed first.</summary>
public static class KitZips
{
    public static readonly string CloudBackup = Path.Combine(RepoPaths.Root, "campaign-templates", "cloud-backup-nurture");

    public static Dictionary<string, byte[]> Files(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(folder, p).Replace('\\', '/'), File.ReadAllBytes, StringComparer.Ordinal);

    public static byte[] Zip(IReadOnlyDictionary<string, byte[]> files)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, bytes) in files)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(bytes);
            }
        return stream.ToArray();
    }

    /// <summary>The cloud-backup sample with its manifest text edited (a plain string replace) and files changed.</summary>
    public static byte[] CloudBackupWith(Func<string, string>? manifest = null, Action<Dictionary<string, byte[]>>? files = null)
    {
        var all = Files(CloudBackup);
        if (manifest is not null) all["kit.json"] = Encoding.UTF8.GetBytes(manifest(Encoding.UTF8.GetString(all["kit.json"])));
        files?.Invoke(all);
        return Zip(all);
    }
}
