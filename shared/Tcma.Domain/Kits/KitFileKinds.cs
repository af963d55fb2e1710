using System.Text;

namespace Tcma.Domain.Kits;

/// <summary>What a kit file is used as. A file is stored only when some part of the kit uses it as one of these.</summary>
public enum KitFileKind
{
    /// <summary>kit.json.</summary>
    Manifest,
    /// <summary>An image template (JSON) that content.images names.</summary>
    ImageTemplate,
    /// <summary>Liquid HTML: an email's html part, the landing page.</summary>
    HtmlTemplate,
    /// <summary>Liquid text: an email's text part, a social post.</summary>
    TextTemplate,
    /// <summary>A picture an image template draws, or the kit's thumbnail.</summary>
    Image,
    /// <summary>A font an image template writes with.</summary>
    Font,
    /// <summary>The licence text beside a font the kit uses: a font's licence asks for it to travel with the font.</summary>
    FontLicence,
}

/// <summary>A reference from an image template to a kit file: a text layer's <c>font</c> or an image layer's <c>file</c>.</summary>
public sealed record TemplateFileReference(string Template, string File, KitFileKind Kind);

/// <summary>
/// Which kit file is used as what, and what no part of the kit uses. Unused files are refused rather than dropped:
/// a vendor wants to know that a file they meant to use is not (a misspelt name), and the stored zip stays exactly
/// what was checked.
/// </summary>
public static class KitFileUse
{
    public static IReadOnlyDictionary<string, IReadOnlySet<KitFileKind>> Assign(KitManifest manifest, IEnumerable<TemplateFileReference> templateReferences, KitFiles files)
    {
        var kinds = new Dictionary<string, HashSet<KitFileKind>>(StringComparer.Ordinal);
        void Use(string file, KitFileKind kind)
        {
            if (!files.Files.ContainsKey(file)) return;
            if (!kinds.TryGetValue(file, out var set)) kinds[file] = set = [];
            set.Add(kind);
        }
        Use(KitManifestReader.FileName, KitFileKind.Manifest);
        if (manifest.Thumbnail is { } thumbnail) Use(thumbnail, KitFileKind.Image);
        foreach (var image in manifest.Content.Images) Use(image.Template, KitFileKind.ImageTemplate);
        foreach (var email in manifest.Content.Emails)
        {
            Use(email.Html, KitFileKind.HtmlTemplate);
            Use(email.Text, KitFileKind.TextTemplate);
        }
        foreach (var post in manifest.Content.Social) Use(post.Text, KitFileKind.TextTemplate);
        if (manifest.Content.LandingPage is { } page) Use(page.Html, KitFileKind.HtmlTemplate);
        foreach (var reference in templateReferences) Use(reference.File, reference.Kind);

        var fontFolders = kinds.Where(k => k.Value.Contains(KitFileKind.Font)).Select(k => Folder(k.Key)).ToHashSet(StringComparer.Ordinal);
        foreach (var path in files.Files.Keys.Where(p => !kinds.ContainsKey(p) && IsLicenceName(p) && fontFolders.Contains(Folder(p))))
            Use(path, KitFileKind.FontLicence);
        return kinds.ToDictionary(k => k.Key, k => (IReadOnlySet<KitFileKind>)k.Value, StringComparer.Ordinal);
    }

    public const string NotUsed = "this file is not used by kit.json or by any of its image templates; remove it from the zip, or name it where it is meant to be used";

    private static string Folder(string path) => path.LastIndexOf('/') is var i and >= 0 ? path[..i] : "";

