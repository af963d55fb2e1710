using System.Text;
using Tcma.Domain.Partners;

namespace Tcma.UnitTests.Partners;

public sealed class PartnerImportTests
{
    private static (PartnerImportResult?, string?) Read(string csv, PartnerImportLimits? limits = null) =>
        PartnerImport.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)), limits ?? new PartnerImportLimits());

    private const string Header = "Partner ID,Company,Tier,Region,Country,Specialisations,Contact name,Contact email\n";

    [Fact]
    public void Good_rows_become_partners_and_bad_rows_are_reported_with_their_row_number()
    {
        var (result, error) = Read(Header + """
            contoso-uk,Contoso Ltd,Gold,EMEA,GB,Cloud backup; Security,Ana Silva,ana@contoso.example
            Fabrikam,Fabrikam,Silver,EMEA,DE,,Bo Berg,bo@fabrikam.example
            tailspin,Tailspin,,AMER,US,,Cy,not-an-address
            contoso-uk,Contoso again,Gold,EMEA,GB,,Ana,ana@contoso.example
            """);
        Assert.Null(error);
        var good = Assert.Single(result!.Partners);
        Assert.Equal(2, good.Row);
        Assert.Equal(["Cloud backup", "Security"], good.Partner.Specialisations);
        Assert.Equal("ana@contoso.example", good.Partner.PrimaryContact.Email);
        Assert.Equal([3, 4, 5], result.Rejected.Select(r => r.Row));
        Assert.Contains(result.Rejected[0].Reasons, r => r.StartsWith("Partner ID:", StringComparison.Ordinal));
        Assert.Contains(result.Rejected[1].Reasons, r => r.StartsWith("Tier:", StringComparison.Ordinal));
        Assert.Contains(result.Rejected[1].Reasons, r => r.StartsWith("Contact email:", StringComparison.Ordinal));
        Assert.Contains("already on row 2", Assert.Single(result.Rejected[2].Reasons));
    }

    [Fact]
    public void Header_aliases_and_semicolons_are_understood()
    {
        var (result, error) = Read("id;Partner name;Level;Territory;Competencies;Contact;E-mail;Job title\r\nnw;Northwind;Gold;APAC;Cloud;Kim;kim@nw.example;CEO\r\n");
        Assert.Null(error);
        var p = Assert.Single(result!.Partners).Partner;
        Assert.Equal(("nw", "Northwind", "Gold", "APAC", "CEO"), (p.Id, p.CompanyName, p.Tier, p.Region, p.PrimaryContact.Role));
    }

    [Fact]
    public void Formulas_are_kept_as_text()
    {
        var (result, _) = Read(Header + "evil,\"=HYPERLINK(\"\"http://x.example\"\",\"\"x\"\")\",+Gold,@EMEA,,-cmd,Eve,eve@evil.example\n");
        var p = Assert.Single(result!.Partners).Partner;
        Assert.Equal("=HYPERLINK(\"http://x.example\",\"x\")", p.CompanyName);
        Assert.Equal(("+Gold", "@EMEA", "-cmd"), (p.Tier, p.Region, p.Specialisations[0]));
    }

    [Fact]
    public void A_file_saved_in_the_windows_code_page_keeps_its_accents()
    {
        var bytes = CodePagesEncodingProvider.Instance.GetEncoding(1252)!.GetBytes(Header + "cafe,Café Müller – Réseaux,Gold,EMEA,FR,,Zoë,zoe@cafe.example\n");
        var (result, error) = PartnerImport.Read(new MemoryStream(bytes), new PartnerImportLimits());
        Assert.Null(error);
        var p = Assert.Single(result!.Partners).Partner;
        Assert.Equal(("Café Müller – Réseaux", "Zoë"), (p.CompanyName, p.PrimaryContact.Name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("PK\u0003\u0004binary")]
    [InlineData("Company,Tier\nA,B\n")]
    public void Files_that_are_empty_binary_or_lack_columns_are_refused(string csv)
    {
        var (result, error) = Read(csv);
        Assert.Null(result);
        Assert.NotNull(error);
    }

    [Fact]
    public void Size_and_row_limits_refuse_the_whole_file()
    {
        var rows = string.Concat(Enumerable.Range(0, 5).Select(i => $"p{i},P{i},Gold,EMEA,,,N,n{i}@example.com\n"));
        Assert.Contains("more than 3", Read(Header + rows, new PartnerImportLimits { MaxRows = 3 }).Item2);
        Assert.Contains("larger than", Read(Header + rows, new PartnerImportLimits { MaxBytes = 100 }).Item2);
    }

    [Fact]
    public void A_reimport_keeps_contacts_added_through_the_api_and_the_status_unless_the_file_says()
    {
        var (existing, _) = PartnerValidator.Validate("nw", new PartnerInput
        {
            CompanyName = "Northwind", Tier = "Silver", Region = "APAC", Status = "Inactive",
            Contacts = [new PartnerContactInput("Kim", "kim@nw.example", null, true), new PartnerContactInput("Lee", "lee@nw.example", null, false)],
        });
        var (result, _) = Read(Header + "nw,Northwind,Gold,APAC,,,Lee,lee@nw.example\n");
        var merged = PartnerImport.Merge(existing, result!.Partners[0].Partner, result.HasStatusColumn);
        Assert.Equal("Gold", merged.Tier);
        Assert.Equal(["lee@nw.example", "kim@nw.example"], merged.Contacts.Select(c => c.Email));
        Assert.Equal("lee@nw.example", merged.PrimaryContact.Email);
        Assert.Single(merged.Contacts, c => c.Primary);
        Assert.Equal(PartnerStatus.Inactive, merged.Status);
    }
}
