using Tcma.Domain.Deals;

namespace Tcma.UnitTests.Deals;

public sealed class CompanyNameTests
{
    [Theory]
    [InlineData("Contoso, Inc.", "contoso")]
    [InlineData("CONTOSO INC", "contoso")]
    [InlineData("Contoso Incorporated", "contoso")]
    [InlineData("The Contoso Company Ltd.", "contoso")]
    [InlineData("Müller & Söhne GmbH & Co. KG", "muller and sohne")]
    [InlineData("Fabrikam S.A.", "fabrikam")]
    [InlineData("I.B.M. Corp", "ibm")]
    [InlineData("O'Neil Logistics Pty Ltd", "oneil logistics")]
    [InlineData("  Tailspin   Toys  ", "tailspin toys")]
    [InlineData("Holdings Ltd", "holdings")]
    public void Spellings_of_one_organisation_normalise_alike(string name, string normalised) =>
        Assert.Equal(normalised, CompanyNames.Normalise(name));

    [Fact]
    public void Spaces_do_not_make_another_company() =>
        Assert.Equal(CompanyNames.Compact("Micro Soft Corporation"), CompanyNames.Compact("Microsoft"));

    [Theory]
    [InlineData("Contoso", "Kontoso Ltd")]
    [InlineData("Contoso", "Contosso")]
    [InlineData("Fabrikam", "Fabricam")]
    public void Typos_and_transliterations_share_a_sound_key_and_are_similar(string a, string b)
    {
        Assert.Equal(CompanyNames.SoundKey(a), CompanyNames.SoundKey(b));
        Assert.True(CompanyNames.AreSimilar(a, b), $"{a} ~ {b}: {CompanyNames.Similarity(a, b)}");
    }

    [Theory]
    [InlineData("Contoso", "Fabrikam")]
    [InlineData("Northwind Traders", "Southwind Traders")]
    [InlineData("Alpine Ski House", "Alpine Bank")]
    [InlineData("Contoso", "Cantasia")]
    public void Different_organisations_are_not_similar(string a, string b) =>
        Assert.False(CompanyNames.AreSimilar(a, b), $"{a} ~ {b}: {CompanyNames.Similarity(a, b)}");

    [Fact]
    public void A_name_inside_another_is_related_but_generic_words_relate_nothing()
    {
        Assert.True(CompanyNames.Related("Contoso", "Contoso Pharma"));
        Assert.False(CompanyNames.Related("Global Systems", "Global Solutions"));
        Assert.Equal("contoso", CompanyNames.DistinctiveWord("Global Contoso Systems"));
        Assert.Null(CompanyNames.DistinctiveWord("Global Systems Group"));
    }

    [Fact]
    public void Short_names_get_no_sound_key_that_would_match_everyone()
    {
        Assert.Null(CompanyNames.SoundKey("Ace"));
        Assert.NotNull(CompanyNames.SoundKey("Contoso"));
    }

    [Theory]
    [InlineData("ana@contoso.com", "contoso.com")]
    [InlineData("Ana@Sales.Contoso.COM", "contoso.com")]
    [InlineData("bob@fabrikam.co.uk", "fabrikam.co.uk")]
    [InlineData("eve@mail.fabrikam.co.uk", "fabrikam.co.uk")]
    [InlineData("someone@gmail.com", null)]
    [InlineData("someone@hotmail.co.uk", null)]
    [InlineData("not-an-email", null)]
    [InlineData("x@10.0.0.1", null)]
    public void Email_domains_are_the_registrable_domain_and_free_mail_is_nobody(string email, string? domain) =>
        Assert.Equal(domain, CustomerDomains.OfEmail(email));

    [Theory]
    [InlineData("contoso.com", "contoso.com")]
    [InlineData("https://www.contoso.com/about", "contoso.com")]
    [InlineData("http://shop.müller.de", "xn--mller-kva.de")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("ftp://contoso.com", null)]
    public void Websites_give_their_registrable_domain(string website, string? domain) =>
        Assert.Equal(domain, CustomerDomains.OfWebsite(website));

    [Fact]
    public void Keys_are_exact_for_claims_and_wider_for_candidates()
    {
        var exact = CustomerKeys.Exact("Contoso Ltd", ["contoso.com"]);
        Assert.Equal(["n:contoso", "d:contoso.com"], exact);
        var all = CustomerKeys.All("Contoso Ltd", ["contoso.com"]);
        Assert.Equal(["n:contoso", "d:contoso.com", "s:2532", "w:contoso"], all);
    }
}
