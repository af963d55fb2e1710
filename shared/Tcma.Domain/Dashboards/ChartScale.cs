namespace Tcma.Domain.Dashboards;

/// <summary>The value axis of a chart: a round top at or above the largest value, and round steps to it.</summary>
public static class ChartScale
{
    /// <summary>Ticks from 0 to the top; an empty or all-zero series gets 0..1 so nothing divides by zero.</summary>
    public static IReadOnlyList<double> Ticks(double largest, int steps = 4)
    {
        if (double.IsNaN(largest) || largest <= 0) largest = 1;
        var rough = largest / steps;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= rough);
        if (step < 1 && largest >= 1) step = 1; // counts: no ticks at 0.25 of an email
        var count = (int)Math.Ceiling(largest / step);
        return Enumerable.Range(0, count + 1).Select(i => i * step).ToList();
    }

    /// <summary>Where a value falls on an axis <paramref name="length"/> long (0 at the bottom), for the given top.</summary>
    public static double Position(double value, double top, double length) => top <= 0 ? 0 : Math.Clamp(value / top, 0, 1) * length;

    /// <summary>A tick label: 1,200 as "1.2k", 3,000,000 as "3M".</summary>
    public static string Label(double v) => v switch
    {
        >= 1_000_000 => (v / 1_000_000).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "M",
        >= 10_000 => (v / 1_000).ToString("0", System.Globalization.CultureInfo.InvariantCulture) + "k",
        >= 1_000 => (v / 1_000).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "k",
        _ => v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
    };
}
