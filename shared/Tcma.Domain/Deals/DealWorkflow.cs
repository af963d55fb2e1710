using System.Globalization;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

/// <summary>
/// A deal registration's life as one pure transition <c>(state, event, now) -> (state, commands)</c>: the conflict
/// verdict, the approval chain (reminders, escalation, the promised decision time), the protection and its one
/// extension, the partner's stages, the end. Every accepted event is in the history with who, when and from where.
/// </summary>
public static class DealWorkflow
{
    private static readonly LinkPurpose[] ApprovalLinks = [LinkPurpose.Approve, LinkPurpose.Reject, LinkPurpose.AskForInformation];
    private static readonly LinkPurpose[] ExtensionLinks = [LinkPurpose.ApproveExtension, LinkPurpose.RejectExtension];
    public const int MaxTextLength = 2_000;

    public static DealTransition Apply(DealState state, DealEvent @event, DateTimeOffset now) => @event switch
    {
        SubmitDeal e => Submit(state, e, now),
        RecheckDeal e => state.Status == DealStatus.Queued
            ? Verdict(state, e.Verdict, e.By, now, "looked at again")
            : DealTransition.Nothing(state, "the registration is no longer waiting"),
        ApproveDeal e => Approve(state, e, now),
        RejectDeal e => Reject(state, e, now),
        AskDealInformation e => Ask(state, e, now),
        ProvideDealInformation e => Answer(state, e, now),
        WithdrawDeal e => Withdraw(state, e, now),
        ChangeDealStage e => Stage(state, e, now),
        MarkDealWon e => Won(state, e, now),
        MarkDealLost e => Lost(state, e, now),
        AskProtectionExtension e => AskExtension(state, e, now),
        DecideProtectionExtension e => DecideExtension(state, e, now),
        WaiterQueued e => Waiter(state, e, now),
        SupersedeDeal e => state.IsUndecided
            ? Close(state, DealStatus.Refused, e.Reason, e.By, now, $"refused: {e.Reason}", DealCrmEvents.Refused, "was refused")
            : DealTransition.Nothing(state, "only an undecided registration gives way"),
        DealTimerDue e => Timer(state, e, now),
        _ => throw new ArgumentException($"Unknown deal event {@event.GetType().Name}.", nameof(@event)),
    };

    private static DealTransition Submit(DealState s, SubmitDeal e, DateTimeOffset now)
    {
        if (s.Status != DealStatus.Draft) return DealTransition.Nothing(s, $"registration {s.RegistrationId} was already submitted");
        if (!IsPartner(s, e.By)) return NotYours(s);
        var problems = e.Rules.Check();
        if (problems.Count > 0) return DealTransition.No(s, problems);
        var submitted = s with { Registration = e.Registration, Rules = e.Rules, Partner = e.Partner, SubmittedAt = now };
        return Verdict(submitted, e.Verdict, e.By, now, $"submitted under rules version {e.Rules.Version}");
    }

    private static DealTransition Verdict(DealState s, ConflictVerdict verdict, Actor by, DateTimeOffset now, string what)
    {
        s = s with { Evidence = verdict.Evidence };
        var company = s.Registration!.Customer.CompanyName;
        switch (verdict)
        {
            case ConflictVerdict.Refuse refuse:
                return Close(s, DealStatus.Refused, refuse.Reason.Message, by, now, $"{what}; refused: {refuse.Reason.Message}", DealCrmEvents.Refused, "was refused");
            case ConflictVerdict.Queue queue:
                var queued = Record(s with { Status = DealStatus.Queued, BlockedBy = queue.BehindId }, by, now, $"{what}; queued behind {queue.BehindId}");
                var commands = new List<DealCommand>
                {
                    new EmailDealPartner($"Your registration of {company} is waiting", queue.Reason),
                    new NotifyDealCrm(DealCrmEvents.Queued, queue.Reason),
                };
                if (queue.BehindId != s.BlockedBy) commands.Insert(0, new WaitBehind(queue.BehindId));
                return DealTransition.To(queued, commands);
            case ConflictVerdict.Clear clear:
                var started = StartApproval(s, by, now, what);
                return clear.Supersedes.Count == 0 ? started : started with
                {
                    Commands = [.. started.Commands, new SupersedeOthers(clear.Supersedes, Superseded(s.Rules!))],
                };
            default:
                throw new ArgumentException($"Unknown verdict {verdict.GetType().Name}.", nameof(verdict));
        }
    }

