using System.Buffers.Binary;
using System.Text;

namespace Tcma.Domain.Kits;

/// <summary>
/// Walks a zip's own records (end of central directory, zip64 records, central directory, every local header and
/// data descriptor) before any entry is unpacked. Unzippers disagree about a zip whose records disagree with one
/// another, and what one reads is not what another stores: a local header that names another file, a data
/// descriptor that lies about sizes, entries that overlap (one compressed block unpacked many times), encrypted or
/// exotic compression, multi-disk zips, bytes hidden before the first file. Such a zip is refused as a whole.
/// Zip64 records are read and held to the same rules: some zippers (Info-ZIP writing to a pipe, streaming
/// writers) emit them for small files, and our limits count what is unpacked, not what a header claims.
/// </summary>
public static class KitZipLayout
{
    private const uint LocalSignature = 0x04034b50, CentralSignature = 0x02014b50, EndSignature = 0x06054b50;
    private const uint Zip64EndSignature = 0x06064b50, Zip64LocatorSignature = 0x07064b50, DescriptorSignature = 0x08074b50;
    private const string Rezip = "zip the kit's folder again with a standard zip tool and upload that";

    /// <summary>What the central directory says of one entry, checked against its local header.</summary>
    public sealed record Entry(string Name, uint Crc32, long CompressedSize, long UncompressedSize, ushort Method);

