using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using static Tcma.UnitTests.Mdf.RequestScenario;
using static Tcma.UnitTests.Mdf.ClaimScenario;

namespace Tcma.UnitTests.Mdf;

public sealed class ClaimWorkflowTests
{
    private static ClaimScenario EventsClaim()
    {
        var request = new RequestScenario();
        request.Submit(5_000m, activity: "events", cost: 10_000m);
        while (request.State.Status == FundRequestStatus.PendingApproval) request.Approve(request.State.Approval!.Current.Approver);
        return new ClaimScenario(request);
    }

    private static string OnlyRefusal(ClaimScenario c, ClaimSubmission submission)
    {
        var t = c.Submit(submission);
        Assert.Equal(ClaimStatus.Draft, c.State.Status);
        return Assert.Single(t.Refusals).Code;
    }

    [Fact]
    public void The_reimbursable_amount_is_the_lower_of_the_approved_amount_and_the_rate_times_the_actual_cost()
    {
        var c = EventsClaim();
        var t = c.Submit(Submission(8_000m));
        Assert.Equal(ClaimStatus.PendingApproval, c.State.Status);
        Assert.Equal(Usd(4_000m), c.State.Amount);
        Assert.Equal("50% of the actual cost USD 8,000.00 is USD 4,000.00; the approved amount is USD 5,000.00; reimbursable is the lower of the two, the rate applied to the actual cost: USD 4,000.00.",
            c.State.Reimbursement!.Explanation);
        Assert.Equal(new FundFigures(Usd(50_000m), Usd(0m), Usd(0m), Usd(0m), Usd(4_000m), Usd(0m), Usd(0m), Usd(46_000m)), c.Request.Fund.Figures);
        Assert.Equal(FundRequestStatus.Claimed, c.Request.State.Status);
        Assert.Equal([Finance], t.Commands.OfType<EmailApprovers>().Single().To);
    }

    [Fact]
    public void An_actual_cost_above_the_estimate_still_pays_at_most_the_approved_amount()
    {
        var c = EventsClaim();
        c.Submit(Submission(14_000m));
        Assert.Equal(Usd(5_000m), c.State.Amount);
        Assert.EndsWith("the approved amount: USD 5,000.00.", c.State.Reimbursement!.Explanation);
    }

    [Fact]
    public void Claiming_more_than_is_reimbursable_is_refused_with_the_explanation()
    {
        var c = EventsClaim();
        var t = c.Submit(Submission(8_000m, asked: 4_000.01m));
        Assert.Equal("claim.above_reimbursable", t.Refusals.Single().Code);
        Assert.Contains("USD 4,000.00", t.Refusals.Single().Message);
        c.Submit(Submission(8_000m, asked: 3_500m));
        Assert.Equal(Usd(3_500m), c.State.Amount);
        Assert.Equal(Usd(3_500m), c.Request.Fund.Claimed);
        Assert.Equal(Usd(0m), c.Request.Fund.Reserved);
    }

    [Fact]
    public void A_claim_before_the_activity_is_over_is_refused()
    {
        var c = EventsClaim();
        c.Request.Clock = Days.StartOf(c.Request.State.Proposal!.End).AddTicks(-1);
        Assert.Equal("claim.activity_not_over", OnlyRefusal(c, Submission(8_000m)));
    }

    [Fact]
    public void The_claim_deadline_holds_to_the_end_of_its_day()
    {
        var c = EventsClaim();
        var deadline = c.Request.State.ClaimDeadline!.Value;
        Assert.Equal(c.Request.State.Proposal!.End.AddDays(60), deadline);
        c.Request.Clock = Days.EndOf(deadline);
        Assert.Equal("claim.deadline_passed", OnlyRefusal(c, Submission(8_000m)));
        c.Request.Clock = Days.EndOf(deadline).AddTicks(-1);
        Assert.Equal(ClaimStatus.PendingApproval, c.Submit(Submission(8_000m)).State.Status);
    }