    private static string Superseded(RulesOfEngagement rules) => rules.Winner == ConflictWinner.Incumbent
        ? "Under the rules this renewal goes to the partner that won the customer before."
        : "Under the rules this customer goes to the partner that sourced it as a lead.";

    private static DealTransition StartApproval(DealState s, Actor by, DateTimeOffset now, string what)
    {
        var chain = s.Rules!.Approval;
        var level = chain.NextLevel(s.Rules.ThresholdAmount(s.Registration!.EstimatedValue), 0) ?? chain.Levels[0];
        var approval = new ApprovalProgress(chain, level.Number, s.Step + 1, false);
        var next = Record(s with { Status = DealStatus.PendingApproval, Approval = approval, BlockedBy = null }, by, now, what, s.Registration.EstimatedValue);
        return DealTransition.To(next,
        [
            EmailLevel(next, ApprovalEmailKind.NewStep),
            .. StepTimers(next, now),
            new EmailDealPartner($"Your registration of {s.Registration.Customer.CompanyName} is with {level.Name}",
                $"Your registration of {s.Registration.Customer.CompanyName} for {s.Registration.EstimatedValue} is waiting for {level.Name}; "
                + $"you will have a decision by {Day(Days.Of(now.AddDays(s.Rules.DecisionDays)))}."),
            new NotifyDealCrm(DealCrmEvents.Submitted, null),
        ]);
    }

    private static DealTransition Approve(DealState s, ApproveDeal e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        var approval = s.Approval!;
        var next = approval.Chain.NextLevel(s.Rules!.ThresholdAmount(s.Registration!.EstimatedValue), approval.Level);
        if (next is null) return Protect(s, e.By, now, $"approved at level {approval.Level} (final)");
        var moved = Record(s with { Approval = approval.NextStep(next.Number) }, e.By, now, $"approved at level {approval.Level}", step: approval.Step);
        return DealTransition.To(moved,
        [
            .. CancelStepTimers(s),
            EmailLevel(moved, ApprovalEmailKind.NewStep),
            .. StepTimers(moved, now),
            new EmailDealPartner($"Your registration of {s.Registration.Customer.CompanyName} moved on",
                $"Level {approval.Level} approved your registration of {s.Registration.Customer.CompanyName}; {next.Name} decides next."),
        ]);
    }

    /// <summary>The final approval: protected from today for the rules' days; whoever waited behind is looked at again (and refused).</summary>
    private static DealTransition Protect(DealState s, Actor by, DateTimeOffset now, string what)
    {
        var until = Days.StartOf(Days.Of(now).AddDays(s.Rules!.ProtectionDays));
        var approved = Record(s with
        {
            Status = DealStatus.Approved, ApprovedAt = now, ProtectedUntil = until, Approval = s.Approval! with { Step = s.Step + 1 }, Waiters = [],
        }, by, now, $"{what}; protected until {Last(until):yyyy-MM-dd}", step: s.Step);
        var benefits = s.Rules.Benefits.Trim().Length > 0 ? $" It gives you: {s.Rules.Benefits.Trim()}" : "";
        return DealTransition.To(approved,
        [
            .. CancelStepTimers(s),
            .. ProtectionTimers(until, now),
            new EmailDealPartner($"Approved: your registration of {s.Registration!.Customer.CompanyName}",
                $"Your registration of {s.Registration.Customer.CompanyName} is approved and protected until {Day(Last(until))}.{benefits}"),
            .. Wake(s),
            new RecordAttribution(AttributionStage.Pipeline),
            new NotifyDealCrm(DealCrmEvents.Approved, null),
        ]);
    }

