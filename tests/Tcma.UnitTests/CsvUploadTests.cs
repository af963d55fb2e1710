using System.Text;
using Tcma.Domain;

namespace Tcma.UnitTests;

/// <summary>The reading every upload shares (contacts, partners, leads): rows with their line numbers, limits, broken quotes.</summary>
public sealed class CsvUploadTests
{
    private static (CsvTable? Table, string? Error) Read(string csv, int maxRows = 10) =>
        CsvUpload.ReadTable(new MemoryStream(Encoding.UTF8.GetBytes(csv)), 1024 * 1024, 1000, maxRows, "things");

    [Fact]
    public void Rows_keep_the_line_number_a_person_sees_and_blank_rows_are_skipped_without_counting()
    {
        var (table, error) = Read("Email;Name\na@x.example;A\n;\n\nb@x.example;B\nc@x.example\n", maxRows: 3);

        Assert.Null(error);
        Assert.Equal(1, table!.Column(["name"]));
        Assert.Equal([2, 5, 6], table.Rows.Select(r => r.Line));
        Assert.Equal("B", table.Rows[1][1]);
        Assert.Null(table.Rows[2][1]); // a short row
        Assert.Null(table.Rows[0][-1]); // a column the file does not have
    }

    [Fact]
    public void More_rows_than_allowed_is_refused_with_what_the_rows_are()
    {
        var (table, error) = Read("Email\na@x\nb@x\nc@x\n", maxRows: 2);
        Assert.Null(table);
        Assert.Equal("the file has more than 2 things; split it into smaller files", error);
    }

    [Fact]
    public void A_header_only_file_has_no_rows_and_an_empty_file_is_refused()
    {
        Assert.Empty(Read("Email,Name\n").Table!.Rows);
        Assert.Equal("the file is empty", Read("").Error);
    }

    [Fact]
    public void Headers_are_matched_trimmed_in_any_case_and_after_the_callers_normalising()
    {
        var table = Read(" First_Name ,E-Mail\nAna,a@x\n").Table!;
        Assert.Equal(0, table.Column(["first name"], h => h.Replace('_', ' ')));
        Assert.Equal(-1, table.Column(["first name"]));
        Assert.Equal(1, table.Column(["e-mail"]));
    }
}
