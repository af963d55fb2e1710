using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class PayoutExportTests
{
    private static Payout P(string claim, string partner, decimal amount, Currency? currency = null) =>
        new(claim, "req-" + claim, partner, "fund-" + partner, Money.Of(amount, currency ?? Currency.USD), "6100-EVT", "MDF-" + claim, Now);

    private static readonly Dictionary<string, string> Names = new() { ["p1"] = "Contoso, Ltd.", ["p2"] = "Fabrikam \"Pro\"" };

    [Fact]
    public void The_export_lists_each_approved_payout_with_what_the_erp_needs()
    {
        var file = PayoutExport.Build("exp-1", [P("c2", "p2", 10m), P("c1", "p1", 1234.5m), P("c3", "p1", 99m, Currency.JPY)], new HashSet<string>(), Names);
        Assert.Equal(
            "partner_id,partner_name,amount,currency,reference,gl_code,claim_id,request_id\r\n" +
            "p1,\"Contoso, Ltd.\",1234.50,USD,MDF-c1,6100-EVT,c1,req-c1\r\n" +
            "p1,\"Contoso, Ltd.\",99,JPY,MDF-c3,6100-EVT,c3,req-c3\r\n" +
            "p2,\"Fabrikam \"\"Pro\"\"\",10.00,USD,MDF-c2,6100-EVT,c2,req-c2\r\n", file.Csv);
        Assert.Equal([Usd(1244.50m), Money.Of(99m, Currency.JPY)], PayoutExport.Totals(file).OrderBy(m => m.Currency.Code == "USD" ? 0 : 1));
    }

    [Fact]
    public void A_claim_is_never_exported_twice()
    {
        var first = PayoutExport.Build("exp-1", [P("c1", "p1", 10m), P("c1", "p1", 10m)], new HashSet<string>(), Names);
        Assert.Equal(["c1"], first.Payouts.Select(p => p.ClaimId));
        var second = PayoutExport.Build("exp-2", [P("c1", "p1", 10m), P("c2", "p2", 20m)], first.Payouts.Select(p => p.ClaimId).ToHashSet(), Names);
        Assert.Equal(["c2"], second.Payouts.Select(p => p.ClaimId));
        var third = PayoutExport.Build("exp-3", [P("c1", "p1", 10m), P("c2", "p2", 20m)], new HashSet<string> { "c1", "c2" }, Names);
        Assert.True(third.IsEmpty);
        Assert.Equal(1, third.Csv.Count(ch => ch == '\n'));
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\",\"x\")", "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"")]
    [InlineData("+1+1", "'+1+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tcmd", "'\tcmd")]
    [InlineData("\r=1", "\"'\r=1\"")]
    [InlineData("Plain Partner", "Plain Partner")]
    public void Partner_names_cannot_smuggle_a_formula_into_finance_s_spreadsheet(string name, string cell)
    {
        var file = PayoutExport.Build("exp-1", [P("c1", "p1", 10m)], new HashSet<string>(), new Dictionary<string, string> { ["p1"] = name });
        Assert.StartsWith("p1," + cell + ",10.00,USD", file.Csv.Split("\r\n")[1]);
        Assert.Equal(name.Length > 0 && "=+-@\t\r".Contains(name[0]) ? "'" + name : name, CsvText.Read(file.Csv)![1][1]);
    }

    [Fact]
    public void A_missing_partner_name_falls_back_to_the_id()
    {
        var file = PayoutExport.Build("exp-1", [P("c1", "p9", 10m)], new HashSet<string>(), Names);
        Assert.StartsWith("p9,p9,10.00", file.Csv.Split("\r\n")[1]);
    }
}
