using System.Text.Json.Serialization;

namespace Tcma.Domain.Leads;

public enum PartnerEmail
{
    /// <summary>A new lead, with Accept and Reject links.</summary>
    NewLead,
    /// <summary>The SLA is running out.</summary>
    Reminder,
    /// <summary>The lead was taken back (SLA lapsed or the vendor recalled it).</summary>
    Withdrawn,
}

/// <summary>What the SLA workflow asks the outside world to do; plain records the wiring maps onto the workflow engine, mail and queues.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$type")]
[JsonDerivedType(typeof(LeadCommand.NotifyPartner), "notifyPartner")]
[JsonDerivedType(typeof(LeadCommand.SetTimer), "setTimer")]
[JsonDerivedType(typeof(LeadCommand.CancelTimer), "cancelTimer")]
[JsonDerivedType(typeof(LeadCommand.Reroute), "reroute")]
[JsonDerivedType(typeof(LeadCommand.MoveToVendorPool), "moveToVendorPool")]
[JsonDerivedType(typeof(LeadCommand.NotifyCrm), "notifyCrm")]
public abstract record LeadCommand
{
    private LeadCommand() { }

    public sealed record NotifyPartner(string PartnerId, PartnerEmail Email, DateTimeOffset SlaDueAt) : LeadCommand;

    /// <summary>Deliver OnDue back to the workflow at DueAt. Names are unique per lead and hop.</summary>
    public sealed record SetTimer(string Name, DateTimeOffset DueAt, LeadEvent OnDue) : LeadCommand;

    public sealed record CancelTimer(string Name) : LeadCommand;

    /// <summary>Route the lead again, never to these partners.</summary>
    public sealed record Reroute(IReadOnlyList<string> ExcludingPartners) : LeadCommand;

    public sealed record MoveToVendorPool(string Reason) : LeadCommand;

    public sealed record NotifyCrm(CrmChange Change) : LeadCommand;
}

/// <summary>
/// A state change the vendor's CRM hears about; the webhook payload is built from it and the lead. <see cref="OfferedAt"/>,
/// on an acceptance, is when the accepting partner was offered the lead: the dashboards' time to accept.
/// </summary>
public sealed record CrmChange(string EventType, string LeadId, string? PartnerId, DateTimeOffset At, string? Reason = null, DateTimeOffset? OfferedAt = null);
