using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;
using Tcma.Domain.Kits;

namespace Tcma.Rendering.Images;

/// <summary>
/// Checks a kit's pictures and fonts by their content, before anything is stored: the format's own structure walked
/// (chunks, segments, tables, checksums), the size a header claims held to the limits before a pixel is allocated,
/// metadata and colour profiles bounded, then a real decode by Skia (pictures) or a load by the font manager (fonts).
/// Each problem is one sentence saying what is wrong and what to do; no problem means the file is what its name says.
/// </summary>
public static class KitAssetChecks
{
    private const string Export = "export the picture again as a plain PNG or JPEG";

    /// <summary>The checked kind of a kit picture; its content type is the only one it is ever served with.</summary>
    public enum PictureFormat { Png, Jpeg, Webp, Gif }

    public static string ContentTypeOf(PictureFormat format) => format switch
    {
        PictureFormat.Png => "image/png",
        PictureFormat.Jpeg => "image/jpeg",
        PictureFormat.Webp => "image/webp",
        _ => "image/gif",
    };

    /// <summary>
    /// A picture a template draws (or the kit's thumbnail). <paramref name="pixelsLeft"/> is what the kit may still
    /// decode in all, so a kit of many large pictures cannot make one upload decode for minutes.
    /// </summary>
    public static (string? Problem, long Pixels) Picture(byte[] bytes, string path, RenderLimits limits, long pixelsLeft)
    {
        PictureFormat? format = KitFileContent.Describe(bytes) switch
        {
            "a PNG image" => PictureFormat.Png,
            "a JPEG image" => PictureFormat.Jpeg,
            "a WebP image" => PictureFormat.Webp,
            "a GIF image" => PictureFormat.Gif,
            _ => null,
        };
        if (format is null) return ($"this file is used as a picture but holds {KitFileContent.Describe(bytes)}; {Export}", 0);
        var expected = format switch { PictureFormat.Png => ".png", PictureFormat.Jpeg => ".jpg", PictureFormat.Webp => ".webp", _ => ".gif" };
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is not (".png" or ".jpg" or ".jpeg" or ".webp" or ".gif"))
            return ($"a picture's name ends in the extension of its format; this one holds a {format.Value.ToString().ToUpperInvariant()} image: rename it to end in {expected}", 0);
        if (extension != expected && !(extension == ".jpeg" && expected == ".jpg"))
            return ($"this file is named {extension} but holds a {format.Value.ToString().ToUpperInvariant()} image; rename it to end in {expected}", 0);
        if (bytes.Length > limits.MaxImageBytes) return ($"this picture is {bytes.Length:N0} bytes; the limit is {limits.MaxImageBytes:N0}", 0);