    private static DealTransition Reject(DealState s, RejectDeal e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        if (Text(e.Reason, "reason") is { } bad) return DealTransition.No(s, [bad]);
        return Close(s, DealStatus.Rejected, e.Reason.Trim(), e.By, now, $"rejected at level {s.Approval!.Level}: {e.Reason.Trim()}", DealCrmEvents.Rejected, "was rejected");
    }

    private static DealTransition Ask(DealState s, AskDealInformation e, DateTimeOffset now)
    {
        if (Gate(s, e.By, e.Step) is { } refused) return refused;
        if (Text(e.Question, "question") is { } bad) return DealTransition.No(s, [bad]);
        var next = Record(s with { Status = DealStatus.InformationRequested, Question = e.Question.Trim(), Approval = s.Approval! with { Step = s.Step + 1 } },
            e.By, now, $"asked for information: {e.Question.Trim()}", step: s.Step);
        return DealTransition.To(next,
        [
            .. CancelStepTimers(s),
            new EmailDealPartner($"A question about your registration of {s.Registration!.Customer.CompanyName}",
                $"{s.Approval.Current.Name} needs more information before deciding: {e.Question.Trim()}"),
            new NotifyDealCrm(DealCrmEvents.InformationRequested, e.Question.Trim()),
        ]);
    }

    private static DealTransition Answer(DealState s, ProvideDealInformation e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYours(s);
        if (s.Status != DealStatus.InformationRequested)
            return s.History.LastOrDefault(h => h.By.UserId == e.By.UserId)?.What == $"provided information: {e.Answer.Trim()}"
                ? DealTransition.Nothing(s, "this answer was already sent")
                : DealTransition.No(s, "deal.no_question", "No information was asked for on this registration.");
        if (Text(e.Answer, "answer") is { } bad) return DealTransition.No(s, [bad]);
        var resumed = Record(s with { Status = DealStatus.PendingApproval, Question = null, Approval = s.Approval!.NextStep(s.Approval.Level) },
            e.By, now, $"provided information: {e.Answer.Trim()}");
        return DealTransition.To(resumed,
        [
            EmailLevel(resumed, ApprovalEmailKind.NewStep),
            .. StepTimers(resumed, now),
            new EmailDealPartner($"Your answer about {s.Registration!.Customer.CompanyName} was sent",
                $"Thank you; your answer went back to {resumed.Approval!.Current.Name}."),
        ]);
    }

    private static DealTransition Withdraw(DealState s, WithdrawDeal e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYours(s);
        if (s.Status == DealStatus.Withdrawn) return DealTransition.Nothing(s, "the registration is already withdrawn");
        if (!s.IsOpen) return DealTransition.No(s, "deal.closed", $"The registration is {ConflictCheck.Words(s.Status)}; there is nothing to withdraw.");
        if (Text(e.Reason, "reason") is { } bad) return DealTransition.No(s, [bad]);
        return Close(s, DealStatus.Withdrawn, e.Reason.Trim(), e.By, now, $"withdrawn: {e.Reason.Trim()}", DealCrmEvents.Withdrawn, "was withdrawn");
    }

    private static DealTransition Stage(DealState s, ChangeDealStage e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYours(s);
        if (e.Stage is not (DealStage.Qualified or DealStage.Proposal))
            return DealTransition.No(s, "deal.stage", "The stage is Qualified or Proposal; mark a deal won with its amount, or lost with a reason.");
        if (s.Status != DealStatus.Approved) return NotApproved(s, "have its stage changed");
        if (s.Stage == e.Stage) return DealTransition.Nothing(s, $"the deal is already at {e.Stage}");
        var next = Record(s with { Stage = e.Stage }, e.By, now, $"stage: {e.Stage}");
        return DealTransition.To(next, [new NotifyDealCrm(DealCrmEvents.StageChanged, e.Stage.ToString())]);
    }

