namespace Tcma.Domain.Mdf;

/// <summary>What a claim can be paid, and a sentence a partner can check with a calculator.</summary>
public sealed record Reimbursement(Money Amount, string Explanation)
{
    /// <summary>The lower of the approved amount and the activity's rate times the actual cost (rounded down to the cent).</summary>
    public static Reimbursement For(Money approved, ActivityType activity, Money actualCost)
    {
        var byRate = actualCost.TimesRateRoundedDown(activity.ReimbursementRate);
        var amount = Money.Min(approved, byRate);
        var which = byRate < approved ? "the rate applied to the actual cost" : "the approved amount";
        return new(amount, $"{activity.RateText} of the actual cost {actualCost} is {byRate}; the approved amount is {approved}; reimbursable is the lower of the two, {which}: {amount}.");
    }
}
