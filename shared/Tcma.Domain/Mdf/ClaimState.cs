using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Mdf;

public enum ClaimStatus { Draft, PendingApproval, Approved, Rejected, Paid }

/// <summary>What the partner reports after the activity: what it cost, what it asks back (at most the reimbursable amount), proof and results.</summary>
public sealed record ClaimSubmission(Money ActualCost, Money? Asked, IReadOnlyList<ProofFile> Proofs, int Leads, Money Pipeline, string Notes);

/// <summary>A claim as its workflow instance holds it; <see cref="Amount"/> is what the fund owes on it right now.</summary>
public sealed record ClaimState
{
    public required string ClaimId { get; init; }
    public required string PartnerId { get; init; }
    public ClaimStatus Status { get; init; } = ClaimStatus.Draft;
    public string? RequestId { get; init; }
    public string? FundId { get; init; }
    public MdfProgram? Program { get; init; }
    public string? ActivityTypeId { get; init; }
    public ClaimSubmission? Submission { get; init; }
    public Reimbursement? Reimbursement { get; init; }
    public Money? Amount { get; init; }
    public ApprovalProgress? Approval { get; init; }
    public string? PaymentReference { get; init; }
    public ImmutableList<HistoryEntry> History { get; init; } = [];

    [JsonIgnore] public int Step => Approval?.Step ?? 0;

    public static ClaimState New(string claimId, string partnerId) => new() { ClaimId = claimId, PartnerId = partnerId };
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(SubmitClaim), "submit")]
[JsonDerivedType(typeof(ApproveClaim), "approve")]
[JsonDerivedType(typeof(RejectClaim), "reject")]
[JsonDerivedType(typeof(ClaimReminderDue), "reminderDue")]
[JsonDerivedType(typeof(ClaimEscalationDue), "escalationDue")]
[JsonDerivedType(typeof(MarkClaimPaid), "markPaid")]
public abstract record ClaimEvent(Actor By);

/// <summary>The partner claims against <paramref name="Request"/> (as its workflow holds it now).</summary>
public sealed record SubmitClaim(ClaimSubmission Submission, FundRequestState Request, Actor By) : ClaimEvent(By);
public sealed record ApproveClaim(int Step, Money? Amount, Actor By) : ClaimEvent(By);
public sealed record RejectClaim(int Step, string Reason, Actor By) : ClaimEvent(By);
public sealed record ClaimReminderDue(int Step, Actor By) : ClaimEvent(By);
public sealed record ClaimEscalationDue(int Step, Actor By) : ClaimEvent(By);
/// <summary>Finance marks the exported payout paid, quoting the ERP's payment reference.</summary>
public sealed record MarkClaimPaid(string PaymentReference, Actor By) : ClaimEvent(By);
