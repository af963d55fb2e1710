using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>
/// What can be asked of a fund. Every command is idempotent: a replay after a crash or a duplicate message adds nothing.
/// Releases say what should *remain* (not how much to take away), which is what makes them safe to repeat.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(AllocateFunds), "allocate")]
[JsonDerivedType(typeof(AccrueFunds), "accrue")]
[JsonDerivedType(typeof(AdjustFunds), "adjust")]
[JsonDerivedType(typeof(ReserveFunds), "reserve")]
[JsonDerivedType(typeof(ReleaseReservation), "releaseReservation")]
[JsonDerivedType(typeof(ConvertToClaim), "convertToClaim")]
[JsonDerivedType(typeof(ReleaseClaim), "releaseClaim")]
[JsonDerivedType(typeof(PayClaim), "payClaim")]
[JsonDerivedType(typeof(ExpireFunds), "expire")]
public abstract record FundCommand(string By, DateTimeOffset At);

/// <summary>The program's fixed allocation (or a top-up); <paramref name="OperationId"/> makes a replay a no-op.</summary>
public sealed record AllocateFunds(string OperationId, Money Amount, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>A share of imported revenue; <paramref name="OperationId"/> is the import line, so importing a file twice credits once.</summary>
public sealed record AccrueFunds(string OperationId, Money Amount, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>A correction by finance, positive or negative, with the reason on record.</summary>
public sealed record AdjustFunds(string OperationId, Money Amount, string Reason, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>Holds money for a fund request from submission until it is claimed, reduced or released.</summary>
public sealed record ReserveFunds(string RequestId, Money Amount, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>Leaves <paramref name="KeepReserved"/> reserved for the request (zero on rejection or cancellation, the approved amount on partial approval).</summary>
public sealed record ReleaseReservation(string RequestId, Money KeepReserved, string Reason, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>Turns <paramref name="Amount"/> of the request's reservation into a claim and releases whatever remains reserved for it.</summary>
public sealed record ConvertToClaim(string RequestId, string ClaimId, Money Amount, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>Leaves <paramref name="KeepClaimed"/> on the claim (zero on rejection, the approved amount on partial approval).</summary>
public sealed record ReleaseClaim(string ClaimId, Money KeepClaimed, string Reason, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>Records the payout of a claim's whole outstanding amount; <paramref name="Amount"/> must match it (the export and the ledger agree, or nothing moves).</summary>
public sealed record PayClaim(string ClaimId, Money Amount, string PaymentReference, string By, DateTimeOffset At) : FundCommand(By, At);

/// <summary>Expires what is available at the end of the period; reservations and claims live on and expire when released.</summary>
public sealed record ExpireFunds(DateTimeOffset PeriodEnd, string By, DateTimeOffset At) : FundCommand(By, At);
