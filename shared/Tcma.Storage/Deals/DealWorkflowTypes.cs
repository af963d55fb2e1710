using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Storage.Deals;

/// <summary>
/// The registration workflow on the <see cref="WorkflowEngine"/>: type <c>DealRegistration</c>, instance id = the
/// registration id, state = <see cref="DealState"/> written with <see cref="MdfJson"/> (money as strings).
/// </summary>
public static class DealWorkflowTypes
{
    public const string Registration = "DealRegistration";

    public static async Task<DealState?> GetDealAsync(this WorkflowEngine engine, string registrationId, CancellationToken ct = default)
    {
        var found = await engine.GetDealWithVersionAsync(registrationId, ct);
        return found?.State;
    }

    public static async Task<(DealState State, long Version)?> GetDealWithVersionAsync(this WorkflowEngine engine, string registrationId, CancellationToken ct = default)
    {
        if (!IsValidId(registrationId)) return null;
        var instance = await engine.GetAsync(Registration, registrationId, ct);
        return instance?.StateJson is { } json and not "null" ? (MdfJson.Read<DealState>(json), instance.Version) : null;
    }

    public static bool IsValidId(string? id) => MdfWorkflowTypes.IsValidId(id);

    /// <summary>The same registration sent twice (the same partner, customer and key) gets the same id.</summary>
    public static string StableId(string vendorId, string partnerId, string key) => MdfWorkflowTypes.StableId('d', vendorId, partnerId, key);
}
