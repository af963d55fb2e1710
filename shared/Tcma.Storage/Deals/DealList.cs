using Azure.Data.Tables;
using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Deals;

/// <summary>A registration as lists show it; the workflow instance holds the whole of it.</summary>
public sealed record DealSummary(
    string RegistrationId, string PartnerId, string CompanyName, DealStatus Status, DealStage Stage, Money EstimatedValue, Money? WonAmount,
    DateTimeOffset? SubmittedAt, DateTimeOffset? ProtectedUntil, int RulesVersion);

/// <summary>
/// The vendor's registrations (partition = vendor, row = registration id) for the console and the partner's page,
/// copied from the workflow after each step. The workflow's version guards the copy: an older one arriving late
/// never overwrites a newer one.
/// </summary>
public sealed class DealList(StorageAccount storage)
{
    public const string TableName = "Deals";

    public async Task ProjectAsync(DealState state, long version, CancellationToken ct = default)
    {
        if (state.Registration is null) return;
        var table = await storage.TableAsync(TableName, ct);
        await table.UpdateAsync<TableEntity>(TableKeys.Check(state.VendorId, "vendor id"), TableKeys.Check(state.RegistrationId, "registration id"), current =>
        {
            if ((current?.GetInt64("Version") ?? 0) >= version) return null;
            return new TableEntity
            {
                ["Version"] = version,
                ["PartnerId"] = state.PartnerId,
                ["Summary"] = MdfJson.Write(new DealSummary(state.RegistrationId, state.PartnerId, state.Registration.Customer.CompanyName, state.Status, state.Stage,
                    state.Registration.EstimatedValue, state.WonAmount, state.SubmittedAt, state.ProtectedUntil, state.Rules?.Version ?? 0)),
                ["Status"] = state.Status.ToString(),
            };
        }, cancellationToken: ct);
    }

    /// <summary>The vendor's registrations, newest first; with <paramref name="partnerId"/> only that partner's.</summary>
    public async Task<IReadOnlyList<DealSummary>> ListAsync(string vendorId, string? partnerId = null, int max = 500, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var filter = partnerId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and PartnerId eq {partnerId}");
        var list = new List<DealSummary>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Summary"], cancellationToken: ct))
        {
            list.Add(MdfJson.Read<DealSummary>(row.GetString("Summary")));
            if (list.Count >= max) break;
        }
        return list.OrderByDescending(s => s.SubmittedAt).ToList();
    }
}