    private static bool IsLicenceName(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var extension = Path.GetExtension(name).ToLowerInvariant();
        return extension is "" or ".txt" or ".md" &&
               new[] { "LICENSE", "LICENCE", "OFL", "COPYING", "COPYRIGHT", "NOTICE" }.Any(n => name.StartsWith(n, StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>Recognises what a file's bytes are, whatever its name says, and checks text files. Pure: bytes in, words out.</summary>
public static class KitFileContent
{
    /// <summary>Templates and other text files are small; a larger one is not a template.</summary>
    public const int MaxTextBytes = 1024 * 1024;

    /// <summary>What the bytes hold, in words for a problem message ("an HTML document", "a zip archive").</summary>
    public static string Describe(ReadOnlySpan<byte> b)
    {
        if (Starts(b, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A])) return "a PNG image";
        if (Starts(b, [0xFF, 0xD8, 0xFF])) return "a JPEG image";
        if (b.Length >= 12 && Starts(b, "RIFF"u8) && b.Slice(8, 4).SequenceEqual("WEBP"u8)) return "a WebP image";
        if (Starts(b, "GIF87a"u8) || Starts(b, "GIF89a"u8)) return "a GIF image";
        if (Starts(b, "%PDF"u8)) return "a PDF document";
        if (ArchiveOf(b) is { } archive) return archive;
        if (Starts(b, [0, 1, 0, 0]) || Starts(b, "true"u8)) return "a TrueType font";
        if (Starts(b, "OTTO"u8)) return "an OpenType font";
        if (Starts(b, "ttcf"u8)) return "a font collection (.ttc)";
        if (Starts(b, "wOFF"u8) || Starts(b, "wOF2"u8)) return "a WOFF web font";
        if (Starts(b, [0xFF, 0xFE]) || Starts(b, [0xFE, 0xFF])) return "UTF-16 text";
        var head = Encoding.UTF8.GetString(b[..Math.Min(b.Length, 1024)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (IsSvg(head)) return "an SVG image";
        if (head.StartsWith("<!doctype html", StringComparison.OrdinalIgnoreCase) || head.Contains("<html", StringComparison.OrdinalIgnoreCase) ||
            head.StartsWith("<", StringComparison.Ordinal)) return "an HTML document";
        if (head.StartsWith('{') || head.StartsWith('[')) return "JSON text";
        return b.IndexOf((byte)0) < 0 && IsUtf8(b) ? "text" : "binary data";
    }

    /// <summary>The kind of archive the bytes are, or null: kits never hold archives, whatever they are named.</summary>
    public static string? ArchiveOf(ReadOnlySpan<byte> b)
    {
        if (Starts(b, "PK\u0003\u0004"u8) || Starts(b, "PK\u0005\u0006"u8) || Starts(b, "PK\u0007\u0008"u8)) return "a zip archive";
        if (Starts(b, [0x1F, 0x8B])) return "a gzip archive";
        if (Starts(b, [(byte)'7', (byte)'z', 0xBC, 0xAF, 0x27, 0x1C])) return "a 7-Zip archive";
        if (Starts(b, "Rar!\u001A\u0007"u8)) return "a RAR archive";
        if (Starts(b, "BZh"u8)) return "a bzip2 archive";
        if (Starts(b, [0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0])) return "an xz archive";
        if (Starts(b, [0x28, 0xB5, 0x2F, 0xFD])) return "a Zstandard archive";
        if (b.Length >= 262 && b.Slice(257, 5).SequenceEqual("ustar"u8)) return "a tar archive";
        return null;
    }

    public static bool IsArchiveName(string path) => Path.GetExtension(path).ToLowerInvariant() is
        ".zip" or ".gz" or ".tgz" or ".tar" or ".7z" or ".rar" or ".bz2" or ".xz" or ".zst" or ".jar" or ".cab" or ".iso";

    public static bool IsSvg(ReadOnlySpan<byte> b) => IsSvg(Encoding.UTF8.GetString(b[..Math.Min(b.Length, 1024)]).TrimStart('\uFEFF', ' ', '\t', '\r', '\n'));

    private static bool IsSvg(string head) =>
        head.StartsWith("<svg", StringComparison.OrdinalIgnoreCase) ||
        (head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) || head.StartsWith("<!DOCTYPE svg", StringComparison.OrdinalIgnoreCase)) && head.Contains("<svg", StringComparison.OrdinalIgnoreCase);

    /// <summary>What operating systems add to a zip by themselves, with how to leave it out.</summary>
    public static string? OperatingSystemLeftover(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (path.StartsWith("__MACOSX/", StringComparison.Ordinal) || name.StartsWith("._", StringComparison.Ordinal) || name == ".DS_Store")
            return "macOS adds this when it zips a folder; leave it out (for example: zip -r -X kit.zip . -x '.*' -x '__MACOSX/*')";
        if (name.Equals("Thumbs.db", StringComparison.OrdinalIgnoreCase) || name.Equals("desktop.ini", StringComparison.OrdinalIgnoreCase))
            return "Windows adds this to folders; delete it before zipping the kit";
        return null;
    }

    /// <summary>
    /// A text file (template, manifest, licence) must be UTF-8 without NULs or control characters: a UTF-16 file or
    /// one in a legacy code page would reach the Liquid parser as garbage, so it is refused here, before it.
    /// </summary>
    public static string? TextProblem(ReadOnlySpan<byte> b, int maxBytes = MaxTextBytes)
    {
        const string SaveAsUtf8 = "save it as UTF-8 (in most editors: Save As, Encoding: UTF-8) and zip the kit again";
        if (b.Length > maxBytes) return $"this text file is {b.Length / 1024:N0} KiB; a template or text file may be at most {maxBytes / 1024:N0} KiB";
        if (Starts(b, [0xFF, 0xFE, 0, 0]) || Starts(b, [0, 0, 0xFE, 0xFF])) return $"this file is saved as UTF-32; {SaveAsUtf8}";
        if (Starts(b, [0xFF, 0xFE]) || Starts(b, [0xFE, 0xFF])) return $"this file is saved as UTF-16; {SaveAsUtf8}";
        var nul = b.IndexOf((byte)0);
        if (nul >= 0)
        {
            // Every other byte zero: UTF-16 saved without its byte-order mark.
            var even = 0; var odd = 0;
            for (var i = 0; i < Math.Min(b.Length, 512); i++) if (b[i] == 0) { if (i % 2 == 0) even++; else odd++; }
            return Math.Max(even, odd) > Math.Min(b.Length, 512) / 4
                ? $"this file is saved as UTF-16; {SaveAsUtf8}"
                : $"this file holds NUL bytes (at byte {nul:N0}): it is binary data, not text";
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(b);
        }
        catch (DecoderFallbackException e)
        {
            var (line, column) = Position(Encoding.UTF8.GetString(b[..Math.Max(0, e.Index)]));
            var bad = e.Index >= 0 && e.Index < b.Length ? $" (byte 0x{b[e.Index]:X2})" : "";
            return $"this file is not valid UTF-8 at line {line}, column {column}{bad}, probably a legacy encoding such as Windows-1252; {SaveAsUtf8}";
        }
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r' or '\f'))
            {
                var (line, column) = Position(text[..i]);
                return $"this file holds the control character U+{(int)c:X4} at line {line}, column {column}; remove it";
            }
        }
        return null;
    }

    private static (int Line, int Column) Position(string before)
    {
        var line = 1 + before.Count(c => c == '\n');
        var column = before.Length - (before.LastIndexOf('\n') + 1) + 1;
        return (line, column);
    }

    private static bool IsUtf8(ReadOnlySpan<byte> b) => System.Text.Unicode.Utf8.IsValid(b[..Math.Min(b.Length, 4096)]) || b.Length > 4096;

    private static bool Starts(ReadOnlySpan<byte> b, ReadOnlySpan<byte> prefix) => b.StartsWith(prefix);
}
