using Tcma.Domain.Partners;

namespace Tcma.UnitTests.Partners;

public sealed class PartnerValidatorTests
{
    private static PartnerInput Good => new()
    {
        CompanyName = "  Contoso Networks Ltd ", Tier = " Gold ", Region = "EMEA", Country = "gb",
        Specialisations = ["Cloud backup", " Security ", "cloud BACKUP", ""],
        Contacts = [new PartnerContactInput("Ana Silva", "ana@contoso.example", "Owner", null), new PartnerContactInput("Bo Berg", "bo@contoso.example", null, null)],
    };

    [Fact]
    public void A_good_partner_is_trimmed_deduplicated_and_gets_a_primary_contact()
    {
        var (partner, problems) = PartnerValidator.Validate("contoso-uk", Good);
        Assert.Empty(problems);
        Assert.Equal("Contoso Networks Ltd", partner!.CompanyName);
        Assert.Equal("Gold", partner.Tier);
        Assert.Equal("GB", partner.Country);
        Assert.Equal(["Cloud backup", "Security"], partner.Specialisations);
        Assert.Equal("ana@contoso.example", partner.PrimaryContact.Email);
        Assert.Single(partner.Contacts, c => c.Primary);
        Assert.Equal(PartnerStatus.Active, partner.Status);
    }

    [Theory]
    [InlineData("Contoso")]
    [InlineData("contoso uk")]
    [InlineData("-contoso")]
    [InlineData("contoso/uk")]
    [InlineData("")]
    [InlineData(null)]
    public void Ids_are_lowercase_slugs(string? id)
    {
        var (partner, problems) = PartnerValidator.Validate(id, Good);
        Assert.Null(partner);
        Assert.Equal("id", Assert.Single(problems).Field);
    }

    [Fact]
    public void Every_problem_is_reported_by_field()
    {
        var (partner, problems) = PartnerValidator.Validate("ok", new PartnerInput
        {
            CompanyName = new string('x', 201), Tier = "", Region = "EMEA\nUK", Country = "GBR", Status = "Sleeping",
            Specialisations = [new string('s', 61)],
            Contacts = [new PartnerContactInput("", "not-an-address", null, true), new PartnerContactInput("B", "b@example.com", null, true)],
        });
        Assert.Null(partner);
        var fields = problems.Select(p => p.Field).ToHashSet();
        Assert.Superset(new HashSet<string> { "companyName", "tier", "region", "country", "status", "specialisations", "contacts[0].name", "contacts[0].email", "contacts" }, fields);
        Assert.Equal(9, fields.Count);
    }

    [Fact]
    public void A_partner_needs_a_contact_and_each_address_once()
    {
        var (_, none) = PartnerValidator.Validate("ok", Good with { Contacts = [] });
        Assert.Contains(none, p => p.Field == "contacts");
        var (_, twice) = PartnerValidator.Validate("ok", Good with
        {
            Contacts = [new PartnerContactInput("A", "a@example.com", null, null), new PartnerContactInput("A2", "A@example.com", null, null)],
        });
        Assert.Contains(twice, p => p.Field == "contacts[1].email");
    }

    [Fact]
    public void Text_that_looks_like_a_formula_is_kept_as_text()
    {
        var (partner, problems) = PartnerValidator.Validate("ok", Good with { CompanyName = "=HYPERLINK(\"http://evil.example\",\"Click\")" });
        Assert.Empty(problems);
        Assert.Equal("=HYPERLINK(\"http://evil.example\",\"Click\")", partner!.CompanyName);
    }

    [Fact]
    public void Filters_match_case_insensitively_and_empty_filters_match_all()
    {
        var (partner, _) = PartnerValidator.Validate("ok", Good);
        Assert.True(partner!.Matches("gold", "emea", "security"));
        Assert.True(partner.Matches(null, " ", null));
        Assert.False(partner.Matches("Silver", null, null));
        Assert.False(partner.Matches(null, null, "Networking"));
    }
}
