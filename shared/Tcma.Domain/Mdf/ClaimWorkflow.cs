namespace Tcma.Domain.Mdf;

/// <summary>
/// The claim's life as one pure transition: submitted against an approved request, approved through the program's
/// claim chain (finance at least, possibly for less), then a payout that finance exports and marks paid.
/// </summary>
public static class ClaimWorkflow
{
    private static readonly LinkPurpose[] ApprovalLinks = [LinkPurpose.Approve, LinkPurpose.ApproveLowerAmount, LinkPurpose.Reject];

    public static Transition<ClaimState> Apply(ClaimState state, ClaimEvent @event, DateTimeOffset now) => @event switch
    {
        SubmitClaim e => Submit(state, e, now),
        ApproveClaim e => Approve(state, e, now),
        RejectClaim e => Reject(state, e, now),
        ClaimReminderDue e => state.Status == ClaimStatus.PendingApproval && e.Step == state.Step
            ? Transition<ClaimState>.To(state, EmailLevel(state, ApprovalEmailKind.Reminder))
            : Transition<ClaimState>.Nothing(state, "the step of this reminder is over"),
        ClaimEscalationDue e => Escalate(state, e, now),
        MarkClaimPaid e => MarkPaid(state, e, now),
        _ => throw new ArgumentException($"Unknown claim event {@event.GetType().Name}.", nameof(@event)),
    };

    /// <summary>Every reason this claim cannot be submitted now; the reimbursement when it can.</summary>
    public static Checked<Reimbursement> Check(ClaimState claim, ClaimSubmission c, FundRequestState request, Actor by, DateTimeOffset now)
    {
        var problems = new List<Refusal>();
        if (by.PartnerId != claim.PartnerId || request.PartnerId != claim.PartnerId)
            return Checked<Reimbursement>.No(new Refusal("claim.not_your_request", "Only the partner who owns the request can claim against it."));
        if (request.Status == FundRequestStatus.Claimed)
            return Checked<Reimbursement>.No(new Refusal("claim.already_claimed", $"Request {request.RequestId} was already claimed (claim {request.ClaimId})."));
        if (request.Status != FundRequestStatus.Approved)
            return Checked<Reimbursement>.No(new Refusal("claim.request_not_approved", $"Request {request.RequestId} is {request.Status}; only an approved request can be claimed."));

        var program = request.Program!;
        var proposal = request.Proposal!;
        var today = Days.Of(now);
        if (today < proposal.End)
            problems.Add(new("claim.activity_not_over", $"The activity runs until {proposal.End:yyyy-MM-dd}; claim once it is over."));
        var deadline = request.EffectiveClaimDeadline!.Value;
        if (now >= Days.EndOf(deadline))
            problems.Add(new("claim.deadline_passed", request.Extension switch
            {
                { Approved: true } => $"The extended claim deadline was {deadline:yyyy-MM-dd}; it has passed.",
                { Approved: false } => $"Claims were due by {deadline:yyyy-MM-dd} and the extension was declined.",
                { Approved: null } => $"Claims were due by {deadline:yyyy-MM-dd}; your extension is still waiting for a decision.",
                null => $"Claims were due by {deadline:yyyy-MM-dd} ({program.ClaimDeadlineDays} days after the activity); ask for an extension.",
            }));

        if (c.ActualCost.Currency != program.Currency || c.Pipeline.Currency != program.Currency || c.Asked is { } a && a.Currency != program.Currency)
            return Checked<Reimbursement>.No([.. problems, new Refusal("claim.wrong_currency", $"{program.Name} pays in {program.Currency.Code}; every amount of the claim must be in {program.Currency.Code}.")]);
        if (!c.ActualCost.IsPositive) problems.Add(new("claim.cost_not_positive", "The actual cost must be more than zero."));
        if (c.ActualCost > program.MaxAmount) problems.Add(new("claim.amount_absurd", $"Amounts above {program.MaxAmount} are not accepted here."));
        if (c.Leads < 0) problems.Add(new("claim.negative_leads", "Leads cannot be negative."));
        if (c.Pipeline.IsNegative) problems.Add(new("claim.negative_pipeline", "Pipeline cannot be negative."));
        if ((c.Notes ?? "").Length > Proposal.MaxDescriptionLength) problems.Add(new("claim.notes_too_long", $"Notes are limited to {Proposal.MaxDescriptionLength:N0} characters."));
        if (c.Proofs.Count == 0) problems.Add(new("claim.no_proof", "Attach proof of performance: an invoice, screenshots or an attendee list."));
        if (c.Proofs.Count > program.ProofFiles.MaxFiles) problems.Add(new("claim.too_many_proofs", $"Attach at most {program.ProofFiles.MaxFiles} files."));
        foreach (var proof in c.Proofs) problems.AddRange(proof.CheckDeclared(program.ProofFiles));
        if (problems.Count > 0) return Checked<Reimbursement>.No(problems);

        var reimbursement = Reimbursement.For(request.Amount!, program.Activity(proposal.ActivityTypeId)!, c.ActualCost);
        if (!reimbursement.Amount.IsPositive)
            return Checked<Reimbursement>.No(new Refusal("claim.nothing_reimbursable", reimbursement.Explanation));
        if (c.Asked is { } asked)
        {
            if (!asked.IsPositive) return Checked<Reimbursement>.No(new Refusal("claim.amount_not_positive", "The amount claimed must be more than zero."));
            if (asked > reimbursement.Amount) return Checked<Reimbursement>.No(new Refusal("claim.above_reimbursable", $"You claimed {asked}, but {reimbursement.Explanation}"));
        }
        return Checked<Reimbursement>.Ok(reimbursement);
    }

