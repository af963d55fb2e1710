using Tcma.Domain.Mdf;

namespace Tcma.UnitTests.Mdf;

/// <summary>The program every MDF test starts from: the one from issue 7 (5,000 / 25,000 thresholds, 50% events, 100% digital).</summary>
internal static class Samples
{
    public static Money Usd(decimal amount) => Money.Of(amount, Currency.USD);
    public static Money Eur(decimal amount) => Money.Of(amount, Currency.EUR);

    public static readonly DateTimeOffset Now = new(2026, 1, 10, 9, 30, 0, TimeSpan.Zero);
    public static readonly DateOnly Today = Days.Of(Now);

    public static readonly Approver ChannelManager = new("cm-1", "Chris Channel", "cm@vendor.test");
    public static readonly Approver ChannelManagerBackup = new("cm-2", "Cleo Backup", "cm2@vendor.test");
    public static readonly Approver Director = new("md-1", "Dana Director", "md@vendor.test");
    public static readonly Approver DirectorBackup = new("md-2", "Dev Deputy", "md2@vendor.test");
    public static readonly Approver Finance = new("fin-1", "Fran Finance", "fin@vendor.test");
    public static readonly Approver FinanceBackup = new("fin-2", "Finn Backup", "fin2@vendor.test");

    public static readonly ActivityType Events = new("events", "Events", 0.5m, Usd(10_000m), "6100-EVT");
    public static readonly ActivityType Digital = new("digital", "Digital advertising", 1.0m, Usd(30_000m), "6200-DIG");

    public static readonly MdfProgram Q1 = new()
    {
        Id = "q1-2026",
        Name = "Partner MDF Q1 2026",
        Period = ProgramPeriod.Quarter(2026, 1),
        Currency = Currency.USD,
        FundType = FundType.Both,
        FixedAllocation = Usd(50_000m),
        AccrualRate = 0.02m,
        ActivityTypes = [Events, Digital],
        ProposalLeadDays = 14,
        ClaimDeadlineDays = 60,
        RequestChain = new([
            new(1, "Channel manager", ApproverRole.ChannelManager, Usd(0m), ChannelManager, ChannelManagerBackup),
            new(2, "Marketing director", ApproverRole.MarketingDirector, Usd(5_000m), Director, DirectorBackup),
            new(3, "Finance", ApproverRole.Finance, Usd(25_000m), Finance, FinanceBackup),
        ]),
        ClaimChain = new([
            new(1, "Finance", ApproverRole.Finance, Usd(0m), Finance, FinanceBackup),
            new(2, "Marketing director", ApproverRole.MarketingDirector, Usd(25_000m), Director, DirectorBackup),
        ]),
        ReminderAfterDays = 2,
        EscalationAfterDays = 5,
        MaxAmount = Usd(1_000_000m),
    };

    public const string FundId = "fund|partner-7|q1-2026";

    /// <summary>A fund that received its allocation: 50,000 available.</summary>
    public static FundBalance FundWith(decimal allocated)
    {
        var empty = FundBalance.Empty(FundId, Currency.USD);
        return allocated == 0 ? empty : Apply(empty, new AllocateFunds("alloc-1", Usd(allocated), "system", Now));
    }

    public static FundBalance Apply(FundBalance balance, FundCommand command)
    {
        var decision = FundLedger.Decide(balance, command);
        Assert.False(decision.IsRefused, decision.Refusal?.ToString());
        return decision.ApplyTo(balance);
    }
}
