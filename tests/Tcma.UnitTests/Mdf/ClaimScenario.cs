using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;

namespace Tcma.UnitTests.Mdf;

/// <summary>A claim against an approved request, sharing the request's fund.</summary>
internal sealed class ClaimScenario
{
    public readonly RequestScenario Request;
    public ClaimState State = ClaimState.New("claim-1", "partner-7");
    public Transition<ClaimState>? Last;
    public readonly List<Payout> Payouts = [];

    public ClaimScenario(RequestScenario request)
    {
        Request = request;
        Request.Clock = Days.StartOf(request.State.Proposal!.End).AddHours(10);
    }

    public static readonly ProofFile Invoice = new("invoice-2026-001.pdf", ProofFile.Pdf, 120_000);

    public static ClaimSubmission Submission(decimal actualCost, decimal? asked = null, params ProofFile[] proofs) =>
        new(Usd(actualCost), asked is null ? null : Usd(asked.Value), proofs.Length == 0 ? [Invoice] : proofs, 35, Usd(120_000m), "Webinar ran with 210 attendees");

    public Transition<ClaimState> Do(ClaimEvent e)
    {
        Last = ClaimWorkflow.Apply(State, e, Request.Clock);
        if (Last.IsRefused || Last.IsNoOp) return Last;
        foreach (var command in Last.Commands)
            switch (command)
            {
                case AppendToLedger ledger:
                    var decision = FundLedger.Decide(Request.Fund, ledger.Command);
                    Assert.False(decision.IsRefused, decision.Refusal?.ToString());
                    Request.Fund = decision.ApplyTo(Request.Fund);
                    break;
                case RecordClaimOnRequest record:
                    Assert.False(Request.Do(new ClaimSubmitted(record.ClaimId, Actor.System("claim"))).IsRefused);
                    break;
                case CreatePayout payout:
                    Payouts.Add(payout.Payout);
                    break;
            }
        State = Last.State;
        return Last;
    }

    public Transition<ClaimState> Submit(ClaimSubmission submission) => Do(new SubmitClaim(submission, Request.State, Partner));

    public Transition<ClaimState> Approve(Approver who, decimal? amount = null) =>
        Do(new ApproveClaim(State.Step, amount is null ? null : Usd(amount.Value), As(who)));
}
