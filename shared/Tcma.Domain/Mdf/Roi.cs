namespace Tcma.Domain.Mdf;

/// <summary>
/// What one funded activity cost and returned: the activity's cost, what MDF reimbursed (paid or approved), and the
/// leads, pipeline and won revenue attributed to it (from the launches it was linked to).
/// </summary>
public sealed record RoiLine(string RequestId, string? ClaimId, string PartnerId, string ActivityTypeId, Money Cost, Money Reimbursed, int Leads, Money Pipeline, Money WonRevenue);

/// <summary>
/// Totals for a partner or an activity type, in one currency. Ratios are null when there is nothing to divide by
/// (no MDF spent, no leads): a vendor sees "n/a", never an error or an infinity.
/// </summary>
public sealed record RoiSummary(string Key, Currency Currency, int Activities, Money Cost, Money Reimbursed, int Leads, Money Pipeline, Money WonRevenue)
{
    /// <summary>Pipeline per unit of MDF reimbursed (3.5 = 3.50 of pipeline per 1.00 of MDF).</summary>
    public decimal? PipelinePerMdf => Ratio(Pipeline.Amount, Reimbursed.Amount);
    public decimal? RevenuePerMdf => Ratio(WonRevenue.Amount, Reimbursed.Amount);
    /// <summary>MDF reimbursed per lead, rounded down to the cent.</summary>
    public Money? MdfPerLead => Leads == 0 ? null : Money.Of(decimal.Round(Reimbursed.Amount / Leads, Currency.MinorUnits, MidpointRounding.ToZero), Currency);

    private static decimal? Ratio(decimal numerator, decimal denominator) =>
        denominator == 0m ? null : decimal.Round(numerator / denominator, 4, MidpointRounding.ToZero);
}

/// <summary>What the lead capability attributes to the launches a request was linked to.</summary>
public sealed record Attribution(int Leads, Money Pipeline, Money WonRevenue);

public static class Roi
{
    /// <summary>
    /// The ROI line of an approved request: the actual cost once claimed (the estimate before), and what MDF
    /// reimbursed: the paid or approved claim amount, nothing while the claim is pending or was rejected.
    /// </summary>
    public static RoiLine? Line(FundRequestState request, ClaimState? claim, Attribution attribution)
    {
        if (request.Proposal is null || request.Status is not (FundRequestStatus.Approved or FundRequestStatus.Claimed)) return null;
        var zero = Money.Zero(request.Proposal.EstimatedCost.Currency);
        var cost = claim?.Submission?.ActualCost ?? request.Proposal.EstimatedCost;
        var reimbursed = claim is { Status: ClaimStatus.Approved or ClaimStatus.Paid } ? claim.Amount! : zero;
        return new RoiLine(request.RequestId, claim?.ClaimId, request.PartnerId, request.Proposal.ActivityTypeId, cost, reimbursed,
            attribution.Leads, attribution.Pipeline, attribution.WonRevenue);
    }

    public static IReadOnlyList<RoiSummary> ByPartner(IEnumerable<RoiLine> lines) => Summarise(lines, l => l.PartnerId);
    public static IReadOnlyList<RoiSummary> ByActivityType(IEnumerable<RoiLine> lines) => Summarise(lines, l => l.ActivityTypeId);

    /// <summary>One summary per key and currency: amounts in different currencies are never added up.</summary>
    public static IReadOnlyList<RoiSummary> Summarise(IEnumerable<RoiLine> lines, Func<RoiLine, string> key) =>
        lines.GroupBy(l => (Key: key(l), l.Cost.Currency.Code))
            .OrderBy(g => g.Key.Key, StringComparer.Ordinal).ThenBy(g => g.Key.Code, StringComparer.Ordinal)
            .Select(g =>
            {
                var currency = g.First().Cost.Currency;
                var zero = Money.Zero(currency);
                return new RoiSummary(g.Key.Key, currency, g.Count(),
                    g.Aggregate(zero, (t, l) => t + l.Cost), g.Aggregate(zero, (t, l) => t + l.Reimbursed), g.Sum(l => l.Leads),
                    g.Aggregate(zero, (t, l) => t + l.Pipeline), g.Aggregate(zero, (t, l) => t + l.WonRevenue));
            }).ToList();
}
