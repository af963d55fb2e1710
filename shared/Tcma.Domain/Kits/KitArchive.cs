using System.IO.Compression;

namespace Tcma.Domain.Kits;

/// <summary>One problem found in an uploaded kit: the file (or entry) it concerns, where inside it, and what is wrong.</summary>
public sealed record KitProblem(string File, string Place, string Message)
{
    public override string ToString() => Place.Length == 0 ? $"{File}: {Message}" : $"{File} ({Place}): {Message}";
}

/// <summary>Limits that keep a hostile zip from exhausting the platform. Uncompressed sizes are counted as bytes are read, never taken from headers.</summary>
public sealed record KitArchiveLimits
{
    public long MaxCompressedBytes { get; init; } = 50 * 1024 * 1024;
    public long MaxUncompressedBytes { get; init; } = 200 * 1024 * 1024;
    public long MaxEntryBytes { get; init; } = 50 * 1024 * 1024;
    public int MaxEntries { get; init; } = 500;
    /// <summary>Real kits (text, PNG, fonts) compress far less than 100:1; bombs compress far more.</summary>
    public double MaxCompressionRatio { get; init; } = 100;
    public int MaxPathLength { get; init; } = 200;
}

/// <summary>The files of a kit, by normalised relative path ('/' separated, no leading slash).</summary>
public sealed record KitFiles(IReadOnlyDictionary<string, byte[]> Files)
{
    public long TotalBytes => Files.Values.Sum(f => (long)f.Length);

    /// <summary>A digest of every path and its bytes: uploads with the same fingerprint are the same files.</summary>
    public string Fingerprint()
    {
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var (path, bytes) in Files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(path));
            hash.AppendData(BitConverter.GetBytes((long)bytes.Length));
            hash.AppendData(bytes);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>Reads an uploaded kit zip safely: every entry stays inside the kit's root and within the limits, or nothing is returned.</summary>
public static class KitArchive
{
    public static (KitFiles? Files, IReadOnlyList<KitProblem> Problems) Read(Stream upload, KitArchiveLimits limits, string uploadName = "upload.zip")
    {
        var problems = new List<KitProblem>();
        using var buffer = new MemoryStream();
        if (!CopyBounded(upload, buffer, limits.MaxCompressedBytes))
            return (null, [new KitProblem(uploadName, "", $"the upload is larger than {limits.MaxCompressedBytes / (1024 * 1024)} MiB")]);
        buffer.Position = 0;

        var (layout, layoutProblems) = KitZipLayout.Check(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), limits, uploadName);
        if (layout is null) return (null, layoutProblems);

        ZipArchive zip;
        try
        {
            zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
            _ = zip.Entries.Count;
        }
        catch (InvalidDataException)
        {
            return (null, [new KitProblem(uploadName, "", "this is not a zip file, or the zip is corrupted")]);
        }

