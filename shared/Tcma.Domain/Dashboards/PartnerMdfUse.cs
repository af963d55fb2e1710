using System.Globalization;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Dashboards;

/// <summary>
/// One partner's fund in one program as its scorecard shows it: what came in, what is spoken for (reserved by approved
/// requests, claimed, paid), what is still unused, and the days left to use it before the program ends.
/// </summary>
public sealed record FundUse(string ProgramName, Money TotalIn, Money Committed, Money Unused, Money Expired, DateOnly LastDay, int DaysLeft)
{
    /// <summary>Share of the money in that is spoken for; null when nothing came in.</summary>
    public double? Utilisation => TotalIn.Amount <= 0 ? null : (double)(Committed.Amount / TotalIn.Amount);

    /// <summary>In the scorecard's words: "40% of USD 5,000.00 unused with 21 days left".</summary>
    public string Why => TotalIn.Amount <= 0 ? "no funds allocated"
        : DaysLeft < 0 ? $"{Share(Committed)} of {TotalIn} used; the program ended {LastDay:d MMM yyyy}" + (Expired.Amount > 0 ? $", {Expired} expired unused" : "")
        : Unused.Amount <= 0 ? $"all of {TotalIn} used"
        : $"{Share(Unused)} of {TotalIn} unused with {DaysLeft} day{(DaysLeft == 1 ? "" : "s")} left";

    private string Share(Money part) => (TotalIn.Amount <= 0 ? 0 : part.Amount / TotalIn.Amount).ToString("0%", CultureInfo.InvariantCulture);
}

/// <summary>
/// Whether the partner claims its approved activities in time: claimed, missed (the claim window closed with no
/// claim: the approved money goes back unused), and still due.
/// </summary>
public sealed record ClaimTimeliness(int Claimed, int Missed, int Due)
{
    public string Why => Claimed + Missed == 0
        ? Due == 0 ? "no approved activity to claim" : $"{Due} claim{(Due == 1 ? "" : "s")} due, none missed"
        : $"claimed {Claimed} of {Claimed + Missed} approved activit{(Claimed + Missed == 1 ? "y" : "ies")} whose window closed or was used"
          + (Due > 0 ? $"; {Due} more due" : "");
}

public static class PartnerMdfUse
{
    public static FundUse Fund(string programName, FundFigures f, DateOnly lastDay, DateOnly today) =>
        new(programName, f.TotalIn, f.Reserved + f.Claimed + f.Paid, f.Available, f.Expired, lastDay, lastDay.DayNumber - today.DayNumber);

    /// <summary>An approved request counts as claimed once it has a claim, as missed once its (extended) deadline passed without one.</summary>
    public static ClaimTimeliness Claims(IEnumerable<(FundRequestStatus Status, string? ClaimId, DateOnly? Deadline)> requests, DateOnly today)
    {
        int claimed = 0, missed = 0, due = 0;
        foreach (var (status, claimId, deadline) in requests)
        {
            if (claimId is not null) claimed++;
            else if (status != FundRequestStatus.Approved || deadline is null) continue;
            else if (deadline < today) missed++;
            else due++;
        }
        return new ClaimTimeliness(claimed, missed, due);
    }
}
