using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>Everything that can happen to a fund request: people's actions (with who and from where) and timers.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(SubmitRequest), "submit")]
[JsonDerivedType(typeof(ReservationFailed), "reservationFailed")]
[JsonDerivedType(typeof(ApproveRequest), "approve")]
[JsonDerivedType(typeof(RejectRequest), "reject")]
[JsonDerivedType(typeof(AskForInformation), "askForInformation")]
[JsonDerivedType(typeof(ProvideInformation), "provideInformation")]
[JsonDerivedType(typeof(CancelRequest), "cancel")]
[JsonDerivedType(typeof(RequestReminderDue), "reminderDue")]
[JsonDerivedType(typeof(RequestEscalationDue), "escalationDue")]
[JsonDerivedType(typeof(RequestExpiryDue), "expiryDue")]
[JsonDerivedType(typeof(AskClaimExtension), "askClaimExtension")]
[JsonDerivedType(typeof(DecideClaimExtension), "decideClaimExtension")]
[JsonDerivedType(typeof(ClaimSubmitted), "claimSubmitted")]
public abstract record FundRequestEvent(Actor By);

/// <summary>The partner submits. The wiring passes the program and the fund's balance as read at this moment.</summary>
public sealed record SubmitRequest(Proposal Proposal, MdfProgram Program, FundBalance Fund, Actor By) : FundRequestEvent(By);

/// <summary>The ledger refused the reservation after all (the money went to another request in between).</summary>
public sealed record ReservationFailed(Refusal Reason, Actor By) : FundRequestEvent(By);

/// <summary>An approver approves the step: as asked (<paramref name="Amount"/> null) or a lower amount.</summary>
public sealed record ApproveRequest(int Step, Money? Amount, Actor By) : FundRequestEvent(By);

public sealed record RejectRequest(int Step, string Reason, Actor By) : FundRequestEvent(By);

public sealed record AskForInformation(int Step, string Question, Actor By) : FundRequestEvent(By);

public sealed record ProvideInformation(string Answer, Actor By) : FundRequestEvent(By);

public sealed record CancelRequest(string Reason, Actor By) : FundRequestEvent(By);

public sealed record RequestReminderDue(int Step, Actor By) : FundRequestEvent(By);

public sealed record RequestEscalationDue(int Step, Actor By) : FundRequestEvent(By);

/// <summary>The activity's first day arrived while the request was still undecided.</summary>
public sealed record RequestExpiryDue(Actor By) : FundRequestEvent(By);

public sealed record AskClaimExtension(DateOnly Until, string Reason, Actor By) : FundRequestEvent(By);

public sealed record DecideClaimExtension(bool Approve, Actor By) : FundRequestEvent(By);

/// <summary>The claim workflow accepted a claim against this request.</summary>
public sealed record ClaimSubmitted(string ClaimId, Actor By) : FundRequestEvent(By);
