using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

/// <summary>What can happen to a lead while it is being routed. Timer events carry the hop they were set for, so a stale one is recognised.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(LeadEvent.Assigned), "assigned")]
[JsonDerivedType(typeof(LeadEvent.Accepted), "accepted")]
[JsonDerivedType(typeof(LeadEvent.Rejected), "rejected")]
[JsonDerivedType(typeof(LeadEvent.SlaReminderDue), "slaReminderDue")]
[JsonDerivedType(typeof(LeadEvent.SlaExpired), "slaExpired")]
[JsonDerivedType(typeof(LeadEvent.Recalled), "recalled")]
[JsonDerivedType(typeof(LeadEvent.NoPartnerFound), "noPartnerFound")]
public abstract record LeadEvent
{
    private LeadEvent() { }

    /// <summary>Routing chose this partner (or the vendor picked one from the pool).</summary>
    public sealed record Assigned(string PartnerId) : LeadEvent;

    public sealed record Accepted(string PartnerId, string By) : LeadEvent;

    public sealed record Rejected(string PartnerId, string Reason) : LeadEvent;

    public sealed record SlaReminderDue(int Hop, int Reminder) : LeadEvent;

    public sealed record SlaExpired(int Hop) : LeadEvent;

    /// <summary>The vendor took the lead back.</summary>
    public sealed record Recalled(string By, string Reason) : LeadEvent;

    /// <summary>Routing found no partner who can take the lead.</summary>
    public sealed record NoPartnerFound(string Reason) : LeadEvent;
}
