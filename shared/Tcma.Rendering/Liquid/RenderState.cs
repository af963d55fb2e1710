using System.Collections.Concurrent;
using System.Globalization;

namespace Tcma.Rendering.Liquid;

/// <summary>What our filters and tags need during one render, carried in DotLiquid's per-render registers.</summary>
internal sealed class RenderState(RenderOptions options, IReadOnlyDictionary<string, CompiledTemplate> partials, CancellationToken token, LiquidLimits limits)
{
    public const string Key = "tcma";
    private static readonly ConcurrentDictionary<(string Culture, string Currency), NumberFormatInfo> CurrencyFormats = new();

    public CultureInfo Culture => options.Culture;
    public TimeZoneInfo TimeZone => options.TimeZone;
    public DateTimeOffset Now => options.Now;
    public LiquidTracking? Tracking => options.Tracking;
    public IReadOnlyDictionary<string, CompiledTemplate> Partials => partials;
    public CancellationToken Token => token;
    public LiquidLimits Limits => limits;
    /// <summary>Line and column of the last output or tag started, for render errors.</summary>
    public (int Line, int Column) At { get; set; }

    public NumberFormatInfo CurrencyFormat => CurrencyFormats.GetOrAdd((options.Culture.Name, options.Currency.ToUpperInvariant()), key =>
    {
        // The partner's culture decides separators and symbol placement; the currency decides symbol and decimals.
        var format = (NumberFormatInfo)CultureInfo.GetCultureInfo(key.Culture).NumberFormat.Clone();
        var (symbol, digits) = CurrencySymbol(key.Currency, key.Culture);
        format.CurrencySymbol = symbol;
        format.CurrencyDecimalDigits = digits;
        return NumberFormatInfo.ReadOnly(format);
    });

    private static (string Symbol, int Digits) CurrencySymbol(string iso, string cultureName)
    {
        var cultures = CultureInfo.GetCultures(CultureTypes.SpecificCultures);
        var own = cultures.FirstOrDefault(c => c.Name == cultureName);
        foreach (var c in own is null ? cultures : cultures.Prepend(own))
        {
            try
            {
                if (new RegionInfo(c.Name).ISOCurrencySymbol == iso) return (c.NumberFormat.CurrencySymbol, c.NumberFormat.CurrencyDecimalDigits);
            }
            catch (ArgumentException) { }
        }
        return (iso, 2);
    }
}

/// <summary>Counts what a render writes and stops it at the output limit, before memory fills.</summary>
internal sealed class LimitedWriter(int maxChars) : StringWriter(CultureInfo.InvariantCulture)
{
    public override void Write(char value)
    {
        Check(1);
        base.Write(value);
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        Check(value.Length);
        base.Write(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Check(count);
        base.Write(buffer, index, count);
    }

    public override void Write(ReadOnlySpan<char> buffer)
    {
        Check(buffer.Length);
        base.Write(buffer);
    }

    private void Check(int adding)
    {
        if (GetStringBuilder().Length + adding > maxChars) throw new OutputLimitException(maxChars);
    }
}

internal sealed class OutputLimitException(int maxChars) : Exception($"the output is larger than the limit of {maxChars:N0} characters");
