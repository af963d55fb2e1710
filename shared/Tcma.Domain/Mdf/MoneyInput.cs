using System.Globalization;
using System.Text.RegularExpressions;

namespace Tcma.Domain.Mdf;

/// <summary>What an amount typed by a person may be: zero is allowed for some fields (estimated results), never for money asked for.</summary>
public sealed record MoneyRules(Money Max, bool AllowZero = false);

/// <summary>Reads an amount typed by a partner or an approver ("5,000", "5000.50", "USD 5000", "5000 usd") into <see cref="Money"/>, or says exactly what is wrong.</summary>
public static partial class MoneyInput
{
    public static Checked<Money> Parse(string? text, Currency expected, MoneyRules rules)
    {
        if (rules.Max.Currency != expected) throw new CurrencyMismatchException(expected, rules.Max.Currency);
        var input = (text ?? "").Trim();
        if (input.Length == 0) return No("money.missing", "Enter an amount.");
        if (input.Length > 40) return No("money.not_a_number", "That is not an amount.");

        var match = Shape().Match(input);
        if (!match.Success) return No("money.not_a_number", $"'{Shorten(input)}' is not an amount: use digits, an optional decimal point and optionally the currency code, e.g. 5000.00 {expected.Code}.");

        if (match.Groups["pre"].Success && match.Groups["post"].Success)
            return No("money.not_a_number", "Give the currency once, before or after the amount.");
        var code = match.Groups["pre"].Success ? match.Groups["pre"].Value : match.Groups["post"].Success ? match.Groups["post"].Value : null;
        if (code is not null && !string.Equals(code, expected.Code, StringComparison.OrdinalIgnoreCase))
            return No("money.wrong_currency", $"This program pays in {expected.Code}, not {code.ToUpperInvariant()}.");

        if (match.Groups["sign"].Value == "-") return No("money.negative", "The amount cannot be negative.");

        var digits = match.Groups["number"].Value;
        if (!decimal.TryParse(digits, NumberStyles.AllowThousands | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            return No("money.not_a_number", $"'{Shorten(input)}' is not an amount.");

        var decimals = match.Groups["fraction"].Success ? match.Groups["fraction"].Value.TrimEnd('0').Length : 0;
        if (decimals > expected.MinorUnits)
            return No("money.too_many_decimals", expected.MinorUnits == 0
                ? $"{expected.Code} amounts have no decimals."
                : $"{expected.Code} amounts have at most {expected.MinorUnits} decimals.");

        var money = Money.Of(decimal.Round(value, expected.MinorUnits), expected);
        if (money.IsZero && !rules.AllowZero) return No("money.zero", "The amount must be more than zero.");
        if (money > rules.Max) return No("money.too_large", $"{money} is more than the largest amount accepted here ({rules.Max}).");
        return Checked<Money>.Ok(money);
    }

    private static Checked<Money> No(string code, string message) => Checked<Money>.No(new Refusal(code, message));

    private static string Shorten(string s) => s.Length <= 20 ? s : s[..20] + "…";

    // Thousands separators only in groups of three, so "5,00" (a European decimal comma) is refused instead of read as 500.
    [GeneratedRegex(@"^(?:(?<pre>[A-Za-z]{3})\s*)?(?<sign>[+-])?\s*(?<number>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.(?<fraction>\d+))?)(?:\s*(?<post>[A-Za-z]{3}))?$")]
    private static partial Regex Shape();
}
