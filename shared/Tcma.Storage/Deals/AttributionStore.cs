using Azure.Data.Tables;
using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Deals;

/// <summary>
/// Where each won amount and each open pipeline came from (partition = vendor, row <c>r~{registration}</c> or
/// <c>l~{lead}</c>), for the ROI pages and the read API. A record moves Pipeline → Won or Dropped and never back: a
/// late or repeated message for an earlier stage changes nothing.
/// </summary>
public sealed class AttributionStore(StorageAccount storage)
{
    public const string TableName = "DealAttributions";

    public async Task SaveAsync(string vendorId, AttributionRecord record, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpdateAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), RowKey(record.Source, record.SubjectId), current =>
        {
            var stored = current is null ? null : MdfJson.Read<AttributionRecord>(current.GetString("Record"));
            if (stored is not null && (stored == record || stored.Stage != AttributionStage.Pipeline)) return null;
            return new TableEntity
            {
                ["Record"] = MdfJson.Write(record),
                ["Stage"] = record.Stage.ToString(),
                ["At"] = record.At,
                ["PartnerId"] = record.PartnerId,
            };
        }, cancellationToken: ct);
    }

    public async Task<AttributionRecord?> GetAsync(string vendorId, AttributionSource source, string subjectId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), RowKey(source, subjectId), cancellationToken: ct);
        return row.HasValue ? MdfJson.Read<AttributionRecord>(row.Value!.GetString("Record")) : null;
    }

    /// <summary>The vendor's records (optionally one partner's) with their day in [from, to), read from the vendor's partition.</summary>
    public async Task<IReadOnlyList<AttributionRecord>> ListAsync(string vendorId, string? partnerId = null, DateTimeOffset? from = null, DateTimeOffset? to = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Check(vendorId, "vendor id")}");
        if (partnerId is not null) filter += " and " + TableClient.CreateQueryFilter($"PartnerId eq {partnerId}");
        if (from is not null) filter += " and " + TableClient.CreateQueryFilter($"At ge {from.Value}");
        if (to is not null) filter += " and " + TableClient.CreateQueryFilter($"At lt {to.Value}");
        var list = new List<AttributionRecord>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["Record"], cancellationToken: ct))
            list.Add(MdfJson.Read<AttributionRecord>(row.GetString("Record")));
        return list;
    }

    private static string RowKey(AttributionSource source, string id) => (source == AttributionSource.Registration ? "r~" : "l~") + TableKeys.Safe(id);
}
