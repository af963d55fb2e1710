namespace Tcma.Domain.Mdf;

/// <summary>
/// The fund request's life as one pure transition: <c>(state, event, now) -> (state, commands)</c>.
/// Every accepted event is recorded in the history with who, when and from where.
/// </summary>
public static class FundRequestWorkflow
{
    private static readonly LinkPurpose[] ApprovalLinks = [LinkPurpose.Approve, LinkPurpose.ApproveLowerAmount, LinkPurpose.Reject, LinkPurpose.AskForInformation];
    private const int MaxTextLength = 2_000;

    public static Transition<FundRequestState> Apply(FundRequestState state, FundRequestEvent @event, DateTimeOffset now) => @event switch
    {
        SubmitRequest e => Submit(state, e, now),
        ReservationFailed e => NotFunded(state, e, now),
        ApproveRequest e => Approve(state, e, now),
        RejectRequest e => Reject(state, e, now),
        AskForInformation e => Ask(state, e, now),
        ProvideInformation e => Answer(state, e, now),
        CancelRequest e => Cancel(state, e, now),
        RequestReminderDue e => Remind(state, e),
        RequestEscalationDue e => Escalate(state, e, now),
        RequestExpiryDue e => Expire(state, e, now),
        AskClaimExtension e => AskExtension(state, e, now),
        DecideClaimExtension e => DecideExtension(state, e, now),
        ClaimSubmitted e => Claimed(state, e, now),
        _ => throw new ArgumentException($"Unknown fund request event {@event.GetType().Name}.", nameof(@event)),
    };

    private static Transition<FundRequestState> Submit(FundRequestState s, SubmitRequest e, DateTimeOffset now)
    {
        if (s.Status != FundRequestStatus.Draft) return Transition<FundRequestState>.Nothing(s, $"request {s.RequestId} was already submitted");
        if (!IsPartner(s, e.By)) return NotYourRequest(s);
        var programProblems = e.Program.Check();
        if (programProblems.Count > 0) return Transition<FundRequestState>.No(s, programProblems);
        var problems = e.Proposal.Check(e.Program, e.Fund, now);
        if (problems.Count > 0) return Transition<FundRequestState>.No(s, problems);

        var p = e.Proposal;
        var approval = new ApprovalProgress(e.Program.RequestChain, e.Program.RequestChain.NextLevel(p.Requested, 0)!.Number, 1, false);
        var next = Record(s with { Status = FundRequestStatus.PendingApproval, Proposal = p, Program = e.Program, Amount = p.Requested, Approval = approval },
            e.By, now, "submitted", p.Requested);
        return Transition<FundRequestState>.To(next,
        [
            new AppendToLedger(new ReserveFunds(s.RequestId, p.Requested, e.By.UserId, now)),
            EmailLevel(next, ApprovalEmailKind.NewStep),
            Partner(next, $"Your request for {p.Requested} was submitted and {p.Requested} is reserved; {approval.Current.Name} will review it."),
            .. approval.Timers(s.RequestId, now, e.Program.ReminderAfterDays, e.Program.EscalationAfterDays),
            new SetTimer(s.RequestId, TimerKind.ActivityStart, 0, Days.StartOf(p.Start)),
        ]);
    }

    private static Transition<FundRequestState> NotFunded(FundRequestState s, ReservationFailed e, DateTimeOffset now)
    {
        if (s.Status != FundRequestStatus.PendingApproval || s.Step != 1)
            return Transition<FundRequestState>.Nothing(s, "the reservation already stands or the request moved on");
        var next = Record(s with { Status = FundRequestStatus.NotFunded }, e.By, now, $"not funded: {e.Reason.Message}");
        return Transition<FundRequestState>.To(next, [.. Closing(s), Partner(next, $"Your request could not be funded: {e.Reason.Message}")]);
    }

