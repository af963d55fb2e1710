using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class ScoringTests
{
    private static readonly ScoringRule[] Rules =
    [
        new("Core markets", ScoringSignal.Country, 10, ["DE", "AT", "CH"]),
        new("Mid-size companies", ScoringSignal.CompanySize, 15, ["51-200", "201-1000"]),
        new("Decision makers", ScoringSignal.JobTitleKeyword, 20, ["Head", "Director", "CTO"]),
        new("Firewall interest", ScoringSignal.ProductInterest, 5, ["Firewall"]),
        new("Filled a form", ScoringSignal.FormSubmissions, 5),
        new("Came to a webinar", ScoringSignal.WebinarAttended, 10),
        new("Came back three times", ScoringSignal.RepeatVisits, 8, AtLeast: 3),
    ];

    private static LeadActivity Did(ActivityKind kind, int n) => new($"a{n}", kind, Now, new LeadSource.Api("web"), null);

    [Fact]
    public void Every_rule_shows_its_points_and_reason()
    {
        var lead = Lead() with { Person = Lead().Person with { CompanySize = "51-200", ProductInterest = "VPN" } };
        var score = Scoring.Score(lead, Rules);

        Assert.Equal(
        [
            new ScoreLine("Core markets", 10, "country DE is one of DE, AT, CH", true),
            new ScoreLine("Mid-size companies", 15, "company size 51-200 is one of 51-200, 201-1000", true),
            new ScoreLine("Decision makers", 20, "job title \"Head of IT\" contains \"Head\"", true),
            new ScoreLine("Firewall interest", 0, "product interest VPN is not one of Firewall", true),
            new ScoreLine("Filled a form", 5, "1 form submission, at least 1 needed", false),
            new ScoreLine("Came to a webinar", 0, "0 webinars attended, fewer than the 1 needed", false),
            new ScoreLine("Came back three times", 0, "0 visits, fewer than the 3 needed", false),
        ], score.Breakdown);
        Assert.Equal((45, 5, 50), (score.Fit, score.Engagement, score.Total));
    }

    [Fact]
    public void Engagement_counts_activities_merged_into_the_lead()
    {
        var lead = Lead() with
        {
            Activities = [.. Lead().Activities, Did(ActivityKind.WebinarAttended, 1), Did(ActivityKind.PageVisited, 2), Did(ActivityKind.PageVisited, 3), Did(ActivityKind.PageVisited, 4)],
        };
        var score = Scoring.Score(lead, Rules);
        Assert.Equal(5 + 10 + 8, score.Engagement);
        Assert.Equal("3 visits, at least 3 needed", score.Breakdown.Single(l => l.Rule == "Came back three times").Reason);
    }

    [Fact]
    public void Missing_fields_score_nothing_and_say_so()
    {
        var lead = Lead() with { Person = Lead().Person with { JobTitle = null, CompanySize = null } };
        var lines = Scoring.Score(lead, Rules).Breakdown;
        Assert.Equal(new ScoreLine("Decision makers", 0, "no job title given", true), lines.Single(l => l.Rule == "Decision makers"));
        Assert.Equal("no company size given", lines.Single(l => l.Rule == "Mid-size companies").Reason);
    }

    [Fact]
    public void Matching_ignores_case_and_negative_points_penalise()
    {
        var rules = new[] { new ScoringRule("Students", ScoringSignal.JobTitleKeyword, -30, ["student"]) };
        var lead = Lead() with { Person = Lead().Person with { JobTitle = "STUDENT assistant" } };
        Assert.Equal(-30, Scoring.Score(lead, rules).Total);
    }

    [Fact]
    public void A_vendor_without_rules_gets_a_zero_score_with_an_empty_explanation()
    {
        var score = Scoring.Score(Lead(), []);
        Assert.Equal(0, score.Total);
        Assert.Empty(score.Breakdown);
    }
}
