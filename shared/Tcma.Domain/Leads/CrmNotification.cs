namespace Tcma.Domain.Leads;

/// <summary>
/// A lead's state change on its way to the vendor's CRM, through the <c>crm-webhooks</c> queue. Whoever changes a
/// lead's state sends one (from the workflow outbox, so a crash cannot lose it); the webhook delivery builds the
/// payload from the lead as it is when delivering, signs it and retries it. <see cref="EventId"/> is stable across
/// redeliveries so the CRM can ignore our retries.
/// </summary>
public sealed record CrmNotification(string VendorId, string EventId, CrmChange Change)
{
    public const string Queue = "crm-webhooks";
}
