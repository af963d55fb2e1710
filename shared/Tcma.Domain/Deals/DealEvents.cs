using System.Text.Json.Serialization;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

/// <summary>Everything that can happen to a registration: people's actions (with who and from where), the conflict check's answers, timers.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(SubmitDeal), "submit")]
[JsonDerivedType(typeof(RecheckDeal), "recheck")]
[JsonDerivedType(typeof(ApproveDeal), "approve")]
[JsonDerivedType(typeof(RejectDeal), "reject")]
[JsonDerivedType(typeof(AskDealInformation), "ask")]
[JsonDerivedType(typeof(ProvideDealInformation), "answer")]
[JsonDerivedType(typeof(WithdrawDeal), "withdraw")]
[JsonDerivedType(typeof(ChangeDealStage), "stage")]
[JsonDerivedType(typeof(MarkDealWon), "won")]
[JsonDerivedType(typeof(MarkDealLost), "lost")]
[JsonDerivedType(typeof(AskProtectionExtension), "askExtension")]
[JsonDerivedType(typeof(DecideProtectionExtension), "decideExtension")]
[JsonDerivedType(typeof(WaiterQueued), "waiter")]
[JsonDerivedType(typeof(SupersedeDeal), "superseded")]
[JsonDerivedType(typeof(DealTimerDue), "timer")]
public abstract record DealEvent(Actor By);

/// <summary>The partner submits; the wiring passes the rules in force, the partner's card and the conflict check's verdict.</summary>
public sealed record SubmitDeal(DealRegistration Registration, RulesOfEngagement Rules, DealPartner Partner, ConflictVerdict Verdict, Actor By) : DealEvent(By);

/// <summary>A queued registration looked at again once what it waited behind was decided.</summary>
public sealed record RecheckDeal(ConflictVerdict Verdict, Actor By) : DealEvent(By);

public sealed record ApproveDeal(int Step, Actor By) : DealEvent(By);
public sealed record RejectDeal(int Step, string Reason, Actor By) : DealEvent(By);
public sealed record AskDealInformation(int Step, string Question, Actor By) : DealEvent(By);
public sealed record ProvideDealInformation(string Answer, Actor By) : DealEvent(By);
public sealed record WithdrawDeal(string Reason, Actor By) : DealEvent(By);
/// <summary>Qualified or Proposal (Won and Lost have their own events).</summary>
public sealed record ChangeDealStage(DealStage Stage, Actor By) : DealEvent(By);
public sealed record MarkDealWon(Money Amount, Actor By) : DealEvent(By);
public sealed record MarkDealLost(string Reason, Actor By) : DealEvent(By);
public sealed record AskProtectionExtension(string Reason, Actor By) : DealEvent(By);
public sealed record DecideProtectionExtension(int Step, bool Approve, Actor By) : DealEvent(By);
/// <summary>Another registration queued behind this one.</summary>
public sealed record WaiterQueued(string RegistrationId, Actor By) : DealEvent(By);
/// <summary>The rules gave the customer to another partner's registration (lead source, incumbent) while this one was undecided.</summary>
public sealed record SupersedeDeal(string Reason, Actor By) : DealEvent(By);

public enum DealTimer { Reminder, Escalation, Decision, Protection14, Protection3, ProtectionEnd }

/// <summary>A timer fired; <see cref="Step"/> is the approval step it was set for (0 for the protection's).</summary>
public sealed record DealTimerDue(DealTimer Timer, int Step, Actor By) : DealEvent(By);

public enum AttributionStage { Pipeline, Won, Dropped }

/// <summary>What a registration's step asks the outside world to do once it is stored.</summary>
public abstract record DealCommand;

public sealed record EmailDealApprovers(int Level, int Step, IReadOnlyList<Approver> To, IReadOnlyList<LinkPurpose> Links, ApprovalEmailKind Kind, string Summary) : DealCommand;
/// <summary>Tells the partner what changed; the wiring adds the rules in plain words and a fresh link.</summary>
public sealed record EmailDealPartner(string Subject, string Message) : DealCommand;
public sealed record SetDealTimer(DealTimer Timer, int Step, DateTimeOffset Due) : DealCommand;
public sealed record CancelDealTimer(DealTimer Timer, int Step) : DealCommand;
/// <summary>Give the customer's claim rows up (those this registration still holds).</summary>
public sealed record ReleaseClaims : DealCommand;
/// <summary>Look again at registrations queued behind this one.</summary>
public sealed record WakeWaiters(IReadOnlyList<string> Waiters) : DealCommand;
/// <summary>Tell the registration this one waits behind (so it wakes us when decided).</summary>
public sealed record WaitBehind(string BlockerId) : DealCommand;
public sealed record SupersedeOthers(IReadOnlyList<string> Registrations, string Reason) : DealCommand;
/// <summary>No longer an open registration in the customer index; a won one becomes a won customer there.</summary>
public sealed record CloseInIndex(bool Won) : DealCommand;
public sealed record RecordAttribution(AttributionStage Stage) : DealCommand;
public sealed record NotifyDealCrm(string EventType, string? Reason) : DealCommand;

/// <summary>The result of a step: the new state and commands, or the unchanged state with refusals, or a no-op (a repeat, a late timer).</summary>
public sealed record DealTransition(DealState State, IReadOnlyList<DealCommand> Commands, IReadOnlyList<Refusal> Refusals, string? NoOpReason)
{
    public bool IsRefused => Refusals.Count > 0;
    public bool IsNoOp => NoOpReason is not null;

    public static DealTransition To(DealState state, IEnumerable<DealCommand> commands) => new(state, commands.ToList(), [], null);
    public static DealTransition No(DealState unchanged, string code, string message) => new(unchanged, [], [new Refusal(code, message)], null);
    public static DealTransition No(DealState unchanged, IReadOnlyList<Refusal> refusals) => new(unchanged, [], refusals, null);
    public static DealTransition Nothing(DealState unchanged, string why) => new(unchanged, [], [], why);
}

/// <summary>The event types the CRM webhook carries for registrations (schema version 1, beside the lead events).</summary>
public static class DealCrmEvents
{
    public const string Submitted = "deal.submitted", Queued = "deal.queued", Refused = "deal.refused", Approved = "deal.approved",
        Rejected = "deal.rejected", InformationRequested = "deal.information_requested", StageChanged = "deal.stage_changed", Won = "deal.won",
        Lost = "deal.lost", ExtensionRequested = "deal.extension_requested", Extended = "deal.extended", Expired = "deal.expired", Withdrawn = "deal.withdrawn";

    public static readonly IReadOnlyList<string> All =
        [Submitted, Queued, Refused, Approved, Rejected, InformationRequested, StageChanged, Won, Lost, ExtensionRequested, Extended, Expired, Withdrawn];
}