    private static Transition<FundRequestState> Approve(FundRequestState s, ApproveRequest e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        var current = s.Amount!;
        var amount = e.Amount ?? current;
        if (amount.Currency != current.Currency)
            return Transition<FundRequestState>.No(s, "approval.currency", $"This request is in {current.Currency.Code}; {amount} cannot be approved.");
        if (!amount.IsPositive)
            return Transition<FundRequestState>.No(s, "approval.amount_not_positive", "Approve an amount above zero, or reject the request.");
        if (amount > current)
            return Transition<FundRequestState>.No(s, "approval.amount_above_requested", $"At most {current} can be approved at this step; you entered {amount}.");

        var approval = s.Approval!;
        var lower = amount < current;
        var what = lower ? $"approved {amount} of {current} at level {approval.Level}" : $"approved at level {approval.Level}";
        var ledger = lower ? new MdfCommand[] { new AppendToLedger(new ReleaseReservation(s.RequestId, amount, $"approved {amount} instead of {current}", e.By.UserId, now)) } : [];
        var nextLevel = approval.Chain.NextLevel(amount, approval.Level);
        if (nextLevel is null)
        {
            var deadline = s.Proposal!.End.AddDays(s.Program!.ClaimDeadlineDays);
            var done = Record(s with { Status = FundRequestStatus.Approved, Amount = amount, ClaimDeadline = deadline, Approval = approval with { Step = approval.Step + 1 } },
                e.By, now, what + " (final)", amount, approval.Step);
            return Transition<FundRequestState>.To(done,
            [
                .. ledger, .. approval.CancelTimers(s.RequestId), new CancelTimer(s.RequestId, TimerKind.ActivityStart, 0),
                Partner(done, $"Your request is approved for {amount}. Claim by {deadline:yyyy-MM-dd} with proof of performance."),
            ]);
        }
        var moved = Record(s with { Amount = amount, Approval = approval.NextStep(nextLevel.Number) }, e.By, now, what, amount, approval.Step);
        return Transition<FundRequestState>.To(moved,
        [
            .. ledger, .. approval.CancelTimers(s.RequestId),
            EmailLevel(moved, ApprovalEmailKind.NewStep),
            .. moved.Approval!.Timers(s.RequestId, now, s.Program!.ReminderAfterDays, s.Program.EscalationAfterDays),
            Partner(moved, $"Level {approval.Level} approved {amount}; {nextLevel.Name} reviews it next."),
        ]);
    }

    private static Transition<FundRequestState> Reject(FundRequestState s, RejectRequest e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        if (Text(e.Reason, "reason") is { } bad) return Transition<FundRequestState>.No(s, [bad]);
        var next = Record(s with { Status = FundRequestStatus.Rejected, Approval = s.Approval! with { Step = s.Step + 1 } },
            e.By, now, $"rejected at level {s.Approval!.Level}: {e.Reason}", step: s.Step);
        return Transition<FundRequestState>.To(next,
        [
            Release(s, "request rejected", e.By, now), .. Closing(s),
            Partner(next, $"Your request was rejected: {e.Reason}. The reserved {s.Amount} is available again."),
        ]);
    }

    private static Transition<FundRequestState> Ask(FundRequestState s, AskForInformation e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        if (Text(e.Question, "question") is { } bad) return Transition<FundRequestState>.No(s, [bad]);
        var next = Record(s with { Status = FundRequestStatus.InformationRequested, Question = e.Question, Approval = s.Approval! with { Step = s.Step + 1 } },
            e.By, now, $"asked for information: {e.Question}", step: s.Step);
        return Transition<FundRequestState>.To(next,
        [
            .. s.Approval!.CancelTimers(s.RequestId),
            Partner(next, $"{s.Approval.Current.Name} needs more information before deciding: {e.Question}"),
        ]);
    }

    private static Transition<FundRequestState> Answer(FundRequestState s, ProvideInformation e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYourRequest(s);
        if (s.Status != FundRequestStatus.InformationRequested && s.History.LastOrDefault(h => h.By.UserId == e.By.UserId)?.What == $"provided information: {e.Answer}")
            return Transition<FundRequestState>.Nothing(s, "this answer was already sent");
        if (s.Status != FundRequestStatus.InformationRequested)
            return Transition<FundRequestState>.No(s, "request.no_question", "No information was asked for on this request.");
        if (Text(e.Answer, "answer") is { } bad) return Transition<FundRequestState>.No(s, [bad]);
        var resumed = Record(s with { Status = FundRequestStatus.PendingApproval, Question = null, Approval = s.Approval!.NextStep(s.Approval.Level) },
            e.By, now, $"provided information: {e.Answer}");
        return Transition<FundRequestState>.To(resumed,
        [
            EmailLevel(resumed, ApprovalEmailKind.NewStep),
            .. resumed.Approval!.Timers(s.RequestId, now, s.Program!.ReminderAfterDays, s.Program.EscalationAfterDays),
            Partner(resumed, $"Thank you; your answer went back to {resumed.Approval.Current.Name}."),
        ]);
    }

