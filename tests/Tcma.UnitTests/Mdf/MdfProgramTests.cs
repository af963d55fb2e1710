using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

public sealed class MdfProgramTests
{
    private static IEnumerable<string> Codes(MdfProgram p) => p.Check().Select(r => r.Code);

    [Fact]
    public void The_sample_program_is_valid() => Assert.Empty(Q1.Check());

    [Fact]
    public void Activity_types_need_a_sane_rate_a_cap_in_the_program_currency_and_a_gl_code()
    {
        Assert.Contains("program.activity_rate", Codes(Q1 with { ActivityTypes = [Events with { ReimbursementRate = 1.01m }] }));
        Assert.Contains("program.activity_rate", Codes(Q1 with { ActivityTypes = [Events with { ReimbursementRate = 0m }] }));
        Assert.Contains("program.activity_cap", Codes(Q1 with { ActivityTypes = [Events with { Cap = Eur(10m) }] }));
        Assert.Contains("program.activity_gl_code", Codes(Q1 with { ActivityTypes = [Events with { GlCode = "" }] }));
        Assert.Contains("program.activity_duplicate", Codes(Q1 with { ActivityTypes = [Events, Events] }));
    }

    [Fact]
    public void Chains_start_with_a_level_for_every_amount_rise_in_order_and_have_a_distinct_backup()
    {
        var levels = Q1.RequestChain.Levels;
        Assert.Contains("program.chain_first_level", Codes(Q1 with { RequestChain = new([levels[1], levels[2]]) }));
        Assert.Contains("program.chain_order", Codes(Q1 with { RequestChain = new([levels[0], levels[2], levels[1]]) }));
        Assert.Contains("program.backup_same", Codes(Q1 with { RequestChain = new([levels[0] with { Backup = ChannelManager }]) }));
        Assert.Contains("program.chain_empty", Codes(Q1 with { RequestChain = new([]) }));
    }

    [Fact]
    public void Finance_must_approve_every_claim() =>
        Assert.Contains("program.claim_chain_finance", Codes(Q1 with { ClaimChain = new([Q1.RequestChain.Levels[0]]) }));

    [Fact]
    public void Fund_types_need_their_allocation_or_rate()
    {
        Assert.Contains("program.allocation", Codes(Q1 with { FixedAllocation = null }));
        Assert.Contains("program.accrual_rate", Codes(Q1 with { AccrualRate = 0m }));
        Assert.DoesNotContain("program.accrual_rate", Codes(Q1 with { FundType = FundType.FixedAllocation, AccrualRate = 0m }));
    }

    [Fact]
    public void Reminders_come_before_escalation() =>
        Assert.Contains("program.reminders", Codes(Q1 with { ReminderAfterDays = 5, EscalationAfterDays = 5 }));

    [Fact]
    public void An_invalid_program_refuses_every_submission()
    {
        var t = FundRequestWorkflow.Apply(FundRequestState.New("r", "partner-7", FundId),
            new SubmitRequest(RequestScenario.Proposal(100m), Q1 with { ClaimChain = new([Q1.RequestChain.Levels[0]]) }, FundWith(1_000m), RequestScenario.Partner), Now);
        Assert.Equal("program.claim_chain_finance", t.Refusals.Single().Code);
    }
}
