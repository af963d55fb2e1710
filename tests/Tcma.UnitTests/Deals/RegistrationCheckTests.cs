using Tcma.Domain.Deals;
using static Tcma.UnitTests.Deals.DealSamples;

namespace Tcma.UnitTests.Deals;

public sealed class RegistrationCheckTests
{
    private static IReadOnlyList<string> Codes(RegistrationInput input, string tier = "Gold", RulesOfEngagement? rules = null) =>
        RegistrationCheck.Validate(input, rules ?? Rules(), tier, Now).Refusals.Select(r => r.Code).ToList();

    [Fact]
    public void A_good_registration_is_normalised()
    {
        var r = RegistrationCheck.Validate(Input(company: "  Contoso   Ltd ", email: "Ana@Contoso.COM", value: "50,000.00") with { Website = "www.contoso.com" }, Rules(), "Gold", Now);
        Assert.True(r.IsValid, string.Join("; ", r.Refusals));
        Assert.Equal("Contoso Ltd", r.Value!.Customer.CompanyName);
        Assert.Equal("ana@contoso.com", r.Value.Contact.Email);
        Assert.Equal(Usd(50_000m), r.Value.EstimatedValue);
        Assert.Equal(["contoso.com"], r.Value.Domains);
    }

    [Theory]
    [InlineData("-5000", "USD", "money.negative")]
    [InlineData("0", "USD", "money.zero")]
    [InlineData("999999999999", "USD", "money.too_large")]
    [InlineData("1e9", "USD", "money.not_a_number")]
    [InlineData("five thousand", "USD", "money.not_a_number")]
    [InlineData("5000", "USD", "deal.below_minimum")]
    [InlineData("50000", "XYZ", "currency.unknown")]
    [InlineData("50000", "JPY", "deal.currency_not_accepted")]
    [InlineData("50000.123", "USD", "money.too_many_decimals")]
    [InlineData("50000 EUR", "USD", "money.wrong_currency")]
    public void Absurd_negative_and_foreign_values_are_refused_with_a_reason(string value, string currency, string code) =>
        Assert.Contains(code, Codes(Input(value: value, currency: currency)));

    [Theory]
    [InlineData("2026-03-01", "deal.close_in_past")]
    [InlineData("2020-01-01", "deal.close_in_past")]
    [InlineData("2027-06-30", "deal.close_too_far")]
    [InlineData("30/06/2026", "deal.close_date")]
    public void Close_dates_must_lie_ahead_within_the_rules(string close, string code) =>
        Assert.Equal([code], Codes(Input(close: close)));

    [Fact]
    public void Today_is_not_in_the_past() => Assert.Empty(Codes(Input(close: "2026-03-02")));

    [Fact]
    public void Every_problem_comes_back_at_once()
    {
        var codes = Codes(new RegistrationInput { Country = "Atlantis", ContactEmail = "nope", Products = ["toaster"], EstimatedValue = "-1", Currency = "USD", ExpectedClose = "yesterday", FoundVia = "launch" }, tier: "Bronze",
            rules: Rules() with { AllowedTiers = ["Gold", "Platinum"] });
        Assert.Equal(["deal.tier_not_allowed", "deal.company_missing", "deal.country", "deal.contact_missing", "deal.contact_email", "deal.unknown_product", "money.negative", "deal.close_date", "deal.launch_missing"], codes);
    }

    [Fact]
    public void The_rules_say_in_plain_words_what_they_are()
    {
        var words = string.Join(" ", Rules().PlainWords());
        Assert.Contains("protects your opportunity for 90 days", words);
        Assert.Contains("ask once for 30 more days", words);
        Assert.Contains("the first registration counts", words);
        Assert.Contains("from USD 10,000.00 or EUR 9,000.00", words);
        Assert.Contains("an extra 10% discount", words);
    }

    [Fact]
    public void Rules_that_cannot_work_are_not_published()
    {
        var bad = Rules() with { ProtectionDays = 0, DealSizes = [], Products = [new("Bad Id", "")], SameOpportunity = new(false, false), EscalationAfterDays = 1 };
        var codes = bad.Check().Select(r => r.Code).ToList();
        Assert.Equal(["rules.protection_days", "rules.escalation_before_reminder", "rules.same_opportunity", "rules.no_currency", "rules.product"], codes);
        Assert.Empty(Rules().Check());
    }
}