    public static (IReadOnlyList<Entry>? Entries, IReadOnlyList<KitProblem> Problems) Check(ReadOnlySpan<byte> zip, KitArchiveLimits limits, string uploadName)
    {
        KitProblem Whole(string message) => new(uploadName, "", message);
        var end = FindEnd(zip);
        if (end < 0) return (null, [Whole("this is not a zip file, or the zip is corrupted (no end-of-zip record)")]);

        long entryCount = U16(zip, end + 10), directorySize = U32(zip, end + 12), directoryOffset = U32(zip, end + 16);
        if (U16(zip, end + 4) != 0 || U16(zip, end + 6) != 0 || U16(zip, end + 8) != U16(zip, end + 10))
            return (null, [Whole("this is a split (multi-part) zip; make one zip file of the kit")]);
        var directoryEnd = (long)end;
        if (entryCount == 0xFFFF || directorySize == 0xFFFFFFFF || directoryOffset == 0xFFFFFFFF || (end >= 20 && U32(zip, end - 20) == Zip64LocatorSignature))
        {
            if (end < 20 || U32(zip, end - 20) != Zip64LocatorSignature)
                return (null, [Whole("the zip's end record points to zip64 records that are not there: the zip is corrupted")]);
            var record = (long)U64(zip, end - 20 + 8);
            if (U32(zip, end - 20 + 4) != 0 || U32(zip, end - 20 + 16) > 1)
                return (null, [Whole("this is a split (multi-part) zip; make one zip file of the kit")]);
            if (record < 0 || record + 56 > end - 20 || U32(zip, (int)record) != Zip64EndSignature)
                return (null, [Whole("the zip's zip64 end record is missing or damaged: the zip is corrupted")]);
            var r = (int)record;
            if (U32(zip, r + 16) != 0 || U32(zip, r + 20) != 0 || U64(zip, r + 24) != U64(zip, r + 32))
                return (null, [Whole("this is a split (multi-part) zip; make one zip file of the kit")]);
            entryCount = (long)Math.Min(U64(zip, r + 32), long.MaxValue);
            directorySize = (long)Math.Min(U64(zip, r + 40), long.MaxValue);
            directoryOffset = (long)Math.Min(U64(zip, r + 48), long.MaxValue);
            directoryEnd = record;
        }
        // Before anything is allocated per entry: a small zip can declare millions of them.
        if (entryCount > limits.MaxEntries)
            return (null, [Whole($"the zip has {entryCount} entries; a kit may have at most {limits.MaxEntries}")]);
        if (directoryOffset + directorySize != directoryEnd)
            return (null, [Whole($"the zip's directory is not where its end record says: the zip is corrupted, or has data appended; {Rezip}")]);

        var entries = new List<Entry>();
        var spans = new List<(long Start, long End, string Name)>();
        var problems = new List<KitProblem>();
        var at = directoryOffset;
        for (var i = 0; i < entryCount; i++)
        {
            if (at + 46 > directoryEnd || U32(zip, (int)at) != CentralSignature)
                return (null, [Whole($"the zip's directory lists {entryCount} entries but holds {i}: the zip is corrupted")]);
            var c = (int)at;
            var flags = U16(zip, c + 8);
            var method = U16(zip, c + 10);
            var crc = U32(zip, c + 16);
            long compressed = U32(zip, c + 20), uncompressed = U32(zip, c + 24);
            int nameLength = U16(zip, c + 28), extraLength = U16(zip, c + 30), commentLength = U16(zip, c + 32);
            var disk = (long)U16(zip, c + 34);
            long local = U32(zip, c + 42);
            if (at + 46 + nameLength + extraLength + commentLength > directoryEnd)
                return (null, [Whole("the zip's directory is cut short: the zip is corrupted")]);
            var nameBytes = zip.Slice(c + 46, nameLength);
            var name = (flags & 0x800) != 0 ? Encoding.UTF8.GetString(nameBytes) : Encoding.Latin1.GetString(nameBytes);
            var zip64 = ReadZip64(zip.Slice(c + 46 + nameLength, extraLength), ref uncompressed, ref compressed, ref local, ref disk);
            at += 46 + nameLength + extraLength + commentLength;

            KitProblem Problem(string message) => new(name, "", message);
            if (zip64 is not null) { problems.Add(Problem(zip64)); continue; }
            if ((flags & 0x2041) != 0 || method == 99)
            {
                problems.Add(Problem("this file is encrypted (password-protected); zip the kit without a password"));
                continue;
            }
            if (method is not (0 or 8 or 9))
            {
                problems.Add(Problem($"this file is compressed with method {method}{MethodName(method)}, which kits do not take; {Rezip} (stored or deflate)"));
                continue;
            }
            if (disk != 0) { problems.Add(Problem("this file is on another part of a split zip; make one zip file of the kit")); continue; }
            if (uncompressed > limits.MaxEntryBytes)
            {
                problems.Add(Problem($"this file is {uncompressed:N0} bytes unpacked; a kit file may be at most {limits.MaxEntryBytes / (1024 * 1024)} MiB"));
                continue;
            }

            // The local header must describe the same file: unzippers that stream read it, not the directory.
            if (local < 0 || local + 30 > directoryOffset || U32(zip, (int)local) != LocalSignature)
            {
                problems.Add(Problem($"the zip's directory points to a file header that is not there: the zip is corrupted; {Rezip}"));
                continue;
            }
            var l = (int)local;
            int localNameLength = U16(zip, l + 26), localExtraLength = U16(zip, l + 28);
            var dataStart = local + 30 + localNameLength + localExtraLength;
            if (dataStart > directoryOffset || !zip.Slice(l + 30, localNameLength).SequenceEqual(nameBytes))
            {
                problems.Add(Problem($"the file header inside the zip names another file than the zip's directory; {Rezip}"));
                continue;
            }
            if (U16(zip, l + 8) != method || ((U16(zip, l + 6) ^ flags) & 0x09) != 0)
            {
                problems.Add(Problem($"the file header inside the zip and the zip's directory disagree about how this file is stored; {Rezip}"));
                continue;
            }
            var dataEnd = dataStart + compressed;
            if (dataEnd > directoryOffset)
            {
                problems.Add(Problem("this file's data runs past the end of the zip's files: the zip is corrupted or cut short"));
                continue;
            }
            var spanEnd = dataEnd;
            long localUncompressed = U32(zip, l + 22), localCompressed = U32(zip, l + 18), localOffset = local, localDisk = 0;
            var localCrc = U32(zip, l + 14);
            _ = ReadZip64(zip.Slice(l + 30 + localNameLength, localExtraLength), ref localUncompressed, ref localCompressed, ref localOffset, ref localDisk);
            string? disagreement = null;
            if ((flags & 0x08) != 0)
            {
                // A data descriptor after the data carries the real CRC and sizes; the header's may be zero, never different.
                // Its sizes are 4 or 8 bytes; writers disagree about when to use which, so either reading may agree.
                var d = dataEnd;
                if (d + 4 <= directoryOffset && U32(zip, (int)d) == DescriptorSignature) d += 4;
                (long Compressed, long Uncompressed, long Length)? agreeing = null;
                (long Compressed, long Uncompressed)? read = null;
                foreach (var wide in new[] { false, true })
                {
                    var length = wide ? 20 : 12;
                    if (d + length > directoryOffset) continue;
                    var descriptorCompressed = wide ? (long)Math.Min(U64(zip, (int)d + 4), long.MaxValue) : U32(zip, (int)d + 4);
                    var descriptorUncompressed = wide ? (long)Math.Min(U64(zip, (int)d + 12), long.MaxValue) : U32(zip, (int)d + 8);
                    read ??= (descriptorCompressed, descriptorUncompressed);
                    if (U32(zip, (int)d) == crc && descriptorCompressed == compressed && descriptorUncompressed == uncompressed)
                    {
                        agreeing = (descriptorCompressed, descriptorUncompressed, length);
                        break;
                    }
                }
                if (read is null)
                    disagreement = "this file's data descriptor is missing: the zip is corrupted or cut short";
                else if (agreeing is null)
                    disagreement = $"this file's data descriptor says {read.Value.Uncompressed:N0} bytes ({read.Value.Compressed:N0} packed) but the zip's directory says {uncompressed:N0} ({compressed:N0} packed): a zip whose records disagree unpacks differently in different tools; {Rezip}";
                else spanEnd = d + agreeing.Value.Length;
                if (disagreement is null && (localCrc != 0 && localCrc != crc || localCompressed != 0 && localCompressed != compressed || localUncompressed != 0 && localUncompressed != uncompressed))
                    disagreement = $"the file header inside the zip and the zip's directory disagree about this file's size or checksum; {Rezip}";
            }
            else if (localCrc != crc || localCompressed != compressed || localUncompressed != uncompressed)
                disagreement = $"the file header inside the zip says {localUncompressed:N0} bytes ({localCompressed:N0} packed) but the zip's directory says {uncompressed:N0} ({compressed:N0} packed): a zip whose records disagree unpacks differently in different tools; {Rezip}";
            if (disagreement is not null) { problems.Add(Problem(disagreement)); continue; }

            spans.Add((local, spanEnd, name));
            entries.Add(new Entry(name, crc, compressed, uncompressed, method));
        }
        if (at != directoryEnd && problems.Count == 0)
            return (null, [Whole("the zip's directory holds more than its end record counts: the zip is corrupted")]);

        // Overlapping entries let one compressed block be unpacked as many files (a zip bomb that stays small).
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        if (spans.Count > 0 && spans[0].Start != 0)
            problems.Add(Whole($"the zip starts with {spans[0].Start:N0} bytes that belong to no file (a self-extractor or a file hidden in front); {Rezip}"));
        for (var i = 1; i < spans.Count; i++)
            if (spans[i].Start < spans[i - 1].End)
                problems.Add(new KitProblem(spans[i].Name, "", $"this file's data overlaps '{spans[i - 1].Name}' inside the zip, which only a crafted zip does; {Rezip}"));
        return problems.Count > 0 ? (null, problems) : (entries, []);

    }

