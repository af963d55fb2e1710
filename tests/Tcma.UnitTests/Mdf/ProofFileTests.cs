using System.IO.Compression;
using System.Text;
using Tcma.Domain.Mdf;

namespace Tcma.UnitTests.Mdf;

public sealed class ProofFileTests
{
    private static byte[] Zip(params string[] entries)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var name in entries)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write("<x/>"u8);
            }
        return stream.ToArray();
    }

    public static TheoryData<string, byte[]> Genuine => new()
    {
        { ProofFile.Pdf, Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj\n") },
        { ProofFile.Png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] },
        { ProofFile.Jpeg, [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] },
        { ProofFile.Csv, Encoding.UTF8.GetBytes("name,company\r\nZoë,Contoso\r\n") },
        { ProofFile.Xlsx, Zip("[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml") },
    };

    [Theory]
    [MemberData(nameof(Genuine))]
    public void Files_that_are_what_they_claim_pass(string type, byte[] bytes) => Assert.Null(ProofFile.Check(bytes, type));

    public static TheoryData<string, byte[]> Impostors => new()
    {
        { ProofFile.Pdf, Encoding.ASCII.GetBytes("<html><script>alert(1)</script>") },
        { ProofFile.Pdf, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] },
        { ProofFile.Png, [0xFF, 0xD8, 0xFF, 0xE0] },
        { ProofFile.Jpeg, Encoding.ASCII.GetBytes("%PDF-1.4") },
        { ProofFile.Csv, [0x4D, 0x5A, 0x90, 0x00, 0x03] },
        { ProofFile.Csv, [0xC3, 0x28, 0x41] },
        { ProofFile.Xlsx, Zip("[Content_Types].xml", "word/document.xml") },
        { ProofFile.Xlsx, [0x50, 0x4B, 0x03, 0x04, 1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(Impostors))]
    public void Files_that_are_not_what_they_claim_are_refused(string type, byte[] bytes) =>
        Assert.Equal("proof.content_mismatch", ProofFile.Check(bytes, type)!.Code);

    [Fact]
    public void Empty_oversized_and_unaccepted_types_are_refused()
    {
        Assert.Equal("proof.empty", ProofFile.Check([], ProofFile.Pdf)!.Code);
        var big = new byte[1025];
        "%PDF-"u8.CopyTo(big);
        Assert.Equal("proof.too_large", ProofFile.Check(big, ProofFile.Pdf, new ProofFileRules { MaxBytes = 1024 })!.Code);
        Assert.Equal("proof.type_not_allowed", ProofFile.Check("<svg/>"u8, "image/svg+xml")!.Code);
    }

    [Fact]
    public void Declared_metadata_is_checked_before_any_byte_is_stored()
    {
        var rules = new ProofFileRules();
        Assert.Empty(new ProofFile("Attendees.XLSX", ProofFile.Xlsx, 2_000).CheckDeclared(rules));
        Assert.Empty(new ProofFile("photo.jpeg", ProofFile.Jpeg, 2_000).CheckDeclared(rules));
        Assert.Equal("proof.empty", new ProofFile("a.pdf", ProofFile.Pdf, 0).CheckDeclared(rules).Single().Code);
        Assert.Equal("proof.bad_name", new ProofFile("a\u0000.pdf", ProofFile.Pdf, 5).CheckDeclared(rules).Single().Code);
        Assert.Equal("proof.bad_name", new ProofFile("C:\\x.pdf", ProofFile.Pdf, 5).CheckDeclared(rules).Single().Code);
    }
}
