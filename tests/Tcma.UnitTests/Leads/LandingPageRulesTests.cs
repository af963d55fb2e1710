using Microsoft.AspNetCore.Http;
using Tcma.Domain.Kits;
using Tcma.Domain.Partners;
using Tcma.Functions.Kits;
using Tcma.Functions.Launches;
using Tcma.Functions.Leads;

namespace Tcma.UnitTests.Leads;

/// <summary>The landing page's own rules: who may use a kit's page, which fields its form asks for, and where a POST may come from.</summary>
public sealed class LandingPageRulesTests
{
    private static readonly Partner Gold = new("harbour", "Harbour IT", "Gold", "North America", "US", ["Backup"], [new("Dana", "dana@harbour.example", "", true)], PartnerStatus.Active);
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static KitTargetingView Targeting(string[]? tiers = null, string[]? regions = null, string[]? specs = null, DateTimeOffset? from = null, DateTimeOffset? until = null) =>
        new(tiers ?? [], regions ?? [], specs ?? [], from, until);

    [Fact]
    public void A_kit_targets_a_partner_only_when_every_given_list_includes_it_and_the_window_is_open()
    {
        Assert.True(LandingPages.MayUse(Targeting(), Gold, Now));
        Assert.True(LandingPages.MayUse(Targeting(["gold", "Silver"], ["North America"], ["Security", "Backup"]), Gold, Now));
        Assert.False(LandingPages.MayUse(Targeting(["Silver"]), Gold, Now));
        Assert.False(LandingPages.MayUse(Targeting(regions: ["EMEA"]), Gold, Now));
        Assert.False(LandingPages.MayUse(Targeting(specs: ["Security"]), Gold, Now));
        Assert.False(LandingPages.MayUse(Targeting(from: Now.AddDays(1)), Gold, Now));
        Assert.False(LandingPages.MayUse(Targeting(until: Now), Gold, Now));
    }

    [Fact]
    public void The_form_adds_what_every_lead_needs_and_leaves_out_what_a_lead_cannot_keep()
    {
        var fields = LandingPages.Fields(new LeadForm([new("email", "Work email", "email"), new("firstName", "First name", "text"), new("message", "Question", "textarea"), new("companySize", "Size", "select", false, ["1-10"])], "I agree."));

        // Names together, then how to reach the person, where they work, where they are: not "Last name" after "Employees".
        Assert.Equal(["firstName", "lastName", "email", "companySize", "country"], fields.Select(f => f.Name));
        Assert.All(fields.Where(f => f.Name is "email" or "firstName" or "lastName" or "country"), f => Assert.True(f.Required));
        Assert.False(fields.Single(f => f.Name == "companySize").Required);
        var country = fields.Single(f => f.Name == "country");
        Assert.Equal(LandingPageField.CountryType, country.Type);
        Assert.Equal("Country", country.Label);
        Assert.Equal(2, country.MaxLength);
    }

    [Fact]
    public void Fields_the_order_does_not_know_keep_the_kits_order_after_the_known_ones_and_a_typed_country_becomes_a_list()
    {
        var fields = LandingPages.Fields(new LeadForm(
        [
            new("productInterest", "Product", "text"), new("country", "Country code", "text", true), new("company", "Company", "text"),
            new("lastName", "Surname", "text", true), new("jobTitle", "Role", "text"), new("firstName", "Given name", "text", true), new("email", "Email", "email", true),
        ], "I agree."));

        Assert.Equal(["firstName", "lastName", "email", "jobTitle", "company", "country", "productInterest"], fields.Select(f => f.Name));
        Assert.Equal(LandingPageField.CountryType, fields.Single(f => f.Name == "country").Type);
        Assert.Equal("Surname", fields.Single(f => f.Name == "lastName").Label);
    }

    [Fact]
    public void The_country_list_offers_exactly_the_codes_a_lead_may_have_named_for_people()
    {
        var all = Tcma.Domain.Countries.All;
        Assert.All(all, c => Assert.Equal(c.Code, Tcma.Domain.Leads.LeadNormalisation.Country(c.Code)));
        Assert.Contains(all, c => c.Code == "DE" && c.Name == "Germany");
        Assert.Contains(all, c => c.Code == "US" && c.Name == "United States");
        Assert.True(all.Count > 200);
        Assert.Equal(all.Select(c => c.Name).Order(StringComparer.InvariantCultureIgnoreCase), all.Select(c => c.Name));
    }

    [Theory]
    [InlineData("https://tcma.example", null, true)]
    [InlineData(null, "https://tcma.example/p/v/p/k?launch=1", true)]
    [InlineData("https://evil.example", null, false)]
    [InlineData("https://tcma.example.evil.example", null, false)]
    [InlineData("null", "https://evil.example/x", false)]
    [InlineData(null, null, false)]
    [InlineData("https://public.example", null, true)]
    public void A_post_is_accepted_from_the_pages_own_origin_or_an_allowed_one(string? origin, string? referer, bool accepted)
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = "https";
        context.Request.Host = new HostString("tcma.example");
        if (origin is not null) context.Request.Headers.Origin = origin;
        if (referer is not null) context.Request.Headers.Referer = referer;

        Assert.Equal(accepted, LandingCapture.SameOrigin(context.Request, ["https://public.example/"]));
    }

    [Theory]
    [InlineData("launch-42", "launch-42")]
    [InlineData("", null)]
    [InlineData("a/b", null)]
    [InlineData("<script>", null)]
    public void Only_a_plausible_launch_id_is_kept(string given, string? kept) => Assert.Equal(kept, LandingCapture.LaunchId(given));
}
