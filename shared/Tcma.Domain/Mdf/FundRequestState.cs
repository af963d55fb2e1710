using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Mdf;

public enum FundRequestStatus { Draft, PendingApproval, InformationRequested, Approved, Claimed, Rejected, Cancelled, Expired, NotFunded }

/// <summary>A partner's claim-deadline extension: asked for, then approved or turned down by an approver of the request.</summary>
public sealed record ClaimExtension(DateOnly Until, string Reason, Actor AskedBy, DateTimeOffset AskedAt, bool? Approved = null, Actor? DecidedBy = null);

/// <summary>
/// A fund request (proposal) as its workflow instance holds it. <see cref="Amount"/> is what is reserved for it
/// right now: the requested amount, then each approved (possibly lower) amount.
/// </summary>
public sealed record FundRequestState
{
    public required string RequestId { get; init; }
    public required string PartnerId { get; init; }
    public required string FundId { get; init; }
    public FundRequestStatus Status { get; init; } = FundRequestStatus.Draft;
    public Proposal? Proposal { get; init; }
    /// <summary>The program as it was at submission: the rules this request is decided by.</summary>
    public MdfProgram? Program { get; init; }
    public Money? Amount { get; init; }
    public ApprovalProgress? Approval { get; init; }
    public DateOnly? ClaimDeadline { get; init; }
    public ClaimExtension? Extension { get; init; }
    public string? ClaimId { get; init; }
    public string? Question { get; init; }
    public ImmutableList<HistoryEntry> History { get; init; } = [];

    [JsonIgnore] public int Step => Approval?.Step ?? 0;
    [JsonIgnore] public bool IsOpen => Status is FundRequestStatus.PendingApproval or FundRequestStatus.InformationRequested;
    [JsonIgnore] public bool IsClosed => Status is FundRequestStatus.Rejected or FundRequestStatus.Cancelled or FundRequestStatus.Expired or FundRequestStatus.NotFunded;

    /// <summary>The last day a claim is accepted: the program's deadline, or the approved extension.</summary>
    [JsonIgnore] public DateOnly? EffectiveClaimDeadline => Extension is { Approved: true } e && e.Until > ClaimDeadline ? e.Until : ClaimDeadline;

    public static FundRequestState New(string requestId, string partnerId, string fundId) => new() { RequestId = requestId, PartnerId = partnerId, FundId = fundId };
}
