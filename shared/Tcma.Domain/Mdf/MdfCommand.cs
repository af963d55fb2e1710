using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>The buttons of an approval email; each becomes a signed, single-use link to a confirm page bound to the approver and the step.</summary>
public enum LinkPurpose { Approve, ApproveLowerAmount, Reject, AskForInformation, ApproveExtension, RejectExtension }

public enum ApprovalEmailKind { NewStep, Reminder, Escalation }

public enum TimerKind { Reminder, Escalation, ActivityStart }

/// <summary>What a workflow transition asks the outside world to do, in order.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AppendToLedger), "appendToLedger")]
[JsonDerivedType(typeof(EmailApprovers), "emailApprovers")]
[JsonDerivedType(typeof(EmailPartner), "emailPartner")]
[JsonDerivedType(typeof(SetTimer), "setTimer")]
[JsonDerivedType(typeof(CancelTimer), "cancelTimer")]
[JsonDerivedType(typeof(RecordClaimOnRequest), "recordClaimOnRequest")]
[JsonDerivedType(typeof(CreatePayout), "createPayout")]
public abstract record MdfCommand;

/// <summary>
/// Book this on the fund. The wiring runs ledger commands first: they are idempotent, so a crash after the ledger
/// write and before the rest is repaired by replaying the transition. If the ledger refuses a reservation (another
/// request took the money in between), the wiring feeds <see cref="ReservationFailed"/> instead of running the rest.
/// </summary>
public sealed record AppendToLedger(FundCommand Command) : MdfCommand;

/// <summary>An approval email to the approvers of one level and step; <paramref name="SubjectId"/> is the request or claim.</summary>
public sealed record EmailApprovers(string SubjectId, int Level, int Step, IReadOnlyList<Approver> To, IReadOnlyList<LinkPurpose> Links, ApprovalEmailKind Kind, string Summary) : MdfCommand;

/// <summary>Tells the partner what changed; every state change sends one.</summary>
public sealed record EmailPartner(string PartnerId, string SubjectId, string Status, string Message) : MdfCommand;

/// <summary>A timer for a step: when it fires, the event carries <paramref name="Step"/> back, and a timer for an older step is a no-op.</summary>
public sealed record SetTimer(string SubjectId, TimerKind Kind, int Step, DateTimeOffset Due) : MdfCommand;

public sealed record CancelTimer(string SubjectId, TimerKind Kind, int Step) : MdfCommand;

/// <summary>Tell the fund request its claim was submitted (the request workflow's <see cref="ClaimSubmitted"/> event).</summary>
public sealed record RecordClaimOnRequest(string RequestId, string ClaimId) : MdfCommand;

/// <summary>An approved claim is now owed to the partner and waits for finance's export.</summary>
public sealed record CreatePayout(Payout Payout) : MdfCommand;
