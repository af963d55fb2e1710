using System.Buffers;
using System.Text.Unicode;

namespace Tcma.Rendering.Liquid;

/// <summary>
/// A template file's bytes as text. Decoding that replaces bad bytes with U+FFFD would let a file saved in
/// Latin-1 reach every recipient as "caf�": a file that is not UTF-8 is refused with the place of its first bad byte.
/// </summary>
public static class LiquidSource
{
    public static (string? Text, LiquidError? Error) Decode(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        var chars = new char[bytes.Length];
        var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status == OperationStatus.Done) return (new string(chars, 0, written), null);
        var before = new string(chars, 0, written);
        var line = before.Count(c => c == '\n') + 1;
        var column = written - (before.LastIndexOf('\n') + 1) + 1;
        var bad = read < bytes.Length ? $" (byte 0x{bytes[read]:X2} here)" : " (it ends inside a character)";
        return (null, new LiquidError(file, line, column, $"the file is not valid UTF-8{bad}; save it as UTF-8"));
    }
}