    private static DealTransition Won(DealState s, MarkDealWon e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYours(s);
        if (s.Status == DealStatus.Won && s.WonAmount == e.Amount) return DealTransition.Nothing(s, "the deal is already won for that amount");
        if (s.Status != DealStatus.Approved) return NotApproved(s, "be marked won");
        var value = s.Registration!.EstimatedValue;
        if (e.Amount.Currency != value.Currency)
            return DealTransition.No(s, "deal.won_currency", $"The deal was registered in {value.Currency.Code}; give the won amount in {value.Currency.Code}.");
        if (!e.Amount.IsPositive) return DealTransition.No(s, "deal.won_not_positive", "The won amount must be more than zero; a deal that brought nothing is lost.");
        if (s.Rules!.SizeFor(value.Currency) is { } size && e.Amount > size.Maximum)
            return DealTransition.No(s, "deal.won_absurd", $"{e.Amount} is more than the largest deal accepted ({size.Maximum}).");
        var won = s with { Stage = DealStage.Won, WonAmount = e.Amount };
        return Close(won, DealStatus.Won, null, e.By, now, $"won for {e.Amount}", DealCrmEvents.Won, "is won", e.Amount);
    }

    private static DealTransition Lost(DealState s, MarkDealLost e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYours(s);
        if (s.Status == DealStatus.Lost) return DealTransition.Nothing(s, "the deal is already lost");
        if (s.Status != DealStatus.Approved) return NotApproved(s, "be marked lost");
        if (Text(e.Reason, "reason") is { } bad) return DealTransition.No(s, [bad]);
        return Close(s with { Stage = DealStage.Lost }, DealStatus.Lost, e.Reason.Trim(), e.By, now, $"lost: {e.Reason.Trim()}", DealCrmEvents.Lost, "is lost");
    }

    private static DealTransition AskExtension(DealState s, AskProtectionExtension e, DateTimeOffset now)
    {
        if (!IsPartner(s, e.By)) return NotYours(s);
        if (s.Status != DealStatus.Approved) return NotApproved(s, "have its protection extended");
        if (s.Rules!.ExtensionDays == 0) return DealTransition.No(s, "deal.no_extensions", "The rules this registration was approved under allow no extension.");
        if (s.Extension is { Approved: null }) return DealTransition.Nothing(s, "an extension is already waiting for a decision");
        if (s.Extension is not null) return DealTransition.No(s, "deal.extension_used", "The protection can be extended once, and that was already decided.");
        if (Text(e.Reason, "reason") is { } bad) return DealTransition.No(s, [bad]);
        var first = s.Rules.Approval.Levels[0];
        var next = Record(s with { Extension = new ProtectionExtension(e.Reason.Trim(), e.By, now, s.Step) }, e.By, now,
            $"asked for {s.Rules.ExtensionDays} more days: {e.Reason.Trim()}");
        return DealTransition.To(next,
        [
            new EmailDealApprovers(first.Number, s.Step, [first.Approver, first.Backup], ExtensionLinks, ApprovalEmailKind.NewStep,
                $"Extend the protection of {s.Registration!.Customer.CompanyName} ({s.Partner?.Name ?? s.PartnerId}) by {s.Rules.ExtensionDays} days, "
                + $"from {Last(s.ProtectedUntil!.Value):yyyy-MM-dd} to {Last(s.ProtectedUntil.Value.AddDays(s.Rules.ExtensionDays)):yyyy-MM-dd}: {e.Reason.Trim()}"),
            new EmailDealPartner($"Your extension for {s.Registration.Customer.CompanyName} was asked for", $"Your request for {s.Rules.ExtensionDays} more days went to {first.Name}."),
            new NotifyDealCrm(DealCrmEvents.ExtensionRequested, e.Reason.Trim()),
        ]);
    }

