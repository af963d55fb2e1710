using Tcma.Domain.Mdf;

namespace Tcma.Domain.Dashboards;

/// <summary>
/// One point of a program's burn-down: what a straight line from the money in to nothing at the period's end would leave
/// on <see cref="Day"/>, and what was really left unclaimed (null for days still ahead).
/// </summary>
public sealed record BurnDownPoint(DateOnly Day, decimal Ideal, decimal? Remaining, bool IsNow = false);

/// <summary>
/// How a program's funds are used up over its period. "Spent" is what claims hold (claimed, approved or paid), the same
/// money the ledger books as claimed plus paid, read from the claims' own history so no ledger entry is scanned.
/// </summary>
public static class MdfBurnDown
{
    /// <summary>
    /// The moments a claim's hold on the fund changed, as deltas: it holds its amount from submission, a lower approval
    /// gives the difference back, a rejection gives everything back, payment keeps it spent.
    /// </summary>
    public static IEnumerable<(DateTimeOffset At, decimal Delta)> SpentChanges(ClaimState claim)
    {
        var held = 0m;
        foreach (var h in claim.History.OrderBy(h => h.At))
        {
            var now = h.Status == nameof(ClaimStatus.Rejected) ? 0m : h.Amount?.Amount ?? held;
            if (now != held) yield return (h.At, now - held);
            held = now;
        }
    }

    /// <summary>
    /// Weekly points from the period's first day to the day after its last (when the funds expire), plus a point for
    /// now. <paramref name="totalIn"/> is what the program's funds hold today (allocations and accruals), so the straight
    /// line starts there; a point's remaining counts the changes before the start of its day (the "now" point, all of them).
    /// </summary>
    public static IReadOnlyList<BurnDownPoint> Build(decimal totalIn, ProgramPeriod period, DateTimeOffset now, IEnumerable<(DateTimeOffset At, decimal Delta)> spent)
    {
        var changes = spent.OrderBy(c => c.At).ToList();
        var start = period.Start;
        var expires = period.End.AddDays(1);
        var length = (double)(expires.DayNumber - start.DayNumber);
        decimal Ideal(DateOnly d) => decimal.Round(totalIn * (decimal)Math.Clamp((expires.DayNumber - d.DayNumber) / length, 0, 1), 2);
        decimal Left(DateTimeOffset until) => totalIn - changes.Where(c => c.At < until).Sum(c => c.Delta);

        var days = new List<DateOnly>();
        for (var d = start; d < expires; d = d.AddDays(7)) days.Add(d);
        days.Add(expires);
        var today = Days.Of(now);
        var points = days.Select(d => new BurnDownPoint(d, Ideal(d), Days.StartOf(d) <= now ? Left(Days.StartOf(d)) : null)).ToList();
        if (today >= start && today < expires && !days.Contains(today))
        {
            var at = points.FindIndex(p => p.Day > today);
            points.Insert(at, new BurnDownPoint(today, Ideal(today), Left(now), IsNow: true));
        }
        else if (points.FindIndex(p => p.Day == today) is var i and >= 0)
            points[i] = points[i] with { Remaining = Left(now), IsNow = true };
        return points;
    }
}
