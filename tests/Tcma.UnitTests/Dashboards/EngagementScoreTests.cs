using Tcma.Domain.Dashboards;

namespace Tcma.UnitTests.Dashboards;

public sealed class EngagementScoreTests
{
    private static readonly DateOnly Today = new(2026, 12, 7);
    private static readonly ScoreWeights Weights = new();

    private static Counts C(int launched = 0, int sent = 0, int clicked = 0, int leads = 0, int accepted = 0, int won = 0, decimal amount = 0) =>
        new(new Dictionary<ActivityKind, long>
        {
            [ActivityKind.Launched] = launched, [ActivityKind.EmailSent] = sent, [ActivityKind.EmailClicked] = clicked,
            [ActivityKind.LeadCaptured] = leads, [ActivityKind.LeadAccepted] = accepted, [ActivityKind.LeadWon] = won,
        }, amount);

    [Fact]
    public void A_partner_doing_everything_well_today_scores_100_and_one_doing_nothing_scores_the_half_marks_of_no_leads()
    {
        var best = EngagementScore.For(C(3, 1000, 60, 10, 10, 2, 50_000), Today, Today, 60, Weights);
        Assert.Equal(100, best.Value);
        Assert.False(best.AtRisk);
        var none = EngagementScore.For(Counts.Zero, null, Today, 60, Weights);
        Assert.Equal(10, none.Value); // acceptance's half marks: 10 of 100
        Assert.True(none.AtRisk);
        Assert.Equal("no activity in the last 60 days", none.RiskReason);
    }

    [Fact]
    public void Every_part_says_why_and_the_parts_add_up_to_the_score()
    {
        var s = EngagementScore.For(C(1, 400, 10, 4, 3), Today.AddDays(-10), Today, 90, Weights);
        Assert.Equal((int)Math.Round(s.Parts.Sum(p => p.Points)), s.Value);
        Assert.Equal("launched 1 campaign (full marks from 3)", s.Parts[0].Why);
        Assert.Equal("2.5% of emails were clicked (full marks from 5%)", s.Parts[2].Why);
        Assert.Equal("accepted 3 of 4 leads", s.Parts[3].Why);
        Assert.Equal("last active 10 days ago", s.Parts[5].Why);
        Assert.All(s.Parts, p => Assert.InRange(p.Points, 0, p.Weight));
    }

    [Fact]
    public void A_partner_silent_for_three_weeks_is_at_risk_with_the_reason()
    {
        var s = EngagementScore.For(C(2, 300, 20), Today.AddDays(-25), Today, 90, Weights);
        Assert.True(s.AtRisk);
        Assert.Equal("silent for 25 days", s.RiskReason);
        Assert.False(EngagementScore.For(C(2, 300, 20), Today.AddDays(-5), Today, 90, Weights).AtRisk);
    }

    [Fact]
    public void Weights_change_the_score_and_weights_of_zero_give_zero()
    {
        var counts = C(0, 500, 50);
        var reachOnly = new ScoreWeights { Launching = 0, Reach = 100, Engagement = 0, Acceptance = 0, Wins = 0, Recency = 0 };
        Assert.Equal(100, EngagementScore.For(counts, Today, Today, 30, reachOnly).Value);
        var zero = new ScoreWeights { Launching = 0, Reach = 0, Engagement = 0, Acceptance = 0, Wins = 0, Recency = 0 };
        Assert.Equal(0, EngagementScore.For(counts, Today, Today, 30, zero).Value);
    }

    [Fact]
    public void A_partner_whose_score_fell_by_a_quarter_against_the_days_before_is_trending_down_and_a_small_dip_is_not()
    {
        var before = EngagementScore.For(C(3, 1000, 60, 10, 10, 1, 5_000), Today.AddDays(-68), Today.AddDays(-68), 68, Weights);
        var slipping = EngagementScore.For(C(1, 200, 2, 2, 1), Today.AddDays(-5), Today, 68, Weights);
        var flagged = EngagementScore.WithTrend(slipping, before, 68);
        Assert.False(slipping.AtRisk);
        Assert.True(flagged.AtRisk);
        Assert.Equal($"score fell from {before.Value} to {slipping.Value} against the 68 days before", flagged.RiskReason);
        Assert.Equal(slipping.Value, flagged.Value);

        var dip = EngagementScore.For(C(3, 1000, 40, 10, 9, 1, 5_000), Today, Today, 68, Weights);
        Assert.True(before.Value - dip.Value is > 0 and < EngagementScore.FallThreshold);
        Assert.False(EngagementScore.WithTrend(dip, before, 68).AtRisk);

        // Silence says more than a trend: its reason stays.
        var silent = EngagementScore.For(C(1), Today.AddDays(-30), Today, 68, Weights);
        Assert.Equal("silent for 30 days", EngagementScore.WithTrend(silent, before, 68).RiskReason);
    }

    [Fact]
    public void Weights_are_whole_numbers_from_0_to_100_with_one_above_0_and_only_their_proportions_matter()
    {
        Assert.Empty(new ScoreWeights().Problems());
        Assert.Equal(["launching", "recency"], new ScoreWeights { Launching = -1, Recency = 101 }.Problems().Keys.Order());
        Assert.Equal(["total"], new ScoreWeights { Launching = 0, Reach = 0, Engagement = 0, Acceptance = 0, Wins = 0, Recency = 0 }.Problems().Keys);
        var counts = C(1);
        var doubled = new ScoreWeights { Launching = 60, Reach = 30, Engagement = 30, Acceptance = 40, Wins = 20, Recency = 20 };
        Assert.Equal(EngagementScore.For(counts, Today, Today, 68, new ScoreWeights()).Value, EngagementScore.For(counts, Today, Today, 68, doubled).Value);
    }
}