    [Fact]
    public void A_late_claim_is_accepted_after_an_approved_extension_and_refused_after_a_declined_one()
    {
        var approved = EventsClaim();
        var deadline = approved.Request.State.ClaimDeadline!.Value;
        Assert.Equal("extension.not_later", approved.Request.Do(new AskClaimExtension(deadline, "late invoice", Partner)).Refusals.Single().Code);
        var ask = approved.Request.Do(new AskClaimExtension(deadline.AddDays(30), "the venue's invoice is late", Partner));
        Assert.Equal([ChannelManager, ChannelManagerBackup], ask.Commands.OfType<EmailApprovers>().Single().To);
        approved.Request.Clock = Days.EndOf(deadline).AddDays(1);
        Assert.Contains("still waiting", approved.Submit(Submission(8_000m)).Refusals.Single().Message);
        Assert.Equal("approval.wrong_approver", approved.Request.Do(new DecideClaimExtension(true, Partner)).Refusals.Single().Code);
        approved.Request.Do(new DecideClaimExtension(true, As(ChannelManager)));
        Assert.True(approved.Request.Do(new DecideClaimExtension(false, As(ChannelManager))).IsNoOp);
        Assert.Equal(ClaimStatus.PendingApproval, approved.Submit(Submission(8_000m)).State.Status);

        var declined = EventsClaim();
        declined.Request.Do(new AskClaimExtension(deadline.AddDays(30), "the venue's invoice is late", Partner));
        declined.Request.Do(new DecideClaimExtension(false, As(Director)));
        declined.Request.Clock = Days.EndOf(deadline).AddDays(1);
        var refused = declined.Submit(Submission(8_000m));
        Assert.Equal("claim.deadline_passed", refused.Refusals.Single().Code);
        Assert.Contains("declined", refused.Refusals.Single().Message);
    }

    [Fact]
    public void Proof_is_required_and_checked()
    {
        var c = EventsClaim();
        Assert.Equal("claim.no_proof", OnlyRefusal(c, Submission(8_000m) with { Proofs = [] }));
        Assert.Equal("proof.type_not_allowed", OnlyRefusal(c, Submission(8_000m, null, new ProofFile("run.exe", "application/x-msdownload", 10))));
        Assert.Equal("proof.too_large", OnlyRefusal(c, Submission(8_000m, null, new ProofFile("scan.pdf", ProofFile.Pdf, 10 * 1024 * 1024 + 1))));
        Assert.Equal("proof.extension_mismatch", OnlyRefusal(c, Submission(8_000m, null, new ProofFile("scan.html", ProofFile.Pdf, 100))));
        Assert.Equal("proof.bad_name", OnlyRefusal(c, Submission(8_000m, null, new ProofFile("../../etc/x.pdf", ProofFile.Pdf, 100))));
        Assert.Equal("claim.too_many_proofs", OnlyRefusal(c, Submission(8_000m) with { Proofs = Enumerable.Repeat(Invoice, 21).ToList() }));
    }

    [Fact]
    public void Bad_amounts_are_refused()
    {
        var c = EventsClaim();
        Assert.Equal("claim.cost_not_positive", OnlyRefusal(c, Submission(0m)));
        Assert.Equal("claim.wrong_currency", OnlyRefusal(c, Submission(8_000m) with { ActualCost = Eur(8_000m) }));
        Assert.Equal("claim.amount_absurd", OnlyRefusal(c, Submission(1_000_000.01m)));
        Assert.Equal("claim.negative_leads", OnlyRefusal(c, Submission(8_000m) with { Leads = -1 }));
        Assert.Equal("claim.nothing_reimbursable", OnlyRefusal(c, Submission(0.01m)));
    }

    [Fact]
    public void Only_an_approved_unclaimed_request_of_the_same_partner_can_be_claimed()
    {
        var pending = new RequestScenario();
        pending.Submit(5_000m);
        Assert.Equal("claim.request_not_approved", ClaimWorkflow.Apply(ClaimState.New("c", "partner-7"), new SubmitClaim(Submission(8_000m), pending.State, Partner), Now).Refusals.Single().Code);

        var c = EventsClaim();
        Assert.Equal("claim.not_your_request", c.Do(new SubmitClaim(Submission(8_000m), c.Request.State, OtherPartner)).Refusals.Single().Code);
        c.Submit(Submission(8_000m));
        Assert.True(c.Submit(Submission(8_000m)).IsNoOp);
        var second = ClaimWorkflow.Apply(ClaimState.New("claim-2", "partner-7"), new SubmitClaim(Submission(8_000m), c.Request.State, Partner), c.Request.Clock);
        Assert.Equal("claim.already_claimed", second.Refusals.Single().Code);
    }

    [Fact]
    public void Finance_approves_partially_and_the_payout_carries_the_approved_amount_and_gl_code()
    {
        var c = EventsClaim();
        c.Submit(Submission(8_000m));
        Assert.Equal("approval.wrong_approver", c.Approve(ChannelManager).Refusals.Single().Code);
        c.Approve(Finance, 3_750.50m);
        Assert.Equal(ClaimStatus.Approved, c.State.Status);
        var payout = Assert.Single(c.Payouts);
        Assert.Equal((Usd(3_750.50m), "6100-EVT", "MDF-claim-1", "partner-7"), (payout.Amount, payout.GlCode, payout.Reference, payout.PartnerId));
        Assert.Equal(new FundFigures(Usd(50_000m), Usd(0m), Usd(0m), Usd(0m), Usd(3_750.50m), Usd(0m), Usd(0m), Usd(46_249.50m)), c.Request.Fund.Figures);
    }

