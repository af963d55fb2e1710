namespace Tcma.Domain.Rendering;

/// <summary>Bounds on an uploaded logo, checked from its header before any pixel is decoded (decompression bombs).</summary>
public sealed record LogoLimits(int MaxBytes = 2 * 1024 * 1024, int MaxWidth = 4096, int MaxHeight = 4096, long MaxPixels = 8_000_000, int MinSide = 16)
{
    public static LogoLimits Default { get; } = new();
}

/// <summary>Reads format and pixel size from the first bytes of a PNG or JPEG without decoding it.</summary>
public static class ImageHeader
{
    public static bool TryRead(ReadOnlySpan<byte> bytes, out LogoFormat format, out int width, out int height, out string? error)
    {
        format = default; width = height = 0;
        if (bytes.Length >= 24 && bytes[..8].SequenceEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }))
        {
            if (!bytes.Slice(12, 4).SequenceEqual("IHDR"u8)) { error = "is a damaged PNG (no IHDR header)"; return false; }
            format = LogoFormat.Png;
            width = ReadInt32BigEndian(bytes[16..]);
            height = ReadInt32BigEndian(bytes[20..]);
            error = width <= 0 || height <= 0 ? "is a damaged PNG (zero or negative size)" : null;
            return error is null;
        }
        if (bytes.Length >= 4 && bytes[0] == 0xFF && bytes[1] == 0xD8)
        {
            format = LogoFormat.Jpeg;
            // Walk the marker segments to the first start-of-frame, which carries the size.
            var i = 2;
            while (i + 9 < bytes.Length)
            {
                if (bytes[i] != 0xFF) { i++; continue; }
                var marker = bytes[i + 1];
                if (marker is 0xD8 or 0x01 or (>= 0xD0 and <= 0xD7) or 0xFF) { i += marker == 0xFF ? 1 : 2; continue; }
                var length = (bytes[i + 2] << 8) | bytes[i + 3];
                if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                {
                    height = (bytes[i + 5] << 8) | bytes[i + 6];
                    width = (bytes[i + 7] << 8) | bytes[i + 8];
                    error = width <= 0 || height <= 0 ? "is a damaged JPEG (zero size)" : null;
                    return error is null;
                }
                if (length < 2) break;
                i += 2 + length;
            }
            error = "is a damaged JPEG (no frame header found)";
            return false;
        }
        var head = System.Text.Encoding.ASCII.GetString(bytes[..Math.Min(bytes.Length, 512)]).TrimStart('\uFEFF', ' ', '\r', '\n', '\t');
        error = head.StartsWith("<svg", StringComparison.OrdinalIgnoreCase) || (head.StartsWith("<?xml", StringComparison.OrdinalIgnoreCase) && head.Contains("<svg", StringComparison.OrdinalIgnoreCase))
            ? "is an SVG; upload the logo as PNG or JPEG (SVG can carry scripts and external references)"
            : bytes.Length >= 12 && bytes[..4].SequenceEqual("RIFF"u8) && bytes.Slice(8, 4).SequenceEqual("WEBP"u8)
                ? "is a WebP image; upload the logo as PNG or JPEG"
                : bytes.Length >= 6 && bytes[..3].SequenceEqual("GIF"u8)
                    ? "is a GIF image; upload the logo as PNG or JPEG"
                    : "is not a PNG or JPEG image";
        return false;
    }

    private static int ReadInt32BigEndian(ReadOnlySpan<byte> b) => (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3];
}
