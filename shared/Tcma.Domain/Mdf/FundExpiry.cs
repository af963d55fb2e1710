namespace Tcma.Domain.Mdf;

/// <summary>A reminder a partner gets before its funds expire, with what it would lose.</summary>
public sealed record ExpiryReminder(string FundId, int DaysBefore, DateTimeOffset Due, Money Available);

/// <summary>A partner's fund whose available money will expire soon, for the vendor's console.</summary>
public sealed record FundAtRisk(string FundId, string PartnerId, Money Available, int DaysLeft);

/// <summary>The unused-funds problem: when to remind partners, and which funds to show the vendor.</summary>
public static class FundExpiry
{
    public static readonly int[] ReminderDaysBefore = [30, 7];

    /// <summary>When the reminders for a period are due: 30 and 7 days before the funds expire.</summary>
    public static IReadOnlyList<(int DaysBefore, DateTimeOffset Due)> Schedule(ProgramPeriod period) =>
        ReminderDaysBefore.Select(d => (d, period.ExpiresAt.AddDays(-d))).ToList();

    /// <summary>
    /// The reminder to send now, if any: due, later than the last one sent (<paramref name="lastSentDaysBefore"/>,
    /// which storage records), and only when there is money to lose. A reminder whose moment passed is still sent
    /// (a late timer should not cost a partner its warning) unless a later one is due too; never after expiry.
    /// </summary>
    public static IReadOnlyList<ExpiryReminder> Due(FundBalance fund, ProgramPeriod period, DateTimeOffset now, int? lastSentDaysBefore)
    {
        if (fund.IsExpired || now >= period.ExpiresAt || !fund.Available.IsPositive) return [];
        var due = Schedule(period).Where(s => s.Due <= now && s.DaysBefore < (lastSentDaysBefore ?? int.MaxValue)).ToList();
        return due.Count == 0 ? [] : [new ExpiryReminder(fund.FundId, due[^1].DaysBefore, due[^1].Due, fund.Available)];
    }

    /// <summary>Funds with money available that expire within <paramref name="window"/> days, largest first.</summary>
    public static IReadOnlyList<FundAtRisk> AtRisk(IEnumerable<(string PartnerId, FundBalance Fund)> funds, ProgramPeriod period, DateTimeOffset now, int window = 30)
    {
        if (now >= period.ExpiresAt || now < period.ExpiresAt.AddDays(-window)) return [];
        var daysLeft = (int)(((period.ExpiresAt - now).Ticks + TimeSpan.TicksPerDay - 1) / TimeSpan.TicksPerDay);
        return funds.Where(f => !f.Fund.IsExpired && f.Fund.Available.IsPositive)
            .Select(f => new FundAtRisk(f.Fund.FundId, f.PartnerId, f.Fund.Available, daysLeft))
            .OrderByDescending(f => f.Available.Amount).ThenBy(f => f.PartnerId, StringComparer.Ordinal).ToList();
    }
}