    [Theory]
    [InlineData(25_000.00, new[] { 1 })]
    [InlineData(25_000.01, new[] { 1, 2 })]
    public void The_claim_chain_has_its_own_thresholds(decimal claimed, int[] levels)
    {
        var c = new ClaimScenario(new RequestScenario().Approved(30_000m));
        c.Submit(Submission(30_000m, asked: claimed));
        var walked = new List<int>();
        while (c.State.Status == ClaimStatus.PendingApproval)
        {
            walked.Add(c.State.Approval!.Level);
            c.Approve(c.State.Approval.Current.Approver);
        }
        Assert.Equal(levels, walked);
        Assert.Single(c.Payouts);
    }

    [Fact]
    public void A_rejected_claim_returns_its_money_to_available()
    {
        var c = EventsClaim();
        c.Submit(Submission(8_000m));
        Assert.Equal("claim.reason_missing", c.Do(new RejectClaim(1, "", As(Finance))).Refusals.Single().Code);
        c.Do(new RejectClaim(1, "The invoice is for another event", As(Finance)));
        Assert.Equal(ClaimStatus.Rejected, c.State.Status);
        Assert.Equal(Usd(50_000m), c.Request.Fund.Available);
        Assert.Empty(c.Payouts);
        Assert.Equal("claim.not_approved", c.Do(new MarkClaimPaid("ERP-1", As(Finance))).Refusals.Single().Code);
    }

    [Fact]
    public void Marking_paid_is_for_finance_and_happens_once()
    {
        var c = EventsClaim();
        c.Submit(Submission(8_000m));
        c.Approve(Finance);
        Assert.Equal("claim.not_finance", c.Do(new MarkClaimPaid("ERP-77", As(ChannelManager))).Refusals.Single().Code);
        Assert.Equal("claim.payment_reference", c.Do(new MarkClaimPaid(" ", As(Finance))).Refusals.Single().Code);
        c.Do(new MarkClaimPaid("ERP-77", As(Finance)));
        Assert.Equal(ClaimStatus.Paid, c.State.Status);
        Assert.True(c.Do(new MarkClaimPaid("ERP-78", As(Finance))).IsNoOp);
        Assert.Equal(new FundFigures(Usd(50_000m), Usd(0m), Usd(0m), Usd(0m), Usd(0m), Usd(4_000m), Usd(0m), Usd(46_000m)), c.Request.Fund.Figures);
    }

    [Fact]
    public void The_payout_service_may_record_a_payment_finance_made_outside_the_claims_chain()
    {
        var c = EventsClaim();
        c.Submit(Submission(8_000m));
        c.Approve(Finance);
        c.Do(new MarkClaimPaid("ERP-90", Actor.System("payouts, marked by dev:fin3@v.example")));
        Assert.Equal(ClaimStatus.Paid, c.State.Status);
        Assert.Equal("ERP-90", c.State.PaymentReference);
        Assert.Equal(new FundFigures(Usd(50_000m), Usd(0m), Usd(0m), Usd(0m), Usd(0m), Usd(4_000m), Usd(0m), Usd(46_000m)), c.Request.Fund.Figures);
    }

    [Fact]
    public void Claim_escalation_goes_to_finance_backup_once()
    {
        var c = EventsClaim();
        c.Submit(Submission(8_000m));
        Assert.Equal("approval.backup_not_escalated", c.Approve(FinanceBackup).Refusals.Single().Code);
        Assert.Equal([FinanceBackup], c.Do(new ClaimEscalationDue(1, Actor.System("timer"))).Commands.OfType<EmailApprovers>().Single().To);
        Assert.True(c.Do(new ClaimEscalationDue(1, Actor.System("timer"))).IsNoOp);
        Assert.Equal(ApprovalEmailKind.Reminder, c.Do(new ClaimReminderDue(1, Actor.System("timer"))).Commands.OfType<EmailApprovers>().Single().Kind);
        c.Approve(FinanceBackup);
        Assert.Equal(ClaimStatus.Approved, c.State.Status);
        Assert.True(c.Do(new ClaimReminderDue(1, Actor.System("timer"))).IsNoOp);
    }
}
