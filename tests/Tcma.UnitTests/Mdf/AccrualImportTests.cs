using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class AccrualImportTests
{
    [Fact]
    public void Revenue_lines_become_accruals_at_the_program_rate_rounded_down()
    {
        var read = AccrualImport.Read("partner_id,revenue,currency\r\npartner-7,\"40,620.99\",USD\npartner-8,0\n", Q1);
        Assert.True(read.IsValid, string.Join("; ", read.Refusals));
        Assert.Equal([("partner-7", Usd(40_620.99m), Usd(812.41m)), ("partner-8", Usd(0m), Usd(0m))], read.Value!.Select(l => (l.PartnerId, l.Revenue, l.Accrued)));
        Assert.Equal("accrual|2026-01|partner-7", read.Value![0].OperationId("2026-01"));
        Assert.Null(read.Value![1].Command("2026-01", "import", Now));
        Assert.Equal(Usd(812.41m), read.Value![0].Command("2026-01", "import", Now)!.Amount);
    }

    [Fact]
    public void Importing_the_same_revenue_twice_credits_the_fund_once()
    {
        var line = AccrualImport.Read("partner_id,revenue\npartner-7,1000\n", Q1).Value!.Single();
        var accrue = new AccrueFunds(line.OperationId("2026-01"), line.Accrued, "import", Now);
        var fund = Apply(FundWith(0m), accrue);
        Assert.True(FundLedger.Decide(fund, accrue).IsNoOp);
        Assert.Equal(Usd(20m), fund.Accrued);
    }

    [Theory]
    [InlineData("partner,amount\np,1\n", "accrual.header")]
    [InlineData("partner_id,revenue\np,\"1\n", "accrual.bad_csv")]
    [InlineData("partner_id,revenue\np,-5\n", "money.negative")]
    [InlineData("partner_id,revenue\np,5,EUR\n", "money.wrong_currency")]
    [InlineData("partner_id,revenue\np,five\n", "money.not_a_number")]
    [InlineData("partner_id,revenue\np,1\np,2\n", "accrual.duplicate_partner")]
    [InlineData("partner_id,revenue\n,1\n", "accrual.partner")]
    public void Bad_lines_are_refused_with_their_line_number(string csv, string code)
    {
        var read = AccrualImport.Read(csv, Q1);
        var refusal = Assert.Single(read.Refusals);
        Assert.Equal(code, refusal.Code);
        if (code.StartsWith("money.", StringComparison.Ordinal)) Assert.StartsWith("Line 2:", refusal.Message);
    }

    [Fact]
    public void A_fixed_allocation_program_has_no_accrual() =>
        Assert.Equal("accrual.not_accrual_program", AccrualImport.Read("partner_id,revenue\n", Q1 with { FundType = FundType.FixedAllocation }).Refusals.Single().Code);
}
