using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;

namespace Tcma.UnitTests.Mdf;

/// <summary>Drives a fund request and its fund together, the way the wiring will: ledger commands run against the fund.</summary>
internal sealed class RequestScenario
{
    public static readonly Actor Partner = new("user-p7", "partner-7", "203.0.113.7", "Firefox/140");
    public static readonly Actor OtherPartner = new("user-p8", "partner-8", "203.0.113.8", "Safari");
    public static Actor As(Approver approver) => new(approver.UserId, null, "198.51.100.20", "Outlook confirm page");

    public FundRequestState State = FundRequestState.New("req-1", "partner-7", FundId);
    public FundBalance Fund;
    public DateTimeOffset Clock = Now;
    public Transition<FundRequestState>? Last;

    public RequestScenario(decimal allocated = 50_000m) => Fund = FundWith(allocated);

    public static Proposal Proposal(decimal requested, string activity = "digital", decimal? cost = null, int startsInDays = 20, int lastsDays = 2) =>
        new(activity, "Regional webinar series", Today.AddDays(startsInDays), Today.AddDays(startsInDays + lastsDays), Usd(cost ?? requested * 2), Usd(requested), 40, Usd(100_000m), ["launch-1"]);

    public Transition<FundRequestState> Do(FundRequestEvent e)
    {
        Last = FundRequestWorkflow.Apply(State, e, Clock);
        if (Last.IsRefused || Last.IsNoOp) return Last;
        foreach (var ledger in Last.Commands.OfType<AppendToLedger>())
        {
            var decision = FundLedger.Decide(Fund, ledger.Command);
            Assert.False(decision.IsRefused, decision.Refusal?.ToString());
            Fund = decision.ApplyTo(Fund);
        }
        State = Last.State;
        return Last;
    }

    public Transition<FundRequestState> Submit(decimal requested, string activity = "digital", decimal? cost = null) =>
        Do(new SubmitRequest(Proposal(requested, activity, cost), Q1, Fund, Partner));

    public Transition<FundRequestState> Approve(Approver who, decimal? amount = null) =>
        Do(new ApproveRequest(State.Step, amount is null ? null : Usd(amount.Value), As(who)));

    /// <summary>Submitted and approved through every level it needs, as asked.</summary>
    public RequestScenario Approved(decimal requested)
    {
        Submit(requested);
        while (State.Status == FundRequestStatus.PendingApproval) Approve(State.Approval!.Current.Approver);
        Assert.Equal(FundRequestStatus.Approved, State.Status);
        return this;
    }
}