    private static Transition<ClaimState> Submit(ClaimState s, SubmitClaim e, DateTimeOffset now)
    {
        if (s.Status != ClaimStatus.Draft) return Transition<ClaimState>.Nothing(s, $"claim {s.ClaimId} was already submitted");
        var check = Check(s, e.Submission, e.Request, e.By, now);
        if (!check.IsValid) return Transition<ClaimState>.No(s, check.Refusals);

        var program = e.Request.Program!;
        var amount = e.Submission.Asked ?? check.Value!.Amount;
        var approval = new ApprovalProgress(program.ClaimChain, program.ClaimChain.NextLevel(amount, 0)!.Number, 1, false);
        var next = Record(s with
        {
            Status = ClaimStatus.PendingApproval, RequestId = e.Request.RequestId, FundId = e.Request.FundId, Program = program,
            ActivityTypeId = e.Request.Proposal!.ActivityTypeId, Submission = e.Submission, Reimbursement = check.Value, Amount = amount, Approval = approval,
        }, e.By, now, $"claimed {amount}: {check.Value!.Explanation}", amount);
        return Transition<ClaimState>.To(next,
        [
            new AppendToLedger(new ConvertToClaim(e.Request.RequestId, s.ClaimId, amount, e.By.UserId, now)),
            new RecordClaimOnRequest(e.Request.RequestId, s.ClaimId),
            EmailLevel(next, ApprovalEmailKind.NewStep),
            Partner(next, $"Your claim for {amount} was submitted; {approval.Current.Name} will review it."),
            .. approval.Timers(s.ClaimId, now, program.ReminderAfterDays, program.EscalationAfterDays),
        ]);
    }

    private static Transition<ClaimState> Approve(ClaimState s, ApproveClaim e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        var current = s.Amount!;
        var amount = e.Amount ?? current;
        if (amount.Currency != current.Currency)
            return Transition<ClaimState>.No(s, "approval.currency", $"This claim is in {current.Currency.Code}; {amount} cannot be approved.");
        if (!amount.IsPositive) return Transition<ClaimState>.No(s, "approval.amount_not_positive", "Approve an amount above zero, or reject the claim.");
        if (amount > current) return Transition<ClaimState>.No(s, "approval.amount_above_requested", $"At most {current} can be approved at this step; you entered {amount}.");

        var approval = s.Approval!;
        var lower = amount < current;
        var ledger = lower ? new MdfCommand[] { new AppendToLedger(new ReleaseClaim(s.ClaimId, amount, $"approved {amount} instead of {current}", e.By.UserId, now)) } : [];
        var what = lower ? $"approved {amount} of {current} at level {approval.Level}" : $"approved at level {approval.Level}";
        var nextLevel = approval.Chain.NextLevel(amount, approval.Level);
        if (nextLevel is null)
        {
            var done = Record(s with { Status = ClaimStatus.Approved, Amount = amount, Approval = approval with { Step = approval.Step + 1 } }, e.By, now, what + " (final)", amount, approval.Step);
            var payout = new Payout(s.ClaimId, s.RequestId!, s.PartnerId, s.FundId!, amount, s.Program!.Activity(s.ActivityTypeId!)!.GlCode, $"MDF-{s.ClaimId}", now);
            return Transition<ClaimState>.To(done,
            [
                .. ledger, .. approval.CancelTimers(s.ClaimId), new CreatePayout(payout),
                Partner(done, $"Your claim is approved: {amount} will be paid with reference {payout.Reference}."),
            ]);
        }
        var moved = Record(s with { Amount = amount, Approval = approval.NextStep(nextLevel.Number) }, e.By, now, what, amount, approval.Step);
        return Transition<ClaimState>.To(moved,
        [
            .. ledger, .. approval.CancelTimers(s.ClaimId), EmailLevel(moved, ApprovalEmailKind.NewStep),
            .. moved.Approval!.Timers(s.ClaimId, now, s.Program!.ReminderAfterDays, s.Program.EscalationAfterDays),
            Partner(moved, $"Level {approval.Level} approved {amount}; {nextLevel.Name} reviews it next."),
        ]);
    }

