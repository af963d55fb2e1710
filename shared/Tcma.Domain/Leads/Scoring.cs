namespace Tcma.Domain.Leads;

/// <summary>What a scoring rule looks at. The first four measure fit, the last three engagement.</summary>
public enum ScoringSignal
{
    Country,
    CompanySize,
    JobTitleKeyword,
    ProductInterest,
    FormSubmissions,
    WebinarAttended,
    RepeatVisits,
}

/// <summary>
/// One vendor-configured rule, stored as data. Fit rules award Points when the lead's value is one of Values
/// (job titles: when the title contains one of the keywords). Engagement rules award Points when the person did the
/// thing at least AtLeast times.
/// </summary>
public sealed record ScoringRule(string Name, ScoringSignal Signal, int Points, IReadOnlyList<string>? Values = null, int AtLeast = 1)
{
    public bool IsFit => Signal is ScoringSignal.Country or ScoringSignal.CompanySize or ScoringSignal.JobTitleKeyword or ScoringSignal.ProductInterest;
}

/// <summary>One line of the explanation: the rule, what it added, and why, in words the vendor reads in the console.</summary>
public sealed record ScoreLine(string Rule, int Points, string Reason, bool IsFit);

public sealed record LeadScore(IReadOnlyList<ScoreLine> Breakdown)
{
    public int Fit => Breakdown.Where(l => l.IsFit).Sum(l => l.Points);
    public int Engagement => Breakdown.Where(l => !l.IsFit).Sum(l => l.Points);
    public int Total => Fit + Engagement;
}

/// <summary>Rule-based, explained scoring: every rule appears in the breakdown, the ones that did not apply with 0 points and the reason.</summary>
public static class Scoring
{
    public static LeadScore Score(Lead lead, IEnumerable<ScoringRule> rules) =>
        new(rules.Select(rule => Apply(lead, rule)).ToList());

    private static ScoreLine Apply(Lead lead, ScoringRule rule)
    {
        var p = lead.Person;
        var values = rule.Values ?? [];
        var listed = string.Join(", ", values);
        return rule.Signal switch
        {
            ScoringSignal.Country => OneOf(rule, "country", p.Country, values, listed),
            ScoringSignal.CompanySize => OneOf(rule, "company size", p.CompanySize, values, listed),
            ScoringSignal.ProductInterest => OneOf(rule, "product interest", p.ProductInterest, values, listed),
            ScoringSignal.JobTitleKeyword => JobTitle(rule, p.JobTitle, values, listed),
            ScoringSignal.FormSubmissions => Count(rule, lead, ActivityKind.FormSubmitted, "form submission", "form submissions"),
            ScoringSignal.WebinarAttended => Count(rule, lead, ActivityKind.WebinarAttended, "webinar attended", "webinars attended"),
            ScoringSignal.RepeatVisits => Count(rule, lead, ActivityKind.PageVisited, "visit", "visits"),
            _ => new(rule.Name, 0, "unknown rule", rule.IsFit),
        };
    }

    private static ScoreLine OneOf(ScoringRule rule, string what, string? value, IReadOnlyList<string> values, string listed)
    {
        if (string.IsNullOrWhiteSpace(value))
            return new(rule.Name, 0, $"no {what} given", rule.IsFit);
        return values.Contains(value.Trim(), StringComparer.OrdinalIgnoreCase)
            ? new(rule.Name, rule.Points, $"{what} {value} is one of {listed}", rule.IsFit)
            : new(rule.Name, 0, $"{what} {value} is not one of {listed}", rule.IsFit);
    }

    private static ScoreLine JobTitle(ScoringRule rule, string? title, IReadOnlyList<string> keywords, string listed)
    {
        if (string.IsNullOrWhiteSpace(title))
            return new(rule.Name, 0, "no job title given", true);
        var hit = keywords.FirstOrDefault(k => title.Contains(k, StringComparison.OrdinalIgnoreCase));
        return hit is null
            ? new(rule.Name, 0, $"job title \"{title}\" contains none of {listed}", true)
            : new(rule.Name, rule.Points, $"job title \"{title}\" contains \"{hit}\"", true);
    }

    private static ScoreLine Count(ScoringRule rule, Lead lead, ActivityKind kind, string one, string many)
    {
        var n = lead.Activities.Count(a => a.Kind == kind);
        var counted = $"{n} {(n == 1 ? one : many)}";
        return n >= rule.AtLeast
            ? new(rule.Name, rule.Points, $"{counted}, at least {rule.AtLeast} needed", false)
            : new(rule.Name, 0, $"{counted}, fewer than the {rule.AtLeast} needed", false);
    }
}