    private static Transition<FundRequestState> Cancel(FundRequestState s, CancelRequest e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYourRequest(s);
        if (s.Status == FundRequestStatus.Cancelled) return Transition<FundRequestState>.Nothing(s, "the request is already cancelled");
        if (s.Status == FundRequestStatus.Claimed)
            return Transition<FundRequestState>.No(s, "request.already_claimed", "A claim was submitted against this request; it can no longer be cancelled.");
        if (s.Status is not (FundRequestStatus.PendingApproval or FundRequestStatus.InformationRequested or FundRequestStatus.Approved))
            return Transition<FundRequestState>.No(s, "request.closed", $"The request is {s.Status}; there is nothing to cancel.");
        var next = Record(s with { Status = FundRequestStatus.Cancelled, Approval = s.Approval! with { Step = s.Step + 1 } }, e.By, now, $"cancelled: {e.Reason}", step: s.Step);
        return Transition<FundRequestState>.To(next,
        [
            Release(s, "request cancelled", e.By, now), .. Closing(s),
            Partner(next, $"Your request is cancelled; {s.Amount} is available again."),
        ]);
    }

    private static Transition<FundRequestState> Remind(FundRequestState s, RequestReminderDue e)
    {
        if (s.Status != FundRequestStatus.PendingApproval || e.Step != s.Step) return Transition<FundRequestState>.Nothing(s, "the step of this reminder is over");
        return Transition<FundRequestState>.To(s, EmailLevel(s, ApprovalEmailKind.Reminder));
    }

    private static Transition<FundRequestState> Escalate(FundRequestState s, RequestEscalationDue e, DateTimeOffset now)
    {
        if (s.Status != FundRequestStatus.PendingApproval || e.Step != s.Step) return Transition<FundRequestState>.Nothing(s, "the step of this escalation is over");
        if (s.Approval!.Escalated) return Transition<FundRequestState>.Nothing(s, "already escalated");
        var next = Record(s with { Approval = s.Approval with { Escalated = true } }, e.By, now, $"escalated to {s.Approval.Current.Backup.Name}");
        return Transition<FundRequestState>.To(next, EmailLevel(next, ApprovalEmailKind.Escalation) with { To = [next.Approval!.Current.Backup] });
    }

    private static Transition<FundRequestState> Expire(FundRequestState s, RequestExpiryDue e, DateTimeOffset now)
    {
        if (!s.IsOpen) return Transition<FundRequestState>.Nothing(s, "the request was decided before its activity started");
        if (now < Days.StartOf(s.Proposal!.Start)) return Transition<FundRequestState>.Nothing(s, "the activity has not started yet");
        var next = Record(s with { Status = FundRequestStatus.Expired, Approval = s.Approval! with { Step = s.Step + 1 } }, e.By, now, "expired undecided when the activity started", step: s.Step);
        return Transition<FundRequestState>.To(next,
        [
            Release(s, "request expired undecided", e.By, now), .. Closing(s),
            Partner(next, $"Your request was not decided before the activity started, so it expired; {s.Amount} is available again."),
        ]);
    }

    private static Transition<FundRequestState> AskExtension(FundRequestState s, AskClaimExtension e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYourRequest(s);
        if (s.Status != FundRequestStatus.Approved)
            return Transition<FundRequestState>.No(s, "extension.not_approved", "Only an approved, unclaimed request can have its claim deadline extended.");
        if (s.Extension is { Approved: null }) return Transition<FundRequestState>.Nothing(s, "an extension is already waiting for a decision");
        if (s.Extension is not null)
            return Transition<FundRequestState>.No(s, "extension.already_decided", "An extension was already decided for this request.");
        if (e.Until <= s.ClaimDeadline)
            return Transition<FundRequestState>.No(s, "extension.not_later", $"The claim deadline is already {s.ClaimDeadline:yyyy-MM-dd}; ask for a later day.");
        if (Text(e.Reason, "reason") is { } bad) return Transition<FundRequestState>.No(s, [bad]);
        var first = s.Program!.RequestChain.Levels[0];
        var next = Record(s with { Extension = new ClaimExtension(e.Until, e.Reason, e.By, now) }, e.By, now, $"asked to claim until {e.Until:yyyy-MM-dd}: {e.Reason}");
        return Transition<FundRequestState>.To(next,
        [
            new EmailApprovers(s.RequestId, first.Number, s.Step, [first.Approver, first.Backup], [LinkPurpose.ApproveExtension, LinkPurpose.RejectExtension], ApprovalEmailKind.NewStep,
                $"Claim deadline extension to {e.Until:yyyy-MM-dd} asked for: {e.Reason}"),
            Partner(next, $"Your extension to {e.Until:yyyy-MM-dd} was sent to {first.Name}."),
        ]);
    }

