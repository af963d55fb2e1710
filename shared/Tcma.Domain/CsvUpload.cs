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

    /// <summary>
    /// The whole upload as a header and its non-blank rows, each with its line number, or the one reason it cannot be
    /// taken: unreadable, empty, more than <paramref name="maxRows"/> rows (blank rows not counted; the message names
    /// what the rows are, <paramref name="rowsAre"/>: "contacts", "partners"), or a row CsvHelper cannot parse.
    /// </summary>
    public static (CsvTable? Table, string? Error) ReadTable(Stream csv, long maxBytes, int maxFieldSize, int maxRows, string rowsAre)
    {
        var (opened, error) = Open(csv, maxBytes, maxFieldSize);
        if (opened is null) return (null, error);
        using var parser = opened;
        var line = 1;
        try
        {
            if (!parser.Read()) return (null, "the file is empty");
            var header = parser.Record!;
            var rows = new List<CsvRow>();
            while (parser.Read())
            {
                // The parser's row, not a count of records: it skips empty lines, which a person still sees in the file.
                line = parser.Row;
                if (parser.Record!.All(string.IsNullOrWhiteSpace)) continue;
                if (rows.Count == maxRows) return (null, $"the file has more than {maxRows:N0} {rowsAre}; split it into smaller files");
                rows.Add(new CsvRow(line, parser.Record!));
            }
            return (new CsvTable(header, rows), null);
        }
        catch (CsvHelperException)
        {
            return (null, $"row {line} cannot be read as CSV (check its quotes)");
        }
    }

    /// <summary>NUL bytes, or the signatures of xlsx/zip, old xls (OLE2) and PDF.</summary>
    private static bool LooksBinary(byte[] bytes)
    {
        var head = bytes.AsSpan(0, Math.Min(bytes.Length, 4096));
        return head.Contains((byte)0) || head.StartsWith("PK\x03\x04"u8) || head.StartsWith("%PDF"u8)
            || head.StartsWith(new byte[] { 0xD0, 0xCF, 0x11, 0xE0 });
    }
}

/// <summary>An uploaded CSV: its header row as written and its non-blank rows.</summary>
public sealed record CsvTable(IReadOnlyList<string> Header, IReadOnlyList<CsvRow> Rows)
{
    /// <summary>The first column whose header (trimmed, lower case, after <paramref name="normalise"/>) is one of <paramref name="names"/>; -1 if none.</summary>
    public int Column(IEnumerable<string> names, Func<string, string>? normalise = null)
    {
        var wanted = names as ICollection<string> ?? names.ToList();
        for (var i = 0; i < Header.Count; i++)
        {
            var h = Header[i].Trim().ToLowerInvariant();
            if (wanted.Contains(normalise is null ? h : normalise(h))) return i;
        }
        return -1;
    }
}

/// <summary>One row of an upload: the line number a person sees in their spreadsheet, and its fields.</summary>
public sealed record CsvRow(int Line, IReadOnlyList<string> Fields)
{
    /// <summary>The field in column <paramref name="index"/>, or null when the column is missing or the row is short.</summary>
    public string? this[int index] => index >= 0 && index < Fields.Count ? Fields[index] : null;
}
