using System.Text;
using Tcma.Domain.Launches;

namespace Tcma.UnitTests.Launches;

public sealed class ContactListTests
{
    private static (ContactImport?, string?) Read(string csv, ContactImportLimits? limits = null)
        => ContactList.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)), limits ?? new ContactImportLimits());

    [Fact]
    public void Contacts_with_consent_are_imported_and_the_rest_counted()
    {
        var (import, error) = Read("""
            Email,First Name,Last Name,Company,Consent
            ana@example.com,Ana,Silva,Silva Ltd,yes
            bo@example.com,Bo,Berg,Berg AB,no
            carl@example.com,Carl,,,
            """);
        Assert.Null(error);
        var contact = Assert.Single(import!.Contacts);
        Assert.Equal(new Contact("ana@example.com", "Ana", "Silva", "Silva Ltd"), contact);
        Assert.Equal(2, import.WithoutConsent);
    }

    [Fact]
    public void Duplicate_addresses_are_imported_once_whatever_their_case()
    {
        var (import, _) = Read("email;consent\nana@example.com;yes\nANA@example.com;yes\n");
        Assert.Single(import!.Contacts);
        Assert.Equal(1, import.Duplicates);
    }

    [Theory]
    [InlineData("not-an-address")]
    [InlineData("a@b")]
    [InlineData("Ana <ana@example.com>")]
    [InlineData("ana@example..com")]
    public void Invalid_addresses_are_skipped_with_their_row_number(string address)
    {
        var (import, _) = Read($"email,consent\nok@example.com,yes\n\"{address}\",yes\n");
        Assert.Single(import!.Contacts);
        var skipped = Assert.Single(import.Invalid);
        Assert.Equal(3, skipped.Row);
    }

    [Fact]
    public void Formulas_are_kept_as_plain_text_never_evaluated()
    {
        var (import, _) = Read("email,first name,consent\nana@example.com,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",yes\n");
        Assert.Equal("=HYPERLINK(\"http://evil\",\"x\")", import!.Contacts[0].FirstName);
    }

    [Fact]
    public void A_file_that_is_not_csv_is_refused()
    {
        var xlsx = new byte[] { 0x50, 0x4B, 0x03, 0x04, 0, 0, 1, 2 };
        var (import, error) = ContactList.Read(new MemoryStream(xlsx), new ContactImportLimits());
        Assert.Null(import);
        Assert.Contains("not a CSV", error);
    }

    [Fact]
    public void A_huge_file_is_refused_before_it_is_parsed()
    {
        var (import, error) = Read("email,consent\n" + string.Concat(Enumerable.Repeat("a@example.com,yes\n", 100)), new ContactImportLimits { MaxBytes = 1000 });
        Assert.Null(import);
        Assert.Contains("larger than", error);
    }

    [Fact]
    public void Too_many_rows_are_refused()
    {
        var rows = string.Concat(Enumerable.Range(0, 11).Select(i => $"c{i}@example.com,yes\n"));
        var (import, error) = Read("email,consent\n" + rows, new ContactImportLimits { MaxRows = 10 });
        Assert.Null(import);
        Assert.Contains("more than 10", error);
    }

    [Fact]
    public void Missing_email_or_consent_columns_are_explained()
    {
        Assert.Contains("no email column", Read("name,consent\nAna,yes\n").Item2);
        Assert.Contains("no consent column", Read("email,name\nana@example.com,Ana\n").Item2);
    }
}
