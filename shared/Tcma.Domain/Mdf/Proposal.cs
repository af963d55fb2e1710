namespace Tcma.Domain.Mdf;

/// <summary>What a partner proposes: an activity, its dates (UTC days, both inclusive), what it costs, what it asks for and what it expects to bring.</summary>
public sealed record Proposal(
    string ActivityTypeId,
    string Description,
    DateOnly Start,
    DateOnly End,
    Money EstimatedCost,
    Money Requested,
    int ExpectedLeads,
    Money ExpectedPipeline,
    IReadOnlyList<string> LaunchIds)
{
    public const int MaxDescriptionLength = 4_000;

    /// <summary>Every reason the proposal cannot be submitted now, all at once so the form shows them together.</summary>
    public IReadOnlyList<Refusal> Check(MdfProgram program, FundBalance fund, DateTimeOffset now)
    {
        var problems = new List<Refusal>();
        var today = Days.Of(now);
        var activity = program.Activity(ActivityTypeId);
        if (activity is null)
            problems.Add(new("request.unknown_activity_type", $"'{ActivityTypeId}' is not an activity type of {program.Name}; choose one of: {string.Join(", ", program.ActivityTypes.Select(a => a.Name))}."));
        if (string.IsNullOrWhiteSpace(Description))
            problems.Add(new("request.no_description", "Describe the activity."));
        else if (Description.Length > MaxDescriptionLength)
            problems.Add(new("request.description_too_long", $"The description has {Description.Length:N0} characters; at most {MaxDescriptionLength:N0}."));
        if (LaunchIds.Count > 50) problems.Add(new("request.too_many_launches", "Link at most 50 launches."));

        if (End < Start)
            problems.Add(new("request.dates_reversed", $"The activity ends ({End:yyyy-MM-dd}) before it starts ({Start:yyyy-MM-dd})."));
        if (Start < today)
            problems.Add(new("request.start_in_past", $"The activity starts on {Start:yyyy-MM-dd}, which is in the past."));
        else if (Start < today.AddDays(program.ProposalLeadDays))
            problems.Add(new("request.too_late", $"Proposals must arrive at least {program.ProposalLeadDays} days before the activity; for an activity starting {Start:yyyy-MM-dd} the last day was {Start.AddDays(-program.ProposalLeadDays):yyyy-MM-dd}."));
        if (!program.Period.Contains(Start))
            problems.Add(new("request.outside_period", $"The activity starts on {Start:yyyy-MM-dd}, outside {program.Name} ({program.Period.Start:yyyy-MM-dd} to {program.Period.End:yyyy-MM-dd})."));

        if (ExpectedLeads < 0) problems.Add(new("request.negative_leads", "Expected leads cannot be negative."));
        var moneyOk = true;
        foreach (var (name, money) in new[] { ("estimated cost", EstimatedCost), ("requested amount", Requested), ("expected pipeline", ExpectedPipeline) })
            if (money.Currency != program.Currency)
            {
                problems.Add(new("request.wrong_currency", $"The {name} is in {money.Currency.Code}; {program.Name} pays in {program.Currency.Code}."));
                moneyOk = false;
            }
        if (!moneyOk) return problems;

        if (ExpectedPipeline.IsNegative) problems.Add(new("request.negative_pipeline", "Expected pipeline cannot be negative."));
        if (!EstimatedCost.IsPositive) problems.Add(new("request.cost_not_positive", "The estimated cost must be more than zero."));
        if (!Requested.IsPositive) problems.Add(new("request.amount_not_positive", "The requested amount must be more than zero."));
        if (Requested > program.MaxAmount || EstimatedCost > program.MaxAmount)
            problems.Add(new("request.amount_absurd", $"Amounts above {program.MaxAmount} are not accepted here."));
        if (activity is not null && EstimatedCost.IsPositive && Requested.IsPositive)
        {
            var byRate = EstimatedCost.TimesRateRoundedDown(activity.ReimbursementRate);
            if (Requested > byRate)
                problems.Add(new("request.above_rate", $"{activity.Name} are reimbursed at {activity.RateText}: at most {byRate} for an estimated cost of {EstimatedCost}; you asked for {Requested}."));
            if (Requested > activity.Cap)
                problems.Add(new("request.above_cap", $"{activity.Name} are capped at {activity.Cap} per activity; you asked for {Requested}."));
        }
        if (Requested.IsPositive && Requested > fund.Available)
            problems.Add(new("request.over_available", $"You asked for {Requested} but your fund has {fund.Available} available."));
        if (fund.IsExpired) problems.Add(new("request.fund_expired", "This fund has expired."));
        return problems;
    }
}