    private static string MethodName(ushort method) => method switch
    {
        12 => " (bzip2)", 14 => " (LZMA)", 93 => " (Zstandard)", 95 => " (xz)", 98 => " (PPMd)", _ => "",
    };

    /// <summary>The last end record whose comment reaches exactly the end of the file: anything after it is no zip.</summary>
    private static int FindEnd(ReadOnlySpan<byte> zip)
    {
        for (var i = zip.Length - 22; i >= 0 && i >= zip.Length - 22 - 0xFFFF; i--)
            if (U32(zip, i) == EndSignature && i + 22 + U16(zip, i + 20) == zip.Length)
                return i;
        return -1;
    }

    /// <summary>Replaces the 32-bit fields that are all ones with the zip64 extra field's values, in the spec's order.</summary>
    private static string? ReadZip64(ReadOnlySpan<byte> extra, ref long uncompressed, ref long compressed, ref long offset, ref long disk)
    {
        for (var i = 0; i + 4 <= extra.Length;)
        {
            int id = U16(extra, i), size = U16(extra, i + 2);
            if (i + 4 + size > extra.Length) return $"this file's extra fields are cut short: the zip is corrupted; {Rezip}";
            if (id == 0x0001)
            {
                var field = extra.Slice(i + 4, size);
                var p = 0;
                static bool Next(ReadOnlySpan<byte> field, ref int p, out long value)
                {
                    value = 0;
                    if (p + 8 > field.Length) return false;
                    var v = U64(field, p);
                    p += 8;
                    if (v > long.MaxValue) return false;
                    value = (long)v;
                    return true;
                }
                if (uncompressed == 0xFFFFFFFF && !Next(field, ref p, out uncompressed)) return "this file's zip64 sizes are missing: the zip is corrupted";
                if (compressed == 0xFFFFFFFF && !Next(field, ref p, out compressed)) return "this file's zip64 sizes are missing: the zip is corrupted";
                if (offset == 0xFFFFFFFF && !Next(field, ref p, out offset)) return "this file's zip64 offset is missing: the zip is corrupted";
                if (disk == 0xFFFF)
                {
                    if (p + 4 > field.Length) return "this file's zip64 disk number is missing: the zip is corrupted";
                    disk = U32(field, p);
                }
                return null;
            }
            i += 4 + size;
        }
        return null;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => at >= 0 && at + 2 <= b.Length ? BinaryPrimitives.ReadUInt16LittleEndian(b[at..]) : (ushort)0;
    private static uint U32(ReadOnlySpan<byte> b, int at) => at >= 0 && at + 4 <= b.Length ? BinaryPrimitives.ReadUInt32LittleEndian(b[at..]) : 0;
    private static uint U32(ReadOnlySpan<byte> b, long at) => at <= int.MaxValue ? U32(b, (int)at) : 0;
    private static ulong U64(ReadOnlySpan<byte> b, int at) => at >= 0 && at + 8 <= b.Length ? BinaryPrimitives.ReadUInt64LittleEndian(b[at..]) : 0;
}