    private static DealTransition DecideExtension(DealState s, DecideProtectionExtension e, DateTimeOffset now)
    {
        if (s.Extension is null) return DealTransition.No(s, "deal.no_extension", "No extension was asked for.");
        if (s.Extension.Approved is not null)
            return s.Extension.DecidedBy?.UserId == e.By.UserId
                ? DealTransition.Nothing(s, "you already decided this extension")
                : DealTransition.No(s, "approval.step_already_decided", $"The extension was already decided by {s.Extension.DecidedBy?.UserId}.");
        if (e.Step != s.Extension.Step) return DealTransition.No(s, "approval.step_already_decided", "This link belongs to another step.");
        if (!s.Rules!.Approval.Levels.Any(l => l.Includes(e.By.UserId)))
            return DealTransition.No(s, "approval.wrong_approver", $"{e.By.UserId} is not an approver of this registration.");
        if (s.Status != DealStatus.Approved)
            return DealTransition.No(s, "deal.protection_ended",
                $"The protection ended ({ConflictCheck.Words(s.Status)}) before the extension was decided; nothing can be extended now.");
        var company = s.Registration!.Customer.CompanyName;
        if (!e.Approve)
        {
            var declined = Record(s with { Extension = s.Extension with { Approved = false, DecidedBy = e.By } }, e.By, now, "declined the extension");
            return DealTransition.To(declined, [new EmailDealPartner($"No extension for {company}",
                $"The extension was declined; your protection of {company} ends on {Day(Last(s.ProtectedUntil!.Value))}.")]);
        }
        var until = s.ProtectedUntil!.Value.AddDays(s.Rules.ExtensionDays);
        var extended = Record(s with { ProtectedUntil = until, Extension = s.Extension with { Approved = true, DecidedBy = e.By } }, e.By, now,
            $"extended the protection until {Last(until):yyyy-MM-dd}");
        return DealTransition.To(extended,
        [
            .. ProtectionTimers(until, now),
            new EmailDealPartner($"Extended: your registration of {company}", $"Your protection of {company} now lasts until {Day(Last(until))}."),
            new NotifyDealCrm(DealCrmEvents.Extended, $"until {Last(until):yyyy-MM-dd}"),
        ]);
    }

    private static DealTransition Waiter(DealState s, WaiterQueued e, DateTimeOffset now)
    {
        if (e.RegistrationId == s.RegistrationId) return DealTransition.Nothing(s, "a registration does not wait behind itself");
        if (s.Waiters.Contains(e.RegistrationId)) return DealTransition.Nothing(s, "already waiting");
        // Decided before the waiter arrived: it is looked at again at once, so no registration waits forever.
        if (!s.IsUndecided) return DealTransition.To(Record(s, e.By, now, $"{e.RegistrationId} came to wait; this one is already {ConflictCheck.Words(s.Status)}"),
            [new WakeWaiters([e.RegistrationId])]);
        return DealTransition.To(Record(s with { Waiters = s.Waiters.Add(e.RegistrationId) }, e.By, now, $"{e.RegistrationId} waits behind this registration"), []);
    }

    private static DealTransition Timer(DealState s, DealTimerDue e, DateTimeOffset now)
    {
        switch (e.Timer)
        {
            case DealTimer.Reminder when s.Status == DealStatus.PendingApproval && e.Step == s.Step:
                return DealTransition.To(s, [EmailLevel(s, ApprovalEmailKind.Reminder)]);
            case DealTimer.Escalation when s.Status == DealStatus.PendingApproval && e.Step == s.Step && !s.Approval!.Escalated:
                var escalated = Record(s with { Approval = s.Approval with { Escalated = true } }, e.By, now, $"escalated to {s.Approval.Current.Backup.Name}");
                return DealTransition.To(escalated, [EmailLevel(escalated, ApprovalEmailKind.Escalation) with { To = [escalated.Approval!.Current.Backup] }]);
            case DealTimer.Decision when s.Status == DealStatus.PendingApproval && e.Step == s.Step:
                var days = s.Rules!.DecisionDays;
                return s.Rules.ApproveWhenUndecided
                    ? Protect(s, e.By, now, $"approved automatically: not decided within {days} days")
                    : Close(s, DealStatus.Expired, $"It was not decided within {days} days; you can register it again.", e.By, now,
                        $"expired: not decided within {days} days", DealCrmEvents.Expired, "expired undecided");
            case DealTimer.Protection14 or DealTimer.Protection3 when s.Status == DealStatus.Approved:
                var left = e.Timer == DealTimer.Protection14 ? 14 : 3;
                var company = s.Registration!.Customer.CompanyName;
                return DealTransition.To(s, [new EmailDealPartner($"Your protection of {company} ends in {left} days",
                    $"Your registration of {company} is protected until {Day(Last(s.ProtectedUntil!.Value))}."
                    + (s.CanExtend ? $" You can ask once for {s.Rules!.ExtensionDays} more days." : "") + " Mark it won or lost when you know.")]);
            case DealTimer.ProtectionEnd when s.Status == DealStatus.Approved && now >= s.ProtectedUntil:
                return Close(s, DealStatus.Expired, $"The protection ended on {Day(Last(s.ProtectedUntil!.Value))}.", e.By, now,
                    "expired: the protection ended", DealCrmEvents.Expired, "is no longer protected");
            default:
                return DealTransition.Nothing(s, $"the {e.Timer} timer is no longer current");
        }
    }

