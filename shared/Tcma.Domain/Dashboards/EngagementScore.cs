namespace Tcma.Domain.Dashboards;

/// <summary>How much each part weighs in a partner's engagement score (the parts' points add up to these).</summary>
public sealed record ScoreWeights
{
    public int Launching { get; init; } = 30;
    public int Reach { get; init; } = 15;
    public int Engagement { get; init; } = 15;
    public int Acceptance { get; init; } = 20;
    public int Wins { get; init; } = 10;
    public int Recency { get; init; } = 10;
    public int Total => Launching + Reach + Engagement + Acceptance + Wins + Recency;

    /// <summary>Most any part may weigh: the score is out of the parts' total, so only their ratios matter.</summary>
    public const int MaxWeight = 100;

    public IReadOnlyList<(string Name, int Weight)> Parts() =>
        [("Launching", Launching), ("Reach", Reach), ("Engagement", Engagement), ("Acceptance", Acceptance), ("Wins", Wins), ("Recency", Recency)];

    /// <summary>What is wrong with these weights, by part (camelCase, as the API names them); empty when they can be saved.</summary>
    public Dictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>();
        foreach (var (name, weight) in Parts())
            if (weight is < 0 or > MaxWeight)
                problems[char.ToLowerInvariant(name[0]) + name[1..]] = [$"{name} weighs {weight}; a weight is a whole number from 0 to {MaxWeight}."];
        if (problems.Count == 0 && Total == 0) problems["total"] = ["Every weight is 0, so no partner could score anything; give at least one part a weight."];
        return problems;
    }
}

/// <summary>One part of a score: its points out of its weight, and why, in words a channel manager reads.</summary>
public sealed record ScorePart(string Name, double Points, int Weight, string Why);

public sealed record PartnerScore(int Value, IReadOnlyList<ScorePart> Parts, DateOnly? LastActive, bool AtRisk, string? RiskReason);

/// <summary>
/// A partner's engagement over a period, 0-100, from its counts there: whether and how often it launched, whether its
/// emails went out and were clicked, whether it accepted the leads it was given, whether it won, and how recently it did
/// anything. Every part says why it scored what it did (docs/DASHBOARDS.md has the formula).
/// </summary>
public static class EngagementScore
{
    /// <summary>Launches in a period that earn the whole launching part.</summary>
    public const int FullLaunches = 3;
    /// <summary>A click rate (of emails sent) that earns the whole engagement part: a good B2B campaign's.</summary>
    public const double GoodClickRate = 0.05;

    /// <summary>A score this many points below the previous period's (of as many days) is "trending down".</summary>
    public const int FallThreshold = 25;

    /// <summary>
    /// The score flagged at risk when it fell by <see cref="FallThreshold"/> or more against the same partner's score over
    /// the as many days before (a partner already at risk keeps its first reason: silence says more than a trend).
    /// </summary>
    public static PartnerScore WithTrend(PartnerScore current, PartnerScore previous, int periodDays) =>
        current.AtRisk || previous.Value - current.Value < FallThreshold ? current
            : current with { AtRisk = true, RiskReason = $"score fell from {previous.Value} to {current.Value} against the {periodDays} days before" };

    public static PartnerScore For(Counts c, DateOnly? lastActive, DateOnly today, int periodDays, ScoreWeights w, int silentDays = 21)
    {
        var launches = c[ActivityKind.Launched];
        var sent = c[ActivityKind.EmailSent];
        var clicked = c[ActivityKind.EmailClicked];
        var leads = c[ActivityKind.LeadCaptured];
        var accepted = c[ActivityKind.LeadAccepted];
        var won = c[ActivityKind.LeadWon];
        var silent = lastActive is { } last ? today.DayNumber - last.DayNumber : (int?)null;
        var parts = new List<ScorePart>
        {
            new("Launching", w.Launching * Math.Min(1.0, launches / (double)FullLaunches), w.Launching,
                launches == 0 ? "launched no campaign in the period" : $"launched {launches} campaign{(launches == 1 ? "" : "s")} (full marks from {FullLaunches})"),
            new("Reach", sent > 0 ? w.Reach : 0, w.Reach, sent > 0 ? $"{sent:N0} emails went out" : "no email went out"),
            new("Engagement", sent == 0 ? 0 : w.Engagement * Math.Min(1.0, clicked / (double)sent / GoodClickRate), w.Engagement,
                sent == 0 ? "no email to click" : $"{Counts.Rate(clicked, sent):0.#%} of emails were clicked (full marks from {GoodClickRate:0%})"),
            // No lead to accept is neither good nor bad: half marks.
            new("Acceptance", leads == 0 ? w.Acceptance / 2.0 : w.Acceptance * Math.Min(1.0, accepted / (double)leads), w.Acceptance,
                leads == 0 ? "no lead to accept (half marks)" : $"accepted {accepted} of {leads} lead{(leads == 1 ? "" : "s")}"),
            new("Wins", won > 0 ? w.Wins : 0, w.Wins, won > 0 ? $"won {won} deal{(won == 1 ? "" : "s")} worth {c.Won:N0}" : "no deal won yet"),
            new("Recency", silent is null ? 0 : w.Recency * Math.Clamp(1 - silent.Value / (double)Math.Max(silentDays * 2, 1), 0, 1), w.Recency,
                silent is null ? "no activity in the period" : silent == 0 ? "active today" : $"last active {silent} day{(silent == 1 ? "" : "s")} ago"),
        };
        var value = w.Total <= 0 ? 0 : (int)Math.Round(100 * parts.Sum(p => p.Points) / w.Total);
        string? risk = silent switch
        {
            null when periodDays >= silentDays => $"no activity in the last {periodDays} days",
            >= 0 when silent >= silentDays => $"silent for {silent} days",
            _ => null,
        };
        return new PartnerScore(Math.Clamp(value, 0, 100), parts, lastActive, risk is not null, risk);
    }
}
