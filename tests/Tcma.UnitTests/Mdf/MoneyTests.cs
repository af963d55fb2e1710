using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class MoneyTests
{
    private static readonly MoneyRules UsdRules = new(Usd(1_000_000m));

    [Fact]
    public void Amounts_keep_the_minor_units_of_their_currency()
    {
        Assert.Equal("5000.00", Usd(5000m).ToInvariantString());
        Assert.Equal("1200", Money.Of(1200m, Currency.JPY).ToInvariantString());
        Assert.Equal("1.250", Money.Of(1.25m, Currency.KWD).ToInvariantString());
        Assert.Equal(Usd(5m), Usd(5.00m));
        Assert.Equal("USD 12,345.60", Usd(12345.6m).ToString());
    }

    [Fact]
    public void An_amount_finer_than_the_currency_allows_is_a_programming_error()
    {
        Assert.Throws<ArgumentException>(() => Usd(0.001m));
        Assert.Throws<ArgumentException>(() => Money.Of(1.5m, Currency.JPY));
    }

    [Fact]
    public void Arithmetic_and_comparison_across_currencies_throw()
    {
        Assert.Throws<CurrencyMismatchException>(() => Usd(1m) + Eur(1m));
        Assert.Throws<CurrencyMismatchException>(() => Usd(1m) - Eur(1m));
        Assert.Throws<CurrencyMismatchException>(() => Usd(1m) < Eur(2m));
        Assert.NotEqual(Usd(1m), Eur(1m));
    }

    [Fact]
    public void Rates_round_toward_zero_so_a_reimbursement_is_never_a_fraction_over()
    {
        Assert.Equal(Usd(0.33m), Usd(0.67m).TimesRateRoundedDown(0.5m));
        Assert.Equal(Usd(3329.99m), Usd(9999.99m).TimesRateRoundedDown(0.333m));
        Assert.Equal(Money.Of(49m, Currency.JPY), Money.Of(99m, Currency.JPY).TimesRateRoundedDown(0.5m));
    }

    [Theory]
    [InlineData("5000", "5000.00")]
    [InlineData("5,000.5", "5000.50")]
    [InlineData(" 5000.10 ", "5000.10")]
    [InlineData("USD 250", "250.00")]
    [InlineData("250 usd", "250.00")]
    [InlineData("+12.500", "12.50")]
    [InlineData("1,000,000", "1000000.00")]
    public void Typed_amounts_are_read(string input, string expected)
    {
        var parsed = MoneyInput.Parse(input, Currency.USD, UsdRules);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Refusals));
        Assert.Equal(expected, parsed.Value!.ToInvariantString());
    }

    [Theory]
    [InlineData(null, "money.missing")]
    [InlineData("   ", "money.missing")]
    [InlineData("-5", "money.negative")]
    [InlineData("USD -5", "money.negative")]
    [InlineData("0", "money.zero")]
    [InlineData("0.00", "money.zero")]
    [InlineData("1000000.01", "money.too_large")]
    [InlineData("99999999999999999999999999999999", "money.not_a_number")]
    [InlineData("abc", "money.not_a_number")]
    [InlineData("1e5", "money.not_a_number")]
    [InlineData("5,00", "money.not_a_number")]
    [InlineData("12.345", "money.too_many_decimals")]
    [InlineData("EUR 100", "money.wrong_currency")]
    [InlineData("100 GBP", "money.wrong_currency")]
    [InlineData("USD 100 USD", "money.not_a_number")]
    [InlineData("NaN", "money.not_a_number")]
    [InlineData("=1+1", "money.not_a_number")]
    public void Bad_amounts_are_refused_with_the_reason(string? input, string code)
    {
        var parsed = MoneyInput.Parse(input, Currency.USD, UsdRules);
        Assert.False(parsed.IsValid);
        Assert.Equal(code, Assert.Single(parsed.Refusals).Code);
    }

    [Fact]
    public void Yen_has_no_decimals_and_zero_is_accepted_where_the_field_allows_it()
    {
        var yen = new MoneyRules(Money.Of(10_000_000m, Currency.JPY), AllowZero: true);
        Assert.Equal("money.too_many_decimals", MoneyInput.Parse("100.5", Currency.JPY, yen).Refusals.Single().Code);
        Assert.Equal(Money.Of(100m, Currency.JPY), MoneyInput.Parse("100.00", Currency.JPY, yen).Value);
        Assert.Equal(Money.Zero(Currency.JPY), MoneyInput.Parse("0", Currency.JPY, yen).Value);
    }

    [Fact]
    public void Unknown_currency_codes_are_refused_not_guessed()
    {
        Assert.Equal("currency.unknown", Currency.Parse("XYZ").Refusals.Single().Code);
        Assert.Equal(Currency.EUR, Currency.Parse(" eur ").Value);
    }
}
