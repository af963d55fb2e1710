using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

public enum DealStatus
{
    Draft,
    /// <summary>Behind another partner's undecided registration of the same customer.</summary>
    Queued,
    PendingApproval,
    InformationRequested,
    /// <summary>Protected until <see cref="DealState.ProtectedUntil"/>.</summary>
    Approved,
    Won,
    Lost,
    Rejected,
    /// <summary>Refused under the rules (a conflict), at submission or when a queued registration was looked at again.</summary>
    Refused,
    /// <summary>Its protection ended, or it was not decided in time (when the rules close undecided registrations).</summary>
    Expired,
    Withdrawn,
}

/// <summary>Where the partner says the deal stands.</summary>
public enum DealStage { Registered, Qualified, Proposal, Won, Lost }

/// <summary>The registering partner as the emails need it.</summary>
public sealed record DealPartner(string Name, string Email, string Tier);

/// <summary>The one extension a protection may get: asked for, then decided by an approver.</summary>
public sealed record ProtectionExtension(string Reason, Actor AskedBy, DateTimeOffset AskedAt, int Step, bool? Approved = null, Actor? DecidedBy = null);

/// <summary>
/// A deal registration as its workflow instance holds it. <see cref="Rules"/> is the version it was submitted under:
/// everything about it (approval chain, protection, benefits) is decided by that version.
/// </summary>
public sealed record DealState
{
    public required string RegistrationId { get; init; }
    public required string VendorId { get; init; }
    public required string PartnerId { get; init; }
    public DealPartner? Partner { get; init; }
    public DealStatus Status { get; init; } = DealStatus.Draft;
    public DealStage Stage { get; init; } = DealStage.Registered;
    public DealRegistration? Registration { get; init; }
    public RulesOfEngagement? Rules { get; init; }
    public ApprovalProgress? Approval { get; init; }
    public DateTimeOffset? SubmittedAt { get; init; }
    public DateTimeOffset? ApprovedAt { get; init; }
    /// <summary>The first instant it is no longer protected (midnight UTC after the last protected day).</summary>
    public DateTimeOffset? ProtectedUntil { get; init; }
    public ProtectionExtension? Extension { get; init; }
    public string? Question { get; init; }
    /// <summary>While Queued: the registration it waits behind.</summary>
    public string? BlockedBy { get; init; }
    /// <summary>Registrations queued behind this one; each is looked at again when this one is decided or closes.</summary>
    public ImmutableList<string> Waiters { get; init; } = [];
    public Money? WonAmount { get; init; }
    /// <summary>Why it was refused, rejected, lost, withdrawn or expired.</summary>
    public string? Reason { get; init; }
    /// <summary>What the conflict check found, for the approver (names partners: never shown to the registering partner).</summary>
    public IReadOnlyList<ConflictEvidence> Evidence { get; init; } = [];
    public ImmutableList<HistoryEntry> History { get; init; } = [];

    [JsonIgnore] public int Step => Approval?.Step ?? 0;
    [JsonIgnore] public bool IsUndecided => Status is DealStatus.Queued or DealStatus.PendingApproval or DealStatus.InformationRequested;
    /// <summary>Still holds (or waits for) the customer: undecided or protected.</summary>
    [JsonIgnore] public bool IsOpen => IsUndecided || Status == DealStatus.Approved;
    [JsonIgnore] public bool IsClosed => Status is DealStatus.Won or DealStatus.Lost or DealStatus.Rejected or DealStatus.Refused or DealStatus.Expired or DealStatus.Withdrawn;
    [JsonIgnore] public bool CanExtend => Status == DealStatus.Approved && Extension is null && (Rules?.ExtensionDays ?? 0) > 0;

    public static DealState New(string registrationId, string vendorId, string partnerId) =>
        new() { RegistrationId = registrationId, VendorId = vendorId, PartnerId = partnerId };
}