        using (zip)
        {
            if (zip.Entries.Count != layout.Count)
                return (null, [new KitProblem(uploadName, "", "this is not a zip file, or the zip is corrupted")]);

            var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            // Windows and macOS keep one of two names that differ only by case; blob storage keeps both.
            var caseless = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                if (IsDirectory(entry)) continue;
                if (PathProblem(name, limits) is { } pathProblem)
                {
                    problems.Add(new KitProblem(name, "", pathProblem));
                    continue;
                }
                if (IsSymbolicLink(entry))
                {
                    problems.Add(new KitProblem(name, "", "links are not allowed in a kit"));
                    continue;
                }
                if (IsSpecialFile(entry))
                {
                    problems.Add(new KitProblem(name, "", "this entry is a device, pipe or socket, not a file; zip only the kit's files"));
                    continue;
                }
                var path = Normalise(name);
                if (!files.TryAdd(path, []))
                {
                    problems.Add(new KitProblem(name, "", "the zip holds this path twice"));
                    continue;
                }
                if (!caseless.TryAdd(path, path))
                {
                    problems.Add(new KitProblem(name, "", $"this name differs from '{caseless[path]}' only by upper and lower case; Windows and macOS would keep only one of them: rename one"));
                    continue;
                }
                var remaining = Math.Min(limits.MaxEntryBytes, limits.MaxUncompressedBytes - total);
                byte[] bytes;
                try
                {
                    using var content = entry.Open();
                    using var target = new MemoryStream();
                    if (!CopyBounded(content, target, remaining))
                        return (null, [new KitProblem(name, "", total + remaining >= limits.MaxUncompressedBytes
                            ? $"the kit unpacks to more than {limits.MaxUncompressedBytes / (1024 * 1024)} MiB"
                            : $"this file unpacks to more than {limits.MaxEntryBytes / (1024 * 1024)} MiB")]);
                    bytes = target.ToArray();
                }
                catch (InvalidDataException)
                {
                    return (null, [new KitProblem(name, "", $"this file is damaged and cannot be unpacked: {Damaged}")]);
                }
                // The unzipper stops at the size the directory declares and checks no checksum: both are ours to check.
                if (bytes.Length != entry.Length)
                    return (null, [new KitProblem(name, "", $"this file unpacks to {bytes.Length:N0} bytes but the zip says {entry.Length:N0}: {Damaged}")]);
                if (System.IO.Hashing.Crc32.HashToUInt32(bytes) != entry.Crc32)
                    return (null, [new KitProblem(name, "", $"this file fails its checksum (CRC-32): {Damaged}")]);
                total += bytes.Length;
                var compressed = Math.Max(entry.CompressedLength, 1);
                if (bytes.Length > 1024 * 1024 && (double)bytes.Length / compressed > limits.MaxCompressionRatio)
                    return (null, [new KitProblem(name, "", $"this entry compresses {bytes.Length / compressed}:1, which only a zip bomb does")]);
                files[path] = bytes;
            }
            if (problems.Count > 0) return (null, problems);
            if (files.Count == 0) return (null, [new KitProblem(uploadName, "", "the zip is empty")]);
            return (new KitFiles(StripSingleRootFolder(files)), []);
        }
    }

    /// <summary>Authors often zip the kit's folder rather than its contents: accept both.</summary>
    private static Dictionary<string, byte[]> StripSingleRootFolder(Dictionary<string, byte[]> files)
    {
        var roots = files.Keys.Select(k => k.Split('/')[0]).Distinct().ToList();
        if (roots.Count != 1 || files.Keys.Any(k => !k.Contains('/'))) return files;
        var prefix = roots[0] + "/";
        return files.ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);
    }

    private const string Damaged = "the zip was damaged in transit or on disk; zip the kit again and upload the new zip";

    private static string? PathProblem(string name, KitArchiveLimits limits)
    {
        if (name.Length > limits.MaxPathLength) return $"the path is longer than {limits.MaxPathLength} characters";
        if (name.Contains('\\')) return "backslashes are not allowed in paths; use '/'";
        if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':')) return "absolute paths are not allowed: every file must stay inside the kit";
        if (name.Any(char.IsControl)) return "control characters are not allowed in paths";
        var segments = name.Split('/');
        if (segments.Any(s => s is ".." or ".")) return "'..' and '.' are not allowed in paths: every file must stay inside the kit";
        if (segments.Any(s => s.Length == 0)) return "empty path segments are not allowed";
        if (name.IndexOfAny(['<', '>', ':', '"', '|', '?', '*']) >= 0) return "the characters < > : \" | ? * are not allowed in paths (Windows cannot hold them); rename the file";
        if (segments.Any(s => s.EndsWith(' ') || s.EndsWith('.'))) return "a name may not end with a space or a dot (Windows drops them); rename the file";
        return null;
    }

    private static string Normalise(string name) => name.Normalize(System.Text.NormalizationForm.FormC);

    private static bool IsDirectory(ZipArchiveEntry entry) => entry.FullName.EndsWith('/') && entry.Length == 0;

    /// <summary>Unix symlinks are marked in the high 16 bits of the external attributes (S_IFLNK).</summary>
    private static bool IsSymbolicLink(ZipArchiveEntry entry) => ((entry.ExternalAttributes >> 16) & 0xF000) == 0xA000;

    /// <summary>Unix file types other than regular files and directories (FIFO, character or block device, socket).</summary>
    private static bool IsSpecialFile(ZipArchiveEntry entry) => ((entry.ExternalAttributes >> 16) & 0xF000) is 0x1000 or 0x2000 or 0x6000 or 0xC000;

    private static bool CopyBounded(Stream source, Stream target, long max)
    {
        var buffer = new byte[81920];
        long copied = 0;
        int read;
        while ((read = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            copied += read;
            if (copied > max) return false;
            target.Write(buffer, 0, read);
        }
        return true;
    }
}