    private static Transition<ClaimState> Reject(ClaimState s, RejectClaim e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(e.Reason) || e.Reason.Length > 2_000)
            return Transition<ClaimState>.No(s, "claim.reason_missing", "Give a reason (at most 2,000 characters) so the partner can fix the claim.");
        var next = Record(s with { Status = ClaimStatus.Rejected, Approval = s.Approval! with { Step = s.Step + 1 } }, e.By, now, $"rejected at level {s.Approval!.Level}: {e.Reason}", step: s.Step);
        return Transition<ClaimState>.To(next,
        [
            new AppendToLedger(new ReleaseClaim(s.ClaimId, Money.Zero(s.Amount!.Currency), "claim rejected", e.By.UserId, now)),
            .. s.Approval.CancelTimers(s.ClaimId),
            Partner(next, $"Your claim was rejected: {e.Reason}"),
        ]);
    }

    private static Transition<ClaimState> Escalate(ClaimState s, ClaimEscalationDue e, DateTimeOffset now)
    {
        if (s.Status != ClaimStatus.PendingApproval || e.Step != s.Step) return Transition<ClaimState>.Nothing(s, "the step of this escalation is over");
        if (s.Approval!.Escalated) return Transition<ClaimState>.Nothing(s, "already escalated");
        var next = Record(s with { Approval = s.Approval with { Escalated = true } }, e.By, now, $"escalated to {s.Approval.Current.Backup.Name}");
        return Transition<ClaimState>.To(next, EmailLevel(next, ApprovalEmailKind.Escalation) with { To = [next.Approval!.Current.Backup] });
    }

    private static Transition<ClaimState> MarkPaid(ClaimState s, MarkClaimPaid e, DateTimeOffset now)
    {
        if (s.Status == ClaimStatus.Paid) return Transition<ClaimState>.Nothing(s, $"the claim was already paid ({s.PaymentReference})");
        if (s.Status != ClaimStatus.Approved) return Transition<ClaimState>.No(s, "claim.not_approved", $"The claim is {s.Status}; only an approved claim can be paid.");
        // A system actor is the payout service recording what a finance user did in the ERP export (that user's role is
        // checked where they act); a person must be finance in this claim's chain.
        if (!e.By.IsSystem && !s.Program!.ClaimChain.Levels.Any(l => l.Role == ApproverRole.Finance && l.Includes(e.By.UserId)))
            return Transition<ClaimState>.No(s, "claim.not_finance", "Only finance can mark a payout paid.");
        if (string.IsNullOrWhiteSpace(e.PaymentReference) || e.PaymentReference.Length > 100)
            return Transition<ClaimState>.No(s, "claim.payment_reference", "Give the ERP's payment reference (at most 100 characters).");
        var next = Record(s with { Status = ClaimStatus.Paid, PaymentReference = e.PaymentReference }, e.By, now, $"paid, reference {e.PaymentReference}", s.Amount);
        return Transition<ClaimState>.To(next,
        [
            new AppendToLedger(new PayClaim(s.ClaimId, s.Amount!, e.PaymentReference, e.By.UserId, now)),
            Partner(next, $"{s.Amount} was paid for your claim (payment reference {e.PaymentReference})."),
        ]);
    }

    private static Transition<ClaimState>? Gate(ClaimState s, Actor by, int step)
    {
        if (s.Approval is null) return Transition<ClaimState>.No(s, "claim.not_pending", "This claim was never submitted.");
        var actor = s.Approval.CheckActor(by, step, s.History);
        if (actor is not null && step != s.Step && s.History.Any(h => h.Step == step && h.By.UserId == by.UserId && !h.By.IsSystem))
            return Transition<ClaimState>.Nothing(s, "you already acted on this step");
        if (actor is not null) return Transition<ClaimState>.No(s, [actor]);
        if (s.Status != ClaimStatus.PendingApproval) return Transition<ClaimState>.No(s, "claim.not_pending", $"The claim is {s.Status}; there is nothing to decide.");
        return null;
    }

    private static EmailApprovers EmailLevel(ClaimState s, ApprovalEmailKind kind) =>
        new(s.ClaimId, s.Approval!.Level, s.Step, s.Approval.Approvers, ApprovalLinks, kind,
            $"Claim {s.Amount} against request {s.RequestId}: actual cost {s.Submission!.ActualCost}, {s.Submission.Proofs.Count} proof file(s), {s.Submission.Leads} leads, {s.Submission.Pipeline} pipeline. {s.Reimbursement!.Explanation}");

    private static EmailPartner Partner(ClaimState s, string message) => new(s.PartnerId, s.ClaimId, s.Status.ToString(), message);

    private static ClaimState Record(ClaimState s, Actor by, DateTimeOffset now, string what, Money? amount = null, int? step = null) =>
        s with { History = s.History.Add(new HistoryEntry(now, by, step ?? s.Step, what, s.Status.ToString(), amount)) };
}
