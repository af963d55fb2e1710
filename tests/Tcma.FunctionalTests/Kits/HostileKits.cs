using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using SkiaSharp;

namespace Tcma.FunctionalTests.Kits;

/// <summary>
/// Generators of hostile kit uploads: zips written record by record (so records can lie), pictures and fonts built or
/// taken apart byte by byte. Nothing depends on the sample kit's exact bytes: fonts are found by their table
/// directory, pictures are drawn here.
/// </summary>
public static class HostileKits
{
    /// <summary>One entry of a zip written by hand, with every record it has open to a lie.</summary>
    public sealed record RawEntry(string Name, byte[] Data)
    {
        public bool Deflate { get; init; } = true;
        public bool Descriptor { get; init; }
        public bool Zip64 { get; init; }
        public bool Encrypted { get; init; }
        public uint ExternalAttributes { get; init; } = 0x81A4u << 16;
        /// <summary>Changes the stored (compressed) bytes after the CRC was computed: damage in transit.</summary>
        public Func<byte[], byte[]>? Damage { get; init; }
        public long? DescriptorSaysUncompressed { get; init; }
        public long? LocalSaysUncompressed { get; init; }
    }

    public static IEnumerable<RawEntry> Entries(IReadOnlyDictionary<string, byte[]> files, Func<RawEntry, RawEntry>? change = null) =>
        files.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => change?.Invoke(new RawEntry(f.Key, f.Value)) ?? new RawEntry(f.Key, f.Value));

    /// <summary>A zip as the spec lays it out: local header, data, optional descriptor per entry; directory; zip64 records when asked; end record.</summary>
    public static byte[] RawZip(IEnumerable<RawEntry> entries, int junkBefore = 0, long? declaredEntries = null, Func<IReadOnlyList<(RawEntry Entry, long Offset)>, IEnumerable<(RawEntry Entry, long Offset)>>? directory = null)
    {
        using var zip = new MemoryStream();
        var w = new BinaryWriter(zip);
        w.Write(new byte[junkBefore]);
        var written = new List<(RawEntry Entry, long Offset)>();
        var facts = new Dictionary<RawEntry, (uint Crc, byte[] Stored)>(ReferenceEqualityComparer.Instance);
        foreach (var e in entries)
        {
            var stored = e.Deflate ? DeflateRaw(e.Data) : e.Data;
            var crc = Crc32.HashToUInt32(e.Data);
            if (e.Damage is not null) stored = e.Damage(stored);
            facts[e] = (crc, stored);
            var offset = zip.Position;
            written.Add((e, offset));
            w.Write(0x04034b50u);
            w.Write((ushort)(e.Zip64 ? 45 : 20));
            w.Write(Flags(e));
            w.Write((ushort)(e.Deflate ? 8 : 0));
            w.Write(0u); // time, date
            var name = Encoding.UTF8.GetBytes(e.Name);
            if (e.Descriptor) { w.Write(0u); w.Write(0u); w.Write((uint)(e.LocalSaysUncompressed ?? 0)); }
            else if (e.Zip64) { w.Write(crc); w.Write(uint.MaxValue); w.Write(uint.MaxValue); }
            else { w.Write(crc); w.Write((uint)stored.Length); w.Write((uint)(e.LocalSaysUncompressed ?? e.Data.Length)); }
            w.Write((ushort)name.Length);
            w.Write((ushort)(e.Zip64 && !e.Descriptor ? 20 : 0));
            w.Write(name);
            if (e.Zip64 && !e.Descriptor) { w.Write((ushort)1); w.Write((ushort)16); w.Write(e.LocalSaysUncompressed ?? e.Data.LongLength); w.Write((long)stored.Length); }
            w.Write(stored);
            if (e.Descriptor)
            {
                w.Write(0x08074b50u);
                w.Write(crc);
                w.Write((uint)stored.Length);
                w.Write((uint)(e.DescriptorSaysUncompressed ?? e.Data.Length));
            }
        }
        var listed = (directory?.Invoke(written) ?? written).ToList();
        var directoryStart = zip.Position;
        foreach (var (e, offset) in listed)
        {
            var (crc, stored) = facts[e];
            var name = Encoding.UTF8.GetBytes(e.Name);
            w.Write(0x02014b50u);
            w.Write((ushort)(0x0300 | 45));
            w.Write((ushort)(e.Zip64 ? 45 : 20));
            w.Write(Flags(e));
            w.Write((ushort)(e.Deflate ? 8 : 0));
            w.Write(0u);
            w.Write(crc);
            w.Write(e.Zip64 ? uint.MaxValue : (uint)stored.Length);
            w.Write(e.Zip64 ? uint.MaxValue : (uint)e.Data.Length);
            w.Write((ushort)name.Length);
            w.Write((ushort)(e.Zip64 ? 28 : 0));
            w.Write((ushort)0); // comment
            w.Write((ushort)0); // disk
            w.Write((ushort)0); // internal attributes
            w.Write(e.ExternalAttributes);
            w.Write(e.Zip64 ? uint.MaxValue : (uint)offset);
            w.Write(name);
            if (e.Zip64) { w.Write((ushort)1); w.Write((ushort)24); w.Write(e.Data.LongLength); w.Write((long)stored.Length); w.Write(offset); }
        }
        var directorySize = zip.Position - directoryStart;
        var count = declaredEntries ?? listed.Count;
        if (listed.Any(l => l.Entry.Zip64))
        {
            var record = zip.Position;
            w.Write(0x06064b50u); w.Write(44L); w.Write((ushort)45); w.Write((ushort)45); w.Write(0u); w.Write(0u);
            w.Write(count); w.Write(count); w.Write(directorySize); w.Write(directoryStart);
            w.Write(0x07064b50u); w.Write(0u); w.Write(record); w.Write(1u);
            w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0); w.Write(ushort.MaxValue); w.Write(ushort.MaxValue);
            w.Write(uint.MaxValue); w.Write(uint.MaxValue); w.Write((ushort)0);
        }
        else
        {
            w.Write(0x06054b50u); w.Write((ushort)0); w.Write((ushort)0);
            w.Write((ushort)Math.Min(count, ushort.MaxValue)); w.Write((ushort)Math.Min(count, ushort.MaxValue));
            w.Write((uint)directorySize); w.Write((uint)directoryStart); w.Write((ushort)0);
        }
        w.Flush();
        return zip.ToArray();
    }

    private static ushort Flags(RawEntry e) => (ushort)(0x800 | (e.Descriptor ? 0x08 : 0) | (e.Encrypted ? 0x01 : 0));

    public static byte[] DeflateRaw(byte[] data)
    {
        using var output = new MemoryStream();
        using (var deflate = new DeflateStream(output, CompressionLevel.Optimal, leaveOpen: true)) deflate.Write(data);
        return output.ToArray();
    }

    /// <summary>The sample kit's files with a picture added and drawn by a new image layer of its banner template.</summary>
    public static Dictionary<string, byte[]> WithPicture(string path, byte[] picture)
    {
        var files = KitZips.Files(KitZips.CloudBackup);
        files[path] = picture;
        files["images/social-banner.json"] = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(files["images/social-banner.json"]).Replace("\"layers\": [",
            $"\"layers\": [ {{ \"type\": \"image\", \"name\": \"photo\", \"file\": \"{path}\", \"box\": {{ \"x\": 0, \"y\": 0, \"w\": 0.5, \"h\": 0.5 }} }},"));
        return files;
    }

    public static byte[] Zip(Action<Dictionary<string, byte[]>> change)
    {
        var files = KitZips.Files(KitZips.CloudBackup);
        change(files);
        return KitZips.Zip(files);
    }

    // Pictures ------------------------------------------------------------------------------------------------------

    public static byte[] Encode(int width, int height, SKEncodedImageFormat format, int quality = 90)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0x12, 0x4E, 0x78));
            using var paint = new SKPaint { Color = new SKColor(0xF4, 0xA2, 0x61) };
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 3f, paint);
        }
        using var data = bitmap.Encode(format, quality);
        return data.ToArray();
    }

    public static byte[] PngChunk(string type, byte[] data)
    {
        var chunk = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(chunk, (uint)data.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk, 8);
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, 4 + data.Length)));
        return chunk;
    }

    /// <summary>A PNG with chunks inserted right after its header (IHDR ends at byte 33).</summary>
    public static byte[] PngWith(byte[] png, params byte[][] chunks) => [.. png[..33], .. chunks.SelectMany(c => c), .. png[33..]];

    /// <summary>A well-formed PNG of a few hundred bytes whose header claims the size given: a decompression bomb.</summary>
    public static byte[] PngClaiming(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; header[9] = 2;
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(new byte[4096]);
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. PngChunk("IHDR", header), .. PngChunk("IDAT", idat.ToArray()), .. PngChunk("IEND", [])];
    }

    /// <summary>A PNG whose every chunk is well formed (checksums right) but whose picture data is random bytes, not zlib.</summary>
    public static byte[] NoisyPng(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; header[9] = 2;
        var noise = new byte[2048];
        new Random(7).NextBytes(noise);
        noise[0] = 0x78; noise[1] = 0x9C;
        return [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, .. PngChunk("IHDR", header), .. PngChunk("IDAT", noise), .. PngChunk("IEND", [])];
    }

    /// <summary>A colour-profile chunk whose zlib data unpacks to <paramref name="unpacked"/> bytes of zeros.</summary>
    public static byte[] IccBombChunk(int unpacked)
    {
        using var profile = new MemoryStream();
        using (var z = new ZLibStream(profile, CompressionLevel.SmallestSize, leaveOpen: true)) z.Write(new byte[unpacked]);
        return PngChunk("iCCP", [.. "bomb"u8, 0, 0, .. profile.ToArray()]);
    }

    /// <summary>A JPEG with APPn segments inserted after its start marker.</summary>
    public static byte[] JpegWith(byte[] jpeg, int marker, byte[] segment, int times)
    {
        var inserted = new List<byte>();
        for (var i = 0; i < times; i++)
        {
            inserted.AddRange([0xFF, (byte)marker, (byte)((segment.Length + 2) >> 8), (byte)(segment.Length + 2)]);
            inserted.AddRange(segment);
        }
        return [.. jpeg[..2], .. inserted, .. jpeg[2..]];
    }

    /// <summary>An EXIF segment's body as large as one segment holds (64 KiB).</summary>
    public static byte[] ExifSegment()
    {
        // Maker-note noise: incompressible, so the zip's ratio check does not stop it first.
        var noise = new byte[65533 - 2 - 14];
        new Random(15).NextBytes(noise);
        return [.. "Exif\0\0"u8, .. "MM\0*\0\0\0\u0008"u8, .. noise];
    }

    /// <summary>An animated WebP: the extended header's animation flag, ANIM, and two frames of a still lossless picture.</summary>
    public static byte[] AnimatedWebp()
    {
        var still = Encode(16, 16, SKEncodedImageFormat.Webp, 100);
        // The still's image chunk (VP8L or VP8), whichever the encoder wrote after "RIFF....WEBP".
        var imageChunk = still[12..];
        byte[] Chunk(string type, byte[] data) =>
            [.. Encoding.ASCII.GetBytes(type), .. BitConverter.GetBytes((uint)data.Length), .. data, .. (data.Length % 2 == 1 ? new byte[1] : [])];
        byte[] vp8x = [0x02, 0, 0, 0, 15, 0, 0, 15, 0, 0];
        byte[] anim = [0, 0, 0, 0, 0, 0];
        byte[] frame = [0, 0, 0, 0, 0, 0, 15, 0, 0, 15, 0, 0, 100, 0, 0, 0, .. imageChunk];
        byte[] body = [.. "WEBP"u8, .. Chunk("VP8X", vp8x), .. Chunk("ANIM", anim), .. Chunk("ANMF", frame), .. Chunk("ANMF", frame)];
        return [.. "RIFF"u8, .. BitConverter.GetBytes((uint)body.Length), .. body];
    }

    /// <summary>A two-frame 1x1 GIF.</summary>
    public static byte[] AnimatedGif()
    {
        byte[] frame = [0x21, 0xF9, 0x04, 0x00, 0x0A, 0x00, 0x00, 0x00, 0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0x02, 0x02, 0x44, 0x01, 0x00];
        return [.. "GIF89a"u8, 1, 0, 1, 0, 0x80, 0, 0, 0xFF, 0, 0, 0, 0, 0xFF, .. frame, .. frame, 0x3B];
    }

    // Fonts ---------------------------------------------------------------------------------------------------------

    /// <summary>Where a table of an sfnt font lies, from its table directory.</summary>
    public static (int Offset, int Length) Table(byte[] font, string tag)
    {
        int count = BinaryPrimitives.ReadUInt16BigEndian(font.AsSpan(4));
        for (var i = 0; i < count; i++)
        {
            var record = font.AsSpan(12 + 16 * i, 16);
            if (Encoding.ASCII.GetString(record[..4]) == tag)
                return ((int)BinaryPrimitives.ReadUInt32BigEndian(record[8..]), (int)BinaryPrimitives.ReadUInt32BigEndian(record[12..]));
        }
        throw new InvalidOperationException($"no {tag} table");
    }

    /// <summary>The font with every cmap subtable pointing past the end of the cmap table.</summary>
    public static byte[] WithBrokenCmap(byte[] font)
    {
        var broken = font.ToArray();
        var (offset, length) = Table(broken, "cmap");
        int subtables = BinaryPrimitives.ReadUInt16BigEndian(broken.AsSpan(offset + 2));
        for (var i = 0; i < subtables; i++)
            BinaryPrimitives.WriteUInt32BigEndian(broken.AsSpan(offset + 4 + 8 * i + 4), (uint)length + 64);
        return broken;
    }

    /// <summary>A TrueType collection of two copies of the font.</summary>
    public static byte[] Collection(byte[] font)
    {
        byte[] header = [.. "ttcf"u8, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), (uint)header.Length);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), (uint)header.Length);
        return [.. header, .. font];
    }

    /// <summary>An inner zip of one file of zeros: a few KiB that unpack to <paramref name="bytes"/>.</summary>
    public static byte[] InnerZipOfZeros(int bytes) => RawZip([new RawEntry("zeros.bin", new byte[bytes])]);
}
