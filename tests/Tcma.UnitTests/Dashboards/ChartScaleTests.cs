using Tcma.Domain.Dashboards;

namespace Tcma.UnitTests.Dashboards;

public sealed class ChartScaleTests
{
    [Theory]
    [InlineData(0, new double[] { 0, 1 })]
    [InlineData(-5, new double[] { 0, 1 })]
    [InlineData(3, new double[] { 0, 1, 2, 3 })]
    [InlineData(7, new double[] { 0, 2, 4, 6, 8 })]
    [InlineData(95, new double[] { 0, 25, 50, 75, 100 })]
    [InlineData(1234, new double[] { 0, 500, 1000, 1500 })]
    public void The_axis_tops_out_at_a_round_number_at_or_above_the_largest_value(double largest, double[] ticks) =>
        Assert.Equal(ticks, ChartScale.Ticks(largest));

    [Fact]
    public void Every_value_of_a_series_fits_under_the_top_tick()
    {
        var random = new Random(3);
        for (var i = 0; i < 1000; i++)
        {
            var largest = random.NextDouble() * Math.Pow(10, random.Next(0, 8));
            var ticks = ChartScale.Ticks(largest);
            Assert.True(ticks[^1] >= largest, $"{largest} above {ticks[^1]}");
            Assert.InRange(ticks.Count, 2, 9);
        }
    }

    [Fact]
    public void Positions_stay_on_the_axis()
    {
        Assert.Equal(0, ChartScale.Position(0, 100, 200));
        Assert.Equal(100, ChartScale.Position(50, 100, 200));
        Assert.Equal(200, ChartScale.Position(150, 100, 200));
        Assert.Equal(0, ChartScale.Position(-3, 100, 200));
        Assert.Equal(0, ChartScale.Position(5, 0, 200));
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(950, "950")]
    [InlineData(1200, "1.2k")]
    [InlineData(25000, "25k")]
    [InlineData(3000000, "3M")]
    public void Tick_labels_are_short(double value, string label) => Assert.Equal(label, ChartScale.Label(value));
}
