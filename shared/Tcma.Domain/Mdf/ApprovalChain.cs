namespace Tcma.Domain.Mdf;

public enum ApproverRole { ChannelManager, MarketingDirector, Finance, Other }

/// <summary>A person who can approve. <see cref="UserId"/> is what links and actions are bound to; the email is only where we write.</summary>
public sealed record Approver(string UserId, string Name, string Email);

/// <summary>
/// One level of an approval chain. The level is needed when the amount under approval is strictly above
/// <see cref="Above"/> (zero = always): "above 5,000" means 5,000.00 does not need it and 5,000.01 does.
/// </summary>
public sealed record ApprovalLevel(int Number, string Name, ApproverRole Role, Money Above, Approver Approver, Approver Backup)
{
    public bool IsNeededFor(Money amount) => amount > Above;
    public bool Includes(string userId) => Approver.UserId == userId || Backup.UserId == userId;
}

/// <summary>Levels in order; every needed level approves, one after the other.</summary>
public sealed record ApprovalChain(IReadOnlyList<ApprovalLevel> Levels)
{
    public IReadOnlyList<ApprovalLevel> LevelsFor(Money amount) => Levels.Where(l => l.IsNeededFor(amount)).ToList();

    /// <summary>The first needed level after <paramref name="afterNumber"/> for this amount, or null when the amount is fully approved.</summary>
    public ApprovalLevel? NextLevel(Money amount, int afterNumber) =>
        Levels.Where(l => l.Number > afterNumber && l.IsNeededFor(amount)).OrderBy(l => l.Number).FirstOrDefault();

    public ApprovalLevel Level(int number) => Levels.Single(l => l.Number == number);

    public IReadOnlyList<Refusal> Check(Currency currency, string name, bool financeAlways)
    {
        var problems = new List<Refusal>();
        if (Levels.Count == 0) return [new("program.chain_empty", $"The {name} approval chain has no level.")];
        if (Levels.Any(l => l.Above.Currency != currency))
            problems.Add(new("program.chain_currency", $"Every threshold of the {name} chain must be in {currency.Code}."));
        else
        {
            if (!Levels[0].Above.IsZero) problems.Add(new("program.chain_first_level", $"The first level of the {name} chain must approve every amount (threshold 0)."));
            for (var i = 1; i < Levels.Count; i++)
                if (Levels[i].Number <= Levels[i - 1].Number || Levels[i].Above < Levels[i - 1].Above)
                    problems.Add(new("program.chain_order", $"The {name} chain's levels must be in order with rising thresholds (level {Levels[i].Number})."));
        }
        foreach (var level in Levels.Where(l => l.Approver.UserId == l.Backup.UserId))
            problems.Add(new("program.backup_same", $"Level {level.Number} of the {name} chain needs a backup approver other than its approver."));
        if (financeAlways && !Levels.Any(l => l.Role == ApproverRole.Finance && l.Above.IsZero))
            problems.Add(new("program.claim_chain_finance", $"Finance must approve every claim: the {name} chain needs a Finance level with threshold 0."));
        return problems;
    }
}
