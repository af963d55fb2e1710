using System.Globalization;

namespace Tcma.Domain.Mdf;

/// <summary>Raised when code adds, subtracts or compares two currencies: a programming error, never a user error (user input is checked first).</summary>
public sealed class CurrencyMismatchException(Currency left, Currency right)
    : InvalidOperationException($"Cannot combine {left.Code} with {right.Code}.");

/// <summary>
/// An amount of one currency, always held at exactly that currency's minor units (USD 12.50, JPY 1200).
/// Decimal only: a floating-point number never touches money.
/// </summary>
public sealed record Money : IComparable<Money>
{
    private Money(decimal amount, Currency currency) { Amount = amount; Currency = currency; }

    public decimal Amount { get; }
    public Currency Currency { get; }

    /// <summary>Throws when the amount has more decimals than the currency allows: callers round explicitly, never silently.</summary>
    public static Money Of(decimal amount, Currency currency)
    {
        var scaled = decimal.Round(amount, currency.MinorUnits);
        if (scaled != amount)
            throw new ArgumentException($"{amount} has more decimals than {currency.Code} allows ({currency.MinorUnits}).", nameof(amount));
        return new Money(Normalise(scaled, currency.MinorUnits), currency);
    }

    public static Money Zero(Currency currency) => new(Normalise(0m, currency.MinorUnits), currency);

    public bool IsZero => Amount == 0m;
    public bool IsPositive => Amount > 0m;
    public bool IsNegative => Amount < 0m;

    public static Money operator +(Money a, Money b) { Same(a, b); return new(Normalise(a.Amount + b.Amount, a.Currency.MinorUnits), a.Currency); }
    public static Money operator -(Money a, Money b) { Same(a, b); return new(Normalise(a.Amount - b.Amount, a.Currency.MinorUnits), a.Currency); }
    public static Money operator -(Money a) => new(Normalise(-a.Amount, a.Currency.MinorUnits), a.Currency);
    public static bool operator <(Money a, Money b) => a.CompareTo(b) < 0;
    public static bool operator >(Money a, Money b) => a.CompareTo(b) > 0;
    public static bool operator <=(Money a, Money b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Money a, Money b) => a.CompareTo(b) >= 0;

    public int CompareTo(Money? other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Same(this, other);
        return Amount.CompareTo(other.Amount);
    }

    public static Money Min(Money a, Money b) => a <= b ? a : b;
    public static Money Max(Money a, Money b) => a >= b ? a : b;

    /// <summary>
    /// This amount times a rate (50% = 0.5), rounded toward zero to the minor unit: a reimbursement or an
    /// accrual may come out a fraction of a cent short, never a fraction over.
    /// </summary>
    public Money TimesRateRoundedDown(decimal rate) =>
        new(Normalise(decimal.Round(Amount * rate, Currency.MinorUnits, MidpointRounding.ToZero), Currency.MinorUnits), Currency);

    public bool SameCurrencyAs(Money other) => Currency == other.Currency;

    /// <summary>Plain invariant digits for files and machines: "1234.50", "1200" for JPY.</summary>
    public string ToInvariantString() => Amount.ToString("F" + Currency.MinorUnits, CultureInfo.InvariantCulture);

    /// <summary>For people: "USD 1,234.50".</summary>
    public override string ToString() => $"{Currency.Code} {Amount.ToString("N" + Currency.MinorUnits, CultureInfo.InvariantCulture)}";

    public bool Equals(Money? other) => other is not null && Currency == other.Currency && Amount == other.Amount;
    public override int GetHashCode() => HashCode.Combine(Currency.Code, Amount);

    private static void Same(Money a, Money b)
    {
        if (a.Currency != b.Currency) throw new CurrencyMismatchException(a.Currency, b.Currency);
    }

    // Gives every amount the same scale, so 5 and 5.00 print, hash and serialise alike.
    private static decimal Normalise(decimal value, int minorUnits) =>
        decimal.Round(value + new decimal(0, 0, 0, false, (byte)minorUnits), minorUnits);
}
