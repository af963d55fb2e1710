using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

public enum RoutingPhase
{
    /// <summary>Captured, not yet offered to anyone.</summary>
    Unrouted,
    /// <summary>Offered to Holder, who has until SlaDueAt to accept.</summary>
    AwaitingAcceptance,
    /// <summary>The last offer ended; routing is choosing the next partner.</summary>
    Rerouting,
    Accepted,
    /// <summary>Nobody could or would take it: the vendor decides.</summary>
    InVendorPool,
    Recalled,
}

/// <summary>One offer of the lead to a partner and how it ended (null while it runs).</summary>
public sealed record Offer(int Hop, string PartnerId, DateTimeOffset OfferedAt, DateTimeOffset DueAt, string? Ended = null);

/// <summary>Per-vendor SLA: how long a partner has to accept, when to remind, and how many partners to try before the pool.</summary>
public sealed record SlaSettings
{
    public TimeSpan Sla { get; init; } = TimeSpan.FromHours(48);
    public IReadOnlyList<TimeSpan> RemindersBeforeEnd { get; init; } = [TimeSpan.FromHours(24), TimeSpan.FromHours(4)];
    public int MaxHops { get; init; } = 3;
}

/// <summary>The routing workflow's state for one lead. Hop counts the offers made so far.</summary>
public sealed record LeadRoutingState
{
    public required string LeadId { get; init; }
    public RoutingPhase Phase { get; init; } = RoutingPhase.Unrouted;
    public string? Holder { get; init; }
    public int Hop { get; init; }
    public DateTimeOffset? SlaDueAt { get; init; }
    public IReadOnlyList<int> RemindersArmed { get; init; } = [];
    public IReadOnlyList<int> RemindersSent { get; init; } = [];
    public IReadOnlyList<Offer> Offers { get; init; } = [];

    [JsonIgnore]
    public IReadOnlyList<string> PartnersWhoHadIt => Offers.Select(o => o.PartnerId).Distinct().ToList();

    public static LeadRoutingState Start(string leadId) => new() { LeadId = leadId };
}
