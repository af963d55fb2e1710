using System.Text;

namespace Tcma.Domain.Mdf;

/// <summary>
/// The few lines of RFC 4180 MDF needs, written and read by hand. Every cell written is neutralised against formula
/// injection: a spreadsheet would run a cell starting with =, +, -, @, tab or CR, so such a cell gets a leading apostrophe.
/// </summary>
public static class CsvText
{
    public static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r') text = "'" + text;
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + text.Replace("\"", "\"\"") + "\"" : text;
    }

    public static string Line(IEnumerable<string?> cells) => string.Join(",", cells.Select(Cell)) + "\r\n";

    /// <summary>Reads rows of a CSV text (quoted cells, doubled quotes, CRLF or LF); a quote left open is an error.</summary>
    public static IReadOnlyList<IReadOnlyList<string>>? Read(string text)
    {
        var rows = new List<IReadOnlyList<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch != '"') cell.Append(ch);
                else if (i + 1 < text.Length && text[i + 1] == '"') { cell.Append('"'); i++; }
                else quoted = false;
            }
            else if (ch == '"' && cell.Length == 0) quoted = true;
            else if (ch == ',') { row.Add(cell.ToString()); cell.Clear(); }
            else if (ch is '\n' or '\r')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                row.Add(cell.ToString()); cell.Clear();
                if (row.Count > 1 || row[0].Length > 0) rows.Add(row);
                row = [];
            }
            else cell.Append(ch);
        }
        if (quoted) return null;
        row.Add(cell.ToString());
        if (row.Count > 1 || row[0].Length > 0) rows.Add(row);
        return rows;
    }
}