    /// <summary>
    /// Every end alike: timers stop, the customer's claim rows and the index entry go, whoever waited is looked at
    /// again, pipeline leaves the attribution (or becomes revenue), the partner and the CRM are told.
    /// </summary>
    private static DealTransition Close(DealState s, DealStatus status, string? reason, Actor by, DateTimeOffset now, string what, string crmEvent,
        string verb, Money? amount = null)
    {
        var wasApproved = s.Status == DealStatus.Approved;
        var closed = Record(s with
        {
            Status = status, Reason = reason, Waiters = [], Question = null, BlockedBy = null,
            Approval = s.IsUndecided && s.Approval is not null ? s.Approval with { Step = s.Step + 1 } : s.Approval,
        }, by, now, what, amount, s.IsUndecided ? s.Step : null);
        var company = s.Registration!.Customer.CompanyName;
        return DealTransition.To(closed,
        [
            .. s.Status == DealStatus.PendingApproval ? CancelStepTimers(s) : Array.Empty<DealCommand>(),
            .. wasApproved ? CancelProtectionTimers() : Array.Empty<DealCommand>(),
            new ReleaseClaims(),
            new CloseInIndex(status == DealStatus.Won),
            .. Wake(s),
            .. wasApproved || status == DealStatus.Won ? [new RecordAttribution(status == DealStatus.Won ? AttributionStage.Won : AttributionStage.Dropped)] : Array.Empty<DealCommand>(),
            new EmailDealPartner($"Your registration of {company} {verb}", reason is null ? $"Your registration of {company} {verb}." : reason),
            new NotifyDealCrm(crmEvent, amount is not null ? amount.ToInvariantString() + " " + amount.Currency.Code : reason),
        ]);
    }

    // Approver actions: only on an open step, by someone who may act on it now.
    private static DealTransition? Gate(DealState s, Actor by, int step)
    {
        if (s.Approval is null) return DealTransition.No(s, "deal.not_pending", $"This registration is {ConflictCheck.Words(s.Status)}; there is nothing to decide.");
        if (s.Status == DealStatus.InformationRequested)
            return DealTransition.No(s, "deal.waiting_for_partner", $"The registration is waiting for the partner's answer to: {s.Question}");
        var actor = s.Approval.CheckActor(by, step, s.History);
        if (actor is not null && step != s.Step && s.History.Any(h => h.Step == step && h.By.UserId == by.UserId && !h.By.IsSystem))
            return DealTransition.Nothing(s, "you already acted on this step");
        if (actor is not null) return DealTransition.No(s, [actor]);
        if (s.Status != DealStatus.PendingApproval)
            return DealTransition.No(s, "deal.not_pending", $"This registration is {ConflictCheck.Words(s.Status)}; there is nothing to decide.");
        return null;
    }

    private static IEnumerable<DealCommand> StepTimers(DealState s, DateTimeOffset now) =>
    [
        new SetDealTimer(DealTimer.Reminder, s.Step, now.AddDays(s.Rules!.ReminderAfterDays)),
        new SetDealTimer(DealTimer.Escalation, s.Step, now.AddDays(s.Rules.EscalationAfterDays)),
        new SetDealTimer(DealTimer.Decision, s.Step, now.AddDays(s.Rules.DecisionDays)),
    ];

