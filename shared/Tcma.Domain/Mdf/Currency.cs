namespace Tcma.Domain.Mdf;

/// <summary>An ISO 4217 currency with the number of decimals its smallest unit allows (JPY 0, USD 2, KWD 3).</summary>
public sealed record Currency
{
    private Currency(string code, int minorUnits) { Code = code; MinorUnits = minorUnits; }

    public string Code { get; }
    public int MinorUnits { get; }

    // Only currencies we can pay out in; an unknown code is refused rather than guessed at 2 decimals.
    private static readonly Dictionary<string, Currency> Known = new Dictionary<string, int>
    {
        ["USD"] = 2, ["EUR"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["CAD"] = 2, ["AUD"] = 2, ["NZD"] = 2,
        ["SEK"] = 2, ["NOK"] = 2, ["DKK"] = 2, ["PLN"] = 2, ["CZK"] = 2, ["INR"] = 2, ["CNY"] = 2,
        ["HKD"] = 2, ["SGD"] = 2, ["BRL"] = 2, ["MXN"] = 2, ["ZAR"] = 2, ["AED"] = 2,
        ["JPY"] = 0, ["KRW"] = 0, ["CLP"] = 0, ["ISK"] = 0,
        ["KWD"] = 3, ["BHD"] = 3, ["OMR"] = 3, ["JOD"] = 3, ["TND"] = 3,
    }.ToDictionary(p => p.Key, p => new Currency(p.Key, p.Value), StringComparer.Ordinal);

    public static readonly Currency USD = Known["USD"];
    public static readonly Currency EUR = Known["EUR"];
    public static readonly Currency JPY = Known["JPY"];
    public static readonly Currency KWD = Known["KWD"];

    public static Checked<Currency> Parse(string? code)
    {
        var normalised = (code ?? "").Trim().ToUpperInvariant();
        return Known.TryGetValue(normalised, out var currency)
            ? Checked<Currency>.Ok(currency)
            : Checked<Currency>.No(new Refusal("currency.unknown", $"'{code}' is not a currency we pay in (expected an ISO 4217 code such as USD or EUR)."));
    }

    public static Currency Of(string code) =>
        Known.TryGetValue(code, out var currency) ? currency : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));

    public override string ToString() => Code;
}
