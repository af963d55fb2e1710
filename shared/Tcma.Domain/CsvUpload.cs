using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace Tcma.Domain;

/// <summary>
/// The first steps of every CSV a vendor or partner uploads (contacts, partners): read at most a size limit, refuse
/// spreadsheets and other binaries with a message saying what to do, decode (UTF-8, or Excel's Windows-1252 "CSV"),
/// and detect the delimiter. What the columns mean is the caller's business.
/// </summary>
public static class CsvUpload
{
    /// <summary>A parser positioned before the header row, or the reason the file cannot be read as CSV.</summary>
    public static (CsvParser? Parser, string? Error) Open(Stream csv, long maxBytes, int maxFieldSize)
    {
        using var bounded = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = csv.Read(buffer)) > 0)
        {
            if (bounded.Length + read > maxBytes)
                return (null, $"the file is larger than {maxBytes / (1024 * 1024)} MiB; split it into smaller files");
            bounded.Write(buffer, 0, read);
        }
        var bytes = bounded.ToArray();
        if (bytes.Length == 0) return (null, "the file is empty");
        if (LooksBinary(bytes)) return (null, "this is not a CSV file (it looks like a spreadsheet or another binary file: save it as CSV)");

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            // Excel's plain "CSV" is saved in the Windows code page: read it as Windows-1252 rather than refuse it.
            text = CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetString(bytes);
        }

        var firstLine = text.Split('\n', 2)[0];
        var delimiter = new[] { ",", ";", "\t" }.OrderByDescending(d => firstLine.Split(d).Length).First();
        return (new CsvParser(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter,
            BadDataFound = null,
            MaxFieldSize = maxFieldSize,
        }), null);
    }

    /// <summary>NUL bytes, or the signatures of xlsx/zip, old xls (OLE2) and PDF.</summary>
    private static bool LooksBinary(byte[] bytes)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 4096));
        return head.Contains((byte)0) || head.StartsWith("PK\x03\x04"u8) || head.StartsWith("%PDF"u8)
            || head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 });
    }
}
