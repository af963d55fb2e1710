using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>
/// A kind of marketing activity a program pays for: the share of the cost reimbursed (0.5 = 50%) and the most
/// one activity can receive. <see cref="GlCode"/> is the ledger account finance books its payouts to.
/// </summary>
public sealed record ActivityType(string Id, string Name, decimal ReimbursementRate, Money Cap, string GlCode)
{
    /// <summary>The most a request may ask for, given an estimated (or actual) cost: rate times cost, rounded down, within the cap.</summary>
    public Money MaxFor(Money cost) => Money.Min(cost.TimesRateRoundedDown(ReimbursementRate), Cap);

    [JsonIgnore] public string RateText => $"{ReimbursementRate * 100m:0.##}%";
}