    private static IEnumerable<DealCommand> CancelStepTimers(DealState s) =>
        [new CancelDealTimer(DealTimer.Reminder, s.Step), new CancelDealTimer(DealTimer.Escalation, s.Step), new CancelDealTimer(DealTimer.Decision, s.Step)];

    /// <summary>Reminders 14 and 3 days before the end (those still ahead), and the end; set again they replace the earlier ones.</summary>
    private static IEnumerable<DealCommand> ProtectionTimers(DateTimeOffset until, DateTimeOffset now)
    {
        var timers = new List<DealCommand>();
        foreach (var (timer, days) in new[] { (DealTimer.Protection14, 14), (DealTimer.Protection3, 3) })
            timers.Add(until.AddDays(-days) > now ? new SetDealTimer(timer, 0, until.AddDays(-days)) : new CancelDealTimer(timer, 0));
        timers.Add(new SetDealTimer(DealTimer.ProtectionEnd, 0, until));
        return timers;
    }

    private static IEnumerable<DealCommand> CancelProtectionTimers() =>
        [new CancelDealTimer(DealTimer.Protection14, 0), new CancelDealTimer(DealTimer.Protection3, 0), new CancelDealTimer(DealTimer.ProtectionEnd, 0)];

    private static IEnumerable<DealCommand> Wake(DealState s) => s.Waiters.Count == 0 ? [] : [new WakeWaiters(s.Waiters)];

    private static EmailDealApprovers EmailLevel(DealState s, ApprovalEmailKind kind)
    {
        var r = s.Registration!;
        var products = string.Join(", ", r.Products.Select(p => s.Rules!.Product(p)?.Name ?? p));
        var found = r.Origin.Via switch
        {
            FoundVia.CampaignLaunch => $"found through campaign launch {r.Origin.LaunchId}",
            FoundVia.RoutedLead => $"found through routed lead {r.Origin.LeadId}",
            _ => "found by the partner's own prospecting",
        };
        var conflicts = s.Evidence.Count == 0 ? "The conflict check found nothing." : $"The conflict check found {s.Evidence.Count} possible conflict(s): see the approval page.";
        return new EmailDealApprovers(s.Approval!.Level, s.Step, s.Approval.Approvers, ApprovalLinks, kind,
            $"{s.Partner?.Name ?? s.PartnerId} registered {r.Customer.CompanyName} ({r.Customer.Country}){(r.IsRenewal ? ", a renewal" : "")}: {products}, "
            + $"{r.EstimatedValue}, expected to close {r.ExpectedClose:yyyy-MM-dd}, {found}. {conflicts}");
    }

    private static bool IsPartner(DealState s, Actor by) => by.PartnerId == s.PartnerId;

    private static DealTransition NotYours(DealState s) =>
        DealTransition.No(s, "deal.not_your_registration", "Only the partner who registered this deal can do this.");

    private static DealTransition NotApproved(DealState s, string what) =>
        DealTransition.No(s, "deal.not_approved", $"Only an approved registration can {what}; this one is {ConflictCheck.Words(s.Status)}.");

    private static Refusal? Text(string? text, string what) =>
        string.IsNullOrWhiteSpace(text) ? new("deal.text_missing", $"Give a {what}.")
        : text.Length > MaxTextLength ? new("deal.text_too_long", $"The {what} is longer than {MaxTextLength:N0} characters.")
        : null;

    /// <summary>The last protected day of an end instant (midnight after it).</summary>
    public static DateOnly Last(DateTimeOffset until) => Days.Of(until.AddTicks(-1));

    private static DealState Record(DealState s, Actor by, DateTimeOffset now, string what, Money? amount = null, int? step = null) =>
        s with { History = s.History.Add(new HistoryEntry(now, by, step ?? s.Step, what, s.Status.ToString(), amount)) };

    /// <summary>A day as partners read it, the same in every culture: "12 March 2026".</summary>
    public static string Day(DateOnly day) => day.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
}