    private static Transition<FundRequestState> DecideExtension(FundRequestState s, DecideClaimExtension e, DateTimeOffset now)
    {
        if (s.Extension is null) return Transition<FundRequestState>.No(s, "extension.none", "No extension was asked for.");
        if (s.Extension.Approved is not null) return Transition<FundRequestState>.Nothing(s, "the extension was already decided");
        if (!s.Program!.RequestChain.Levels.Any(l => l.Includes(e.By.UserId)))
            return Transition<FundRequestState>.No(s, "approval.wrong_approver", $"{e.By.UserId} is not an approver of this request.");
        var next = Record(s with { Extension = s.Extension with { Approved = e.Approve, DecidedBy = e.By } }, e.By, now,
            e.Approve ? $"extended the claim deadline to {s.Extension.Until:yyyy-MM-dd}" : "declined the claim deadline extension");
        return Transition<FundRequestState>.To(next, Partner(next, e.Approve
            ? $"You can claim until {s.Extension.Until:yyyy-MM-dd}."
            : $"The extension was declined; the claim deadline stays {s.ClaimDeadline:yyyy-MM-dd}."));
    }

    private static Transition<FundRequestState> Claimed(FundRequestState s, ClaimSubmitted e, DateTimeOffset now)
    {
        if (s.ClaimId == e.ClaimId) return Transition<FundRequestState>.Nothing(s, "the claim is already recorded");
        if (s.Status != FundRequestStatus.Approved)
            return Transition<FundRequestState>.No(s, "request.not_claimable", $"The request is {s.Status}; only an approved request can be claimed, once.");
        var next = Record(s with { Status = FundRequestStatus.Claimed, ClaimId = e.ClaimId }, e.By, now, $"claimed with claim {e.ClaimId}");
        return Transition<FundRequestState>.To(next);
    }

    // Approver actions: only on an open step, by someone who may act on it now.
    private static Transition<FundRequestState>? Gate(FundRequestState s, Actor by, int step)
    {
        if (s.Approval is null) return Transition<FundRequestState>.No(s, "request.not_pending", "This request was never submitted.");
        if (s.Status == FundRequestStatus.InformationRequested)
            return Transition<FundRequestState>.No(s, "request.waiting_for_partner", $"The request is waiting for the partner's answer to: {s.Question}");
        var actor = s.Approval.CheckActor(by, step, s.History);
        if (actor is not null && step != s.Step && s.History.Any(h => h.Step == step && h.By.UserId == by.UserId && !h.By.IsSystem))
            return Transition<FundRequestState>.Nothing(s, "you already acted on this step");
        if (actor is not null) return Transition<FundRequestState>.No(s, [actor]);
        if (s.Status != FundRequestStatus.PendingApproval)
            return Transition<FundRequestState>.No(s, "request.not_pending", $"The request is {s.Status}; there is nothing to decide.");
        return null;
    }

    private static bool IsPartner(FundRequestState s, Actor by) => by.PartnerId == s.PartnerId;

    private static Transition<FundRequestState> NotYourRequest(FundRequestState s) =>
        Transition<FundRequestState>.No(s, "request.not_your_request", "Only the partner who owns this request can do this.");

    private static Refusal? Text(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? new("request.text_missing", $"Give a {what}.")
        : text.Length > MaxTextLength ? new("request.text_too_long", $"The {what} is longer than {MaxTextLength:N0} characters.")
        : null;

    private static AppendToLedger Release(FundRequestState s, string reason, Actor by, DateTimeOffset now) =>
        new(new ReleaseReservation(s.RequestId, Money.Zero(s.Amount!.Currency), reason, by.UserId, now));

    private static IEnumerable<MdfCommand> Closing(FundRequestState s) =>
        [.. s.Approval!.CancelTimers(s.RequestId), new CancelTimer(s.RequestId, TimerKind.ActivityStart, 0)];

    private static EmailApprovers EmailLevel(FundRequestState s, ApprovalEmailKind kind)
    {
        var p = s.Proposal!;
        var activity = s.Program!.Activity(p.ActivityTypeId)!;
        return new(s.RequestId, s.Approval!.Level, s.Step, s.Approval.Approvers, ApprovalLinks, kind,
            $"{activity.Name} from {p.Start:yyyy-MM-dd} to {p.End:yyyy-MM-dd}: {s.Amount} of an estimated {p.EstimatedCost}; expects {p.ExpectedLeads} leads and {p.ExpectedPipeline} pipeline.");
    }

    private static EmailPartner Partner(FundRequestState s, string message) => new(s.PartnerId, s.RequestId, s.Status.ToString(), message);

    private static FundRequestState Record(FundRequestState s, Actor by, DateTimeOffset now, string what, Money? amount = null, int? step = null) =>
        s with { History = s.History.Add(new HistoryEntry(now, by, step ?? s.Step, what, s.Status.ToString(), amount)) };
}
