using Tcma.Domain.Deals;
using Tcma.Domain.Leads;
using Tcma.Functions.Leads;
using Tcma.Storage.Deals;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Deals;

/// <summary>Registration events ride the lead webhook's delivery: the body is built from the registration as it is when delivered.</summary>
public sealed class DealCrmPayloads(WorkflowEngine engine) : ICrmPayloadSource
{
    public bool Handles(string eventType) => eventType.StartsWith("deal.", StringComparison.Ordinal);

    public async Task<string?> BodyAsync(string vendorId, CrmChange change, string eventId, CancellationToken ct) =>
        await engine.GetDealAsync(change.LeadId, ct) is { Registration: not null } s && s.VendorId == vendorId
            ? CrmDealWebhook.Serialize(CrmDealWebhook.Build(s, change, eventId))
            : null;
}
