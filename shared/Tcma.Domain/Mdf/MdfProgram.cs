using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>How a partner's fund is filled: a fixed allocation, a share of the partner's revenue (accrual), or both.</summary>
[Flags]
public enum FundType { FixedAllocation = 1, Accrual = 2, Both = FixedAllocation | Accrual }

/// <summary>
/// A vendor's MDF program for one period and currency. A request and its claim keep the copy of the program
/// they were submitted under, so a vendor editing the program never changes the rules of a decision in flight.
/// </summary>
public sealed record MdfProgram
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required ProgramPeriod Period { get; init; }
    public required Currency Currency { get; init; }
    public required FundType FundType { get; init; }
    /// <summary>Given to each partner when <see cref="FundType"/> includes a fixed allocation.</summary>
    public Money? FixedAllocation { get; init; }
    /// <summary>Share of imported partner revenue credited to the fund (0.02 = 2%) when the type includes accrual.</summary>
    public decimal AccrualRate { get; init; }
    public required IReadOnlyList<ActivityType> ActivityTypes { get; init; }
    /// <summary>A proposal must arrive at least this many days before the activity starts.</summary>
    public int ProposalLeadDays { get; init; } = 14;
    /// <summary>A claim must arrive at most this many days after the activity ends (unless an extension was approved).</summary>
    public int ClaimDeadlineDays { get; init; } = 60;
    public required ApprovalChain RequestChain { get; init; }
    public required ApprovalChain ClaimChain { get; init; }
    public int ReminderAfterDays { get; init; } = 2;
    public int EscalationAfterDays { get; init; } = 5;
    /// <summary>Any single amount above this is a typing mistake, not a marketing budget.</summary>
    public required Money MaxAmount { get; init; }
    public ProofFileRules ProofFiles { get; init; } = new();

    public ActivityType? Activity(string id) => ActivityTypes.FirstOrDefault(a => a.Id == id);
    [JsonIgnore] public MoneyRules AmountRules => new(MaxAmount);
    [JsonIgnore] public Money Zero => Money.Zero(Currency);

    public IReadOnlyList<Refusal> Check()
    {
        var problems = new List<Refusal>();
        if (MaxAmount.Currency != Currency || !MaxAmount.IsPositive)
            problems.Add(new("program.max_amount", $"The largest accepted amount must be a positive {Currency.Code} amount."));
        if (FundType.HasFlag(FundType.FixedAllocation) && (FixedAllocation is null || FixedAllocation.Currency != Currency || !FixedAllocation.IsPositive))
            problems.Add(new("program.allocation", $"A fixed-allocation program needs a positive allocation in {Currency.Code}."));
        if (FundType.HasFlag(FundType.Accrual) && AccrualRate is <= 0m or > 1m)
            problems.Add(new("program.accrual_rate", "An accrual program needs an accrual rate above 0% and at most 100%."));
        if (ActivityTypes.Count == 0)
            problems.Add(new("program.no_activity_type", "A program needs at least one activity type."));
        if (ActivityTypes.Select(a => a.Id).Distinct().Count() != ActivityTypes.Count)
            problems.Add(new("program.activity_duplicate", "Two activity types share an id."));
        foreach (var a in ActivityTypes)
        {
            if (a.ReimbursementRate is <= 0m or > 1m)
                problems.Add(new("program.activity_rate", $"'{a.Name}': the reimbursement rate must be above 0% and at most 100%."));
            if (a.Cap.Currency != Currency || !a.Cap.IsPositive)
                problems.Add(new("program.activity_cap", $"'{a.Name}': the cap must be a positive {Currency.Code} amount."));
            if (string.IsNullOrWhiteSpace(a.GlCode))
                problems.Add(new("program.activity_gl_code", $"'{a.Name}': finance needs a GL code to book payouts."));
        }
        if (ProposalLeadDays < 0) problems.Add(new("program.lead_days", "The proposal lead time cannot be negative."));
        if (ClaimDeadlineDays < 1) problems.Add(new("program.claim_days", "The claim deadline must leave at least one day after the activity."));
        if (ReminderAfterDays < 1 || EscalationAfterDays <= ReminderAfterDays)
            problems.Add(new("program.reminders", "Reminders come after at least one day, and escalation after the reminder."));
        problems.AddRange(RequestChain.Check(Currency, "request", financeAlways: false));
        problems.AddRange(ClaimChain.Check(Currency, "claim", financeAlways: true));
        return problems;
    }
}
