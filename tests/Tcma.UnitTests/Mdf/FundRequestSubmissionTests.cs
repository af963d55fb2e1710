using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;

namespace Tcma.UnitTests.Mdf;

public sealed class FundRequestSubmissionTests
{
    private static IReadOnlyList<Refusal> Refusals(Proposal proposal, FundBalance? fund = null, Actor? by = null)
    {
        var t = FundRequestWorkflow.Apply(FundRequestState.New("req-1", "partner-7", FundId), new SubmitRequest(proposal, Q1, fund ?? FundWith(50_000m), by ?? Partner), Now);
        if (t.IsRefused)
        {
            Assert.Equal(FundRequestStatus.Draft, t.State.Status);
            Assert.Empty(t.Commands);
        }
        return t.Refusals;
    }

    private static string Only(Proposal proposal, FundBalance? fund = null) => Assert.Single(Refusals(proposal, fund)).Code;

    [Fact]
    public void Submission_reserves_the_amount_and_asks_the_first_level()
    {
        var s = new RequestScenario();
        var t = s.Submit(4_000m);
        Assert.Equal(FundRequestStatus.PendingApproval, s.State.Status);
        Assert.Equal(Usd(4_000m), s.Fund.Reserved);
        Assert.Equal(Usd(46_000m), s.Fund.Available);
        Assert.IsType<AppendToLedger>(t.Commands[0]);
        var email = Assert.Single(t.Commands.OfType<EmailApprovers>());
        Assert.Equal((1, 1, ApprovalEmailKind.NewStep), (email.Level, email.Step, email.Kind));
        Assert.Equal([ChannelManager], email.To);
        Assert.Equal([LinkPurpose.Approve, LinkPurpose.ApproveLowerAmount, LinkPurpose.Reject, LinkPurpose.AskForInformation], email.Links);
        Assert.Contains("USD 4,000.00", email.Summary);
        Assert.Single(t.Commands.OfType<EmailPartner>());
        Assert.Equal(
            [(TimerKind.Reminder, Now.AddDays(2)), (TimerKind.Escalation, Now.AddDays(5)), (TimerKind.ActivityStart, Days.StartOf(Today.AddDays(20)))],
            t.Commands.OfType<SetTimer>().Select(x => (x.Kind, x.Due)));
        var history = Assert.Single(s.State.History);
        Assert.Equal(("user-p7", "203.0.113.7", "Firefox/140", Now), (history.By.UserId, history.By.Ip, history.By.UserAgent, history.At));
    }

    [Fact]
    public void A_proposal_submitted_twice_reserves_once()
    {
        var s = new RequestScenario();
        s.Submit(4_000m);
        var again = s.Submit(4_000m);
        Assert.True(again.IsNoOp);
        Assert.Equal(Usd(4_000m), s.Fund.Reserved);
    }

    [Fact]
    public void Only_the_owning_partner_can_submit() =>
        Assert.Equal("request.not_your_request", Assert.Single(Refusals(Proposal(100m), by: OtherPartner)).Code);

    [Fact]
    public void An_unknown_activity_type_is_refused() => Assert.Equal("request.unknown_activity_type", Only(Proposal(100m, activity: "yacht")));

    [Fact]
    public void Reversed_dates_are_refused() =>
        Assert.Equal("request.dates_reversed", Only(Proposal(100m) with { End = Today.AddDays(19) }));

    [Fact]
    public void A_start_in_the_past_is_refused() =>
        Assert.Equal("request.start_in_past", Only(Proposal(100m) with { Start = Today.AddDays(-1) }));

    [Fact]
    public void The_lead_time_holds_to_the_day()
    {
        Assert.Empty(Refusals(Proposal(100m, startsInDays: 14)));
        var late = Refusals(Proposal(100m, startsInDays: 13));
        Assert.Equal("request.too_late", Assert.Single(late).Code);
        Assert.Contains("last day was 2026-01-09", late[0].Message);
    }

    [Fact]
    public void An_activity_outside_the_program_period_is_refused() =>
        Assert.Equal("request.outside_period", Only(Proposal(100m, startsInDays: 90)));

    [Fact]
    public void The_rate_limits_the_request_to_the_cent()
    {
        Assert.Empty(Refusals(Proposal(2_500m, activity: "events", cost: 5_000m)));
        var over = Refusals(Proposal(2_500.01m, activity: "events", cost: 5_000m));
        Assert.Equal("request.above_rate", Assert.Single(over).Code);
        Assert.Contains("50%: at most USD 2,500.00", over[0].Message);
    }

    [Fact]
    public void The_cap_limits_the_request()
    {
        Assert.Empty(Refusals(Proposal(10_000m, activity: "events", cost: 40_000m)));
        Assert.Equal("request.above_cap", Only(Proposal(10_000.01m, activity: "events", cost: 40_000m)));
    }

    [Fact]
    public void A_request_over_the_available_funds_is_refused_with_both_figures()
    {
        var refusal = Assert.Single(Refusals(Proposal(5_000.01m), FundWith(5_000m)));
        Assert.Equal("request.over_available", refusal.Code);
        Assert.Equal("You asked for USD 5,000.01 but your fund has USD 5,000.00 available.", refusal.Message);
        Assert.Empty(Refusals(Proposal(5_000m), FundWith(5_000m)));
    }

    [Fact]
    public void Zero_negative_and_absurd_amounts_are_refused()
    {
        Assert.Contains("request.amount_not_positive", Refusals(Proposal(100m) with { Requested = Usd(0m) }).Select(r => r.Code));
        Assert.Contains("request.cost_not_positive", Refusals(Proposal(100m) with { EstimatedCost = Usd(-5m) }).Select(r => r.Code));
        Assert.Contains("request.amount_absurd", Refusals(Proposal(100m) with { EstimatedCost = Usd(1_000_000.01m) }).Select(r => r.Code));
    }

    [Fact]
    public void Another_currency_is_refused() =>
        Assert.Equal("request.wrong_currency", Only(Proposal(100m) with { Requested = Eur(100m) }));

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var codes = Refusals(Proposal(20_000m, activity: "events", cost: 10_000m, startsInDays: 3) with { Description = "" }).Select(r => r.Code);
        Assert.Equal(["request.no_description", "request.too_late", "request.above_rate", "request.above_cap"], codes);
    }

    [Fact]
    public void A_reservation_refused_by_the_ledger_ends_the_request_and_releases_nothing()
    {
        var s = new RequestScenario(10_000m);
        s.Submit(8_000m);
        var t = s.Do(new ReservationFailed(new Refusal("fund.insufficient", "only USD 2,000.00 is available"), Actor.System("ledger")));
        Assert.Equal(FundRequestStatus.NotFunded, s.State.Status);
        Assert.Empty(t.Commands.OfType<AppendToLedger>());
        Assert.Contains(t.Commands.OfType<CancelTimer>(), c => c.Kind == TimerKind.ActivityStart);
        Assert.Contains("only USD 2,000.00", t.Commands.OfType<EmailPartner>().Single().Message);
    }
}