        var (width, height, problem) = format switch
        {
            PictureFormat.Png => Png(bytes, limits),
            PictureFormat.Jpeg => Jpeg(bytes, limits),
            PictureFormat.Webp => Webp(bytes, limits),
            _ => (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), (string?)null),
        };
        if (problem is not null) return (problem, 0);
        // The size a header claims is held to the limits before a single pixel is allocated: a tiny file can claim gigapixels.
        if (width <= 0 || height <= 0 || width > limits.MaxImageSide || height > limits.MaxImageSide || (long)width * height > limits.MaxImagePixels)
            return ($"this picture says it is {width:N0}x{height:N0} pixels; the limit is {limits.MaxImageSide:N0} on a side and {limits.MaxImagePixels:N0} pixels in all (a small file that claims a huge picture is a decompression bomb); {Export} at the size it is drawn", 0);
        var pixels = (long)width * height;
        if (pixels > pixelsLeft)
            return ($"the kit's pictures hold more than {(pixelsLeft + pixels) / 1_000_000:N0} megapixels in all with this one; scale them to the size templates draw them at", 0);

        // The codec owns the stream it is given.
        using var codec = SKCodec.Create(new SKMemoryStream(bytes), out var created);
        if (codec is null) return ($"this picture cannot be decoded ({created}): it is damaged; {Export}", 0);
        var decodedFormat = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Png => PictureFormat.Png, SKEncodedImageFormat.Jpeg => PictureFormat.Jpeg,
            SKEncodedImageFormat.Webp => PictureFormat.Webp, SKEncodedImageFormat.Gif => PictureFormat.Gif, _ => (PictureFormat?)null,
        };
        if (decodedFormat != format) return ($"this picture's header and its data disagree about its format; {Export}", 0);
        if (codec.Info.Width != width || codec.Info.Height != height)
            return ($"this picture's headers disagree about its size ({width}x{height} and {codec.Info.Width}x{codec.Info.Height}); {Export}", 0);
        if (codec.FrameCount > 1)
            return ($"this picture is animated ({codec.FrameCount} frames); a template draws one still picture: export the frame you want as PNG or JPEG", 0);
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            return (result == SKCodecResult.IncompleteInput
                ? $"this picture's data is cut short or damaged: part of it does not decode; {Export}"
                : $"this picture's data is damaged and does not decode ({result}); {Export}", pixels);
        return (null, pixels);
    }

    /// <summary>
    /// The size a PNG, JPEG, WebP or GIF says it is, from its header alone: cheap enough for every template load. The
    /// whole structure is walked once, at upload, by <see cref="Picture"/>.
    /// </summary>
    public static bool TryReadSize(byte[] bytes, out int width, out int height, out string? problem, RenderLimits? limits = null)
    {
        limits ??= RenderLimits.Default;
        (width, height, problem) = KitFileContent.Describe(bytes) switch
        {
            "a PNG image" or "a JPEG image" => Tcma.Domain.Rendering.ImageHeader.TryRead(bytes, out _, out var w, out var h, out var why) ? (w, h, null) : (0, 0, why),
            "a WebP image" => Webp(bytes, limits),
            "a GIF image" => (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(6)), BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8)), (string?)null),
            var other => (0, 0, $"is {other}, not a PNG, JPEG, WebP or GIF picture"),
        };
        return problem is null;
    }

    private static (int Width, int Height, string? Problem) Png(byte[] b, RenderLimits limits)
    {
        var s = b.AsSpan();
        if (s.Length < 33 || !s.Slice(12, 4).SequenceEqual("IHDR"u8) || BinaryPrimitives.ReadUInt32BigEndian(s[8..]) != 13)
            return (0, 0, $"this PNG is damaged: it does not start with its header (IHDR); {Export}");
        var width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(s[16..]), int.MaxValue);
        var height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(s[20..]), int.MaxValue);
        long metadata = 0;
        var pos = 8;
        var sawData = false;
        while (true)
        {
            if (pos + 12 > s.Length) return (0, 0, $"this PNG is cut short (it has no end chunk); {Export}");
            var length = BinaryPrimitives.ReadUInt32BigEndian(s[pos..]);
            if (length > s.Length - pos - 12) return (0, 0, $"this PNG is cut short or damaged: a chunk runs past the end of the file; {Export}");
            var type = Encoding.ASCII.GetString(s.Slice(pos + 4, 4));
            var chunk = s.Slice(pos + 8, (int)length);
            if (System.IO.Hashing.Crc32.HashToUInt32(s.Slice(pos + 4, 4 + (int)length)) != BinaryPrimitives.ReadUInt32BigEndian(s[(pos + 8 + (int)length)..]))
                return (0, 0, $"this PNG is damaged: its '{type}' chunk fails its checksum; {Export}");
            pos += 12 + (int)length;
            switch (type)
            {
                case "IDAT": sawData = true; break;
                case "acTL": return (0, 0, "this PNG is animated (APNG); a template draws one still picture: export the frame you want as PNG or JPEG");
                case "iCCP":
                    var nameEnd = chunk.IndexOf((byte)0);
                    if (nameEnd < 0 || nameEnd + 2 > chunk.Length) return (0, 0, $"this PNG's colour profile (iCCP) is damaged; {Export}");
                    var (profile, bomb) = Inflate(chunk[(nameEnd + 2)..], limits.MaxImageMetadataBytes);
                    if (profile is null)
                        return (0, 0, bomb
                            ? $"this PNG's colour profile (ICC) unpacks to more than {limits.MaxImageMetadataBytes / 1024:N0} KiB, which only a crafted file does; export it with an sRGB profile or none"
                            : $"this PNG's colour profile (iCCP) is damaged; {Export}");
                    if (IccProblem(profile) is { } icc) return (0, 0, icc);
                    metadata += profile.Length;
                    break;
                case "zTXt" or "iTXt":
                    var keywordEnd = chunk.IndexOf((byte)0);
                    var compressed = type == "zTXt" ? keywordEnd >= 0 : keywordEnd >= 0 && keywordEnd + 1 < chunk.Length && chunk[keywordEnd + 1] == 1;
                    if (!compressed) { metadata += length; break; }
                    var start = type == "zTXt" ? keywordEnd + 2 : AfterNulls(chunk, keywordEnd + 3, 2);
                    var (text, tooBig) = start < 0 || start > chunk.Length ? (null, false) : Inflate(chunk[start..], limits.MaxImageMetadataBytes);
                    if (text is null)
                        return (0, 0, tooBig
                            ? $"this PNG's compressed text unpacks to more than {limits.MaxImageMetadataBytes / 1024:N0} KiB, which only a crafted file does; {Export} without metadata"
                            : $"this PNG's compressed text ({type}) is damaged; {Export}");
                    metadata += text.Length;
                    break;
                case "tEXt" or "eXIf": metadata += length; break;
                case "IEND":
                    if (!sawData) return (0, 0, $"this PNG holds no picture data; {Export}");
                    if (pos != s.Length && s[pos..].IndexOfAnyExcept((byte)0) >= 0)
                        return (0, 0, $"this PNG has {s.Length - pos:N0} bytes after the end of the picture (a file hidden inside it, or a damaged file); {Export}");
                    return metadata > limits.MaxImageMetadataBytes
                        ? (0, 0, $"this PNG carries {metadata / 1024:N0} KiB of metadata (text, EXIF, colour profile); the limit is {limits.MaxImageMetadataBytes / 1024:N0} KiB: {Export} without metadata")
                        : (width, height, null);
            }
            if (metadata > limits.MaxImageMetadataBytes)
                return (0, 0, $"this PNG carries more than {limits.MaxImageMetadataBytes / 1024:N0} KiB of metadata (text, EXIF, colour profile); {Export} without metadata");
        }
    }

    private static int AfterNulls(ReadOnlySpan<byte> s, int from, int count)
    {
        var at = from;
        for (var i = 0; i < count; i++)
        {
            if (at > s.Length) return -1;
            var next = s[at..].IndexOf((byte)0);
            if (next < 0) return -1;
            at += next + 1;
        }
        return at;
    }

    private static (int Width, int Height, string? Problem) Jpeg(byte[] b, RenderLimits limits)
    {
        var s = b.AsSpan();
        int width = 0, height = 0, exif = 0;
        long metadata = 0;
        var icc = new SortedDictionary<int, byte[]>();
        var pos = 2;
        while (true)
        {
            if (pos + 2 > s.Length) return (0, 0, $"this JPEG is cut short (it has no end-of-image marker); {Export}");
            if (s[pos] != 0xFF) return (0, 0, $"this JPEG is damaged: bytes where a marker should be; {Export}");
            var marker = s[pos + 1];
            if (marker == 0xFF) { pos++; continue; }
            if (marker == 0xD9)
            {
                pos += 2;
                if (pos != s.Length && s[pos..].IndexOfAnyExcept((byte)0) >= 0)
                    return (0, 0, $"this JPEG has {s.Length - pos:N0} bytes after the end of the picture (a second picture, a motion photo's video, or a hidden file); {Export}");
                break;
            }
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) { pos += 2; continue; }
            if (pos + 4 > s.Length) return (0, 0, $"this JPEG is cut short; {Export}");
            var length = BinaryPrimitives.ReadUInt16BigEndian(s[(pos + 2)..]);
            if (length < 2 || pos + 2 + length > s.Length) return (0, 0, $"this JPEG is cut short or damaged: a segment runs past the end of the file; {Export}");
            var segment = s.Slice(pos + 4, length - 2);
            if (marker is >= 0xE0 and <= 0xEF or 0xFE)
            {
                metadata += length;
                if (marker == 0xE1 && segment.StartsWith("Exif\0\0"u8)) exif++;
                if (marker == 0xE2 && segment.StartsWith("ICC_PROFILE\0"u8) && segment.Length >= 14)
                    icc[segment[12]] = segment[14..].ToArray();
                if (metadata > limits.MaxImageMetadataBytes)
                    return (0, 0, $"this JPEG carries more than {limits.MaxImageMetadataBytes / 1024:N0} KiB of metadata (EXIF, XMP, colour profile, comments); {Export} without metadata (\"Save for web\")");
            }
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
            {
                if (segment.Length < 5) return (0, 0, $"this JPEG's frame header is damaged; {Export}");
                height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
            }
            pos += 2 + length;
            if (marker == 0xDA)
            {
                // Entropy-coded data: FF is followed by 00 (a stuffed byte) or a restart marker; anything else is the next marker.
                while (pos + 1 < s.Length && !(s[pos] == 0xFF && s[pos + 1] is not (0x00 or 0xFF) and not (>= 0xD0 and <= 0xD7)))
                    pos++;
                if (pos + 1 >= s.Length) return (0, 0, $"this JPEG is cut short (it has no end-of-image marker); {Export}");
            }
        }
        if (width == 0 || height == 0) return (0, 0, $"this JPEG has no frame header, so no size; {Export}");
        if (exif > 1) return (0, 0, $"this JPEG carries {exif} EXIF blocks where a JPEG has at most one; {Export} without metadata");
        if (icc.Count > 0)
        {
            var profile = icc.Values.SelectMany(chunk => chunk).ToArray();
            if (IccProblem(profile) is { } problem) return (0, 0, problem);
        }
        return (width, height, null);
    }

    private static (int Width, int Height, string? Problem) Webp(byte[] b, RenderLimits limits)
    {
        var s = b.AsSpan();
        var riff = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
        if (riff + 8L != s.Length) return (0, 0, $"this WebP's size field says {riff + 8L:N0} bytes but the file has {s.Length:N0} (cut short, or data appended); {Export}");
        int width = 0, height = 0;
        long metadata = 0;
        for (var pos = 12; pos < s.Length;)
        {
            if (pos + 8 > s.Length) return (0, 0, $"this WebP is cut short; {Export}");
            var type = Encoding.ASCII.GetString(s.Slice(pos, 4));
            var size = BinaryPrimitives.ReadUInt32LittleEndian(s[(pos + 4)..]);
            if (size > s.Length - pos - 8) return (0, 0, $"this WebP is damaged: its '{type.Trim()}' chunk runs past the end of the file; {Export}");
            var chunk = s.Slice(pos + 8, (int)size);
            pos += 8 + (int)size + (int)(size & 1);
            switch (type)
            {
                case "VP8X" when chunk.Length >= 10:
                    if ((chunk[0] & 0x02) != 0) return (0, 0, "this WebP is animated; a template draws one still picture: export the frame you want as PNG or JPEG");
                    (width, height) = (1 + (chunk[4] | chunk[5] << 8 | chunk[6] << 16), 1 + (chunk[7] | chunk[8] << 8 | chunk[9] << 16));
                    break;
                case "ANIM" or "ANMF": return (0, 0, "this WebP is animated; a template draws one still picture: export the frame you want as PNG or JPEG");
                case "ICCP":
                    if (IccProblem(chunk) is { } icc) return (0, 0, icc);
                    metadata += size;
                    break;
                case "EXIF" or "XMP ": metadata += size; break;
                case "VP8 " when chunk.Length >= 10 && width == 0:
                    (width, height) = (BinaryPrimitives.ReadUInt16LittleEndian(chunk[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(chunk[8..]) & 0x3FFF);
                    break;
                case "VP8L" when chunk.Length >= 5 && width == 0:
                    (width, height) = (1 + (chunk[1] | (chunk[2] & 0x3F) << 8), 1 + (chunk[2] >> 6 | chunk[3] << 2 | (chunk[4] & 0x0F) << 10));
                    break;
            }
            if (metadata > limits.MaxImageMetadataBytes)
                return (0, 0, $"this WebP carries more than {limits.MaxImageMetadataBytes / 1024:N0} KiB of metadata (EXIF, XMP, colour profile); {Export} without metadata");
        }
        return width == 0 ? (0, 0, $"this WebP holds no picture data; {Export}") : (width, height, null);
    }

    /// <summary>An ICC colour profile whose own header and tag table are consistent; colour engines trust both.</summary>
    private static string? IccProblem(ReadOnlySpan<byte> icc)
    {
        const string Fix = "export the picture with a standard sRGB profile, or none";
        if (icc.Length < 132 || !icc.Slice(36, 4).SequenceEqual("acsp"u8)) return $"this picture's colour profile (ICC) is not a valid profile; {Fix}";
        var declared = BinaryPrimitives.ReadUInt32BigEndian(icc);
        if (declared != icc.Length) return $"this picture's colour profile (ICC) says it is {declared:N0} bytes but holds {icc.Length:N0}; {Fix}";
        var tags = BinaryPrimitives.ReadUInt32BigEndian(icc[128..]);
        if (tags > 256 || 132 + 12L * tags > icc.Length) return $"this picture's colour profile (ICC) has a damaged tag table ({tags:N0} tags); {Fix}";
        for (var i = 0; i < tags; i++)
        {
            var offset = BinaryPrimitives.ReadUInt32BigEndian(icc[(132 + 12 * i + 4)..]);
            var size = BinaryPrimitives.ReadUInt32BigEndian(icc[(132 + 12 * i + 8)..]);
            if ((long)offset + size > icc.Length) return $"this picture's colour profile (ICC) has a tag that points outside the profile; {Fix}";
        }
        return null;
    }

    /// <summary>zlib data unpacked to at most <paramref name="max"/> bytes; null when damaged, or (null, true) when larger.</summary>
    private static (byte[]? Bytes, bool TooLarge) Inflate(ReadOnlySpan<byte> zlib, int max)
    {
        try
        {
            using var source = new ZLibStream(new MemoryStream(zlib.ToArray()), CompressionMode.Decompress);
            using var target = new MemoryStream();
            var buffer = new byte[16384];
            int read;
            while ((read = source.Read(buffer)) > 0)
            {
                if (target.Length + read > max) return (null, true);
                target.Write(buffer, 0, read);
            }
            return (target.ToArray(), false);
        }
        catch (InvalidDataException)
        {
            return (null, false);
        }
    }

    /// <summary>A font a template writes with: one TrueType or OpenType face whose tables and character map are sound, loaded by the font manager.</summary>
    public static string? Font(byte[] bytes, string path)
    {
        const string Original = "add the font's original .ttf or .otf file";
        var s = bytes.AsSpan();
        var what = KitFileContent.Describe(s);
        if (what == "a font collection (.ttc)")
        {
            var faces = s.Length >= 12 ? BinaryPrimitives.ReadUInt32BigEndian(s[8..]) : 0;
            return $"this file is a font collection (.ttc) holding {faces:N0} fonts; a template names one font per file: extract the one you use as a .ttf or .otf file";
        }
        if (what == "a WOFF web font") return $"this file is a WOFF web font, made for browsers; {Original}";
        if (what is not ("a TrueType font" or "an OpenType font")) return $"this file is used as a font but holds {what}; {Original}";
        if (Path.GetExtension(path).ToLowerInvariant() is not (".ttf" or ".otf"))
            return "a font's name ends in .ttf or .otf; rename this file";

        int tableCount = s.Length >= 12 ? BinaryPrimitives.ReadUInt16BigEndian(s[4..]) : 0;
        if (tableCount is 0 or > 100 || 12 + 16 * tableCount > s.Length) return $"this font's table directory is damaged; {Original}";
        var tables = new Dictionary<string, (int Offset, int Length)>(StringComparer.Ordinal);
        for (var i = 0; i < tableCount; i++)
        {
            var record = s.Slice(12 + 16 * i, 16);
            var tag = Encoding.ASCII.GetString(record[..4]);
            var offset = BinaryPrimitives.ReadUInt32BigEndian(record[8..]);
            var length = BinaryPrimitives.ReadUInt32BigEndian(record[12..]);
            if ((long)offset + length > s.Length) return $"this font's '{tag.Trim()}' table runs past the end of the file: the font is damaged or cut short; {Original}";
            tables[tag] = ((int)offset, (int)length);
        }
        foreach (var required in new[] { "cmap", "head", "hhea", "hmtx", "maxp" })
            if (!tables.ContainsKey(required)) return $"this font lacks its '{required}' table, which every font has: it is damaged; {Original}";
        if (!(tables.ContainsKey("glyf") && tables.ContainsKey("loca")) && !tables.ContainsKey("CFF ") && !tables.ContainsKey("CFF2"))
            return $"this font holds no glyph outlines (no 'glyf' or 'CFF' table); {Original}";
        var head = tables["head"];
        if (head.Length < 54 || BinaryPrimitives.ReadUInt32BigEndian(s[(head.Offset + 12)..]) != 0x5F0F3CF5)
            return $"this font's 'head' table is damaged; {Original}";
        var (cmapOffset, cmapLength) = tables["cmap"];
        if (CmapProblem(s.Slice(cmapOffset, cmapLength)) is { } cmap) return $"this font's character map (cmap) {cmap}; {Original}";

        using var data = SKData.CreateCopy(bytes);
        // The same load the renderer does: from the kit's bytes, never a system font.
        using var typeface = SKTypeface.FromData(data);
        if (typeface is null) return $"the font manager cannot read this font; {Original}";
        using var font = new SKFont(typeface);
        if (!"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".Any(c => font.GetGlyph(c) != 0))
            return $"this font's character map (cmap) maps no letter or digit to a glyph: it is broken; {Original}";
        return null;
    }

    /// <summary>Null when the cmap has a readable Unicode subtable and every subtable stays inside the table; else what is wrong.</summary>
    private static string? CmapProblem(ReadOnlySpan<byte> cmap)
    {
        if (cmap.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(cmap) != 0) return "is damaged (unknown version)";
        int count = BinaryPrimitives.ReadUInt16BigEndian(cmap[2..]);
        if (count == 0 || 4 + 8 * count > cmap.Length) return "is damaged (its list of subtables is cut short)";
        var unicode = false;
        for (var i = 0; i < count; i++)
        {
            var record = cmap.Slice(4 + 8 * i, 8);
            int platform = BinaryPrimitives.ReadUInt16BigEndian(record), encoding = BinaryPrimitives.ReadUInt16BigEndian(record[2..]);
            var offset = BinaryPrimitives.ReadUInt32BigEndian(record[4..]);
            if (offset + 4L > cmap.Length) return "is damaged (a subtable points outside it)";
            var sub = cmap[(int)offset..];
            int format = BinaryPrimitives.ReadUInt16BigEndian(sub);
            long length = format is 8 or 10 or 12 or 13 ? (sub.Length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(sub[4..]) : -1)
                : format == 14 ? (sub.Length >= 6 ? BinaryPrimitives.ReadUInt32BigEndian(sub[2..]) : -1)
                : BinaryPrimitives.ReadUInt16BigEndian(sub[2..]);
            if (format is not (0 or 2 or 4 or 6 or 8 or 10 or 12 or 13 or 14)) return $"is damaged (unknown subtable format {format})";
            if (length < 4 || length > sub.Length) return $"is damaged (a format {format} subtable runs past its end)";
            var table = sub[..(int)length];
            var isUnicode = platform == 0 || platform == 3 && encoding is 1 or 10;
            if (format == 4)
            {
                int segX2 = table.Length >= 8 ? BinaryPrimitives.ReadUInt16BigEndian(table[6..]) : 0;
                if (segX2 == 0 || segX2 % 2 != 0 || 16 + 4L * segX2 > table.Length) return "is damaged (a format 4 subtable's segments do not fit it)";
                if (BinaryPrimitives.ReadUInt16BigEndian(table[(14 + segX2 - 2)..]) != 0xFFFF) return "is damaged (a format 4 subtable does not end with its 0xFFFF segment)";
                for (var seg = 0; seg < segX2 / 2; seg++)
                    if (BinaryPrimitives.ReadUInt16BigEndian(table[(16 + segX2 + 2 * seg)..]) > BinaryPrimitives.ReadUInt16BigEndian(table[(14 + 2 * seg)..]))
                        return "is damaged (a format 4 segment starts after it ends)";
                unicode |= isUnicode;
            }
            else if (format == 12)
            {
                var groups = table.Length >= 16 ? BinaryPrimitives.ReadUInt32BigEndian(table[12..]) : 0;
                if (16 + 12L * groups > table.Length) return "is damaged (a format 12 subtable's groups do not fit it)";
                for (var g = 0; g < groups; g++)
                    if (BinaryPrimitives.ReadUInt32BigEndian(table[(16 + 12 * g)..]) > BinaryPrimitives.ReadUInt32BigEndian(table[(20 + 12 * g)..]))
                        return "is damaged (a format 12 group starts after it ends)";
                unicode |= isUnicode;
            }
            else if (format is 0 or 6 or 10 or 13) unicode |= isUnicode;
        }
        return unicode ? null : "has no Unicode subtable, so no text can be written with it";
    }
}
