using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Identity;

namespace Tcma.Storage.Identity;

/// <summary>
/// Partner portal sessions: the <c>PartnerSessions</c> table, partition = <c>{vendor}|{partner}</c> (so "sign out
/// everywhere" is one partition), row = the session id. The cookie only names a row; the row is the truth, so deleting
/// it ends the session on the next request, wherever the cookie is.
/// </summary>
public sealed class PartnerSessionStore(StorageAccount storage)
{
    public const string TableName = "PartnerSessions";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string Partition(string vendorId, string partnerId) => $"{TableKeys.Check(vendorId, "vendor id")}|{TableKeys.Check(partnerId, "partner id")}";

    public async Task AddAsync(PartnerSession session, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.AddEntityAsync(new TableEntity(Partition(session.VendorId, session.PartnerId), TableKeys.Check(session.Id, "session id"))
        {
            ["Session"] = JsonSerializer.Serialize(session, Json),
        }, ct);
    }

    public async Task<(PartnerSession? Session, ETag ETag)> GetAsync(string vendorId, string partnerId, string sessionId, CancellationToken ct = default)
    {
        if (!TableKeys.IsValid(vendorId) || !TableKeys.IsValid(partnerId) || !TableKeys.IsValid(sessionId) || sessionId.Length > 100) return (null, default);
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(Partition(vendorId, partnerId), sessionId, cancellationToken: ct);
        return found.HasValue
            ? (JsonSerializer.Deserialize<PartnerSession>(found.Value!.GetString("Session") ?? "null", Json), found.Value.ETag)
            : (null, default);
    }

    /// <summary>Writes a visit under the ETag that was read: a session deleted meanwhile (signed out) stays deleted.</summary>
    public async Task TouchAsync(PartnerSession session, ETag etag, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.TryWriteAsync(new TableEntity(Partition(session.VendorId, session.PartnerId), session.Id)
        {
            ["Session"] = JsonSerializer.Serialize(session, Json),
        }, etag, ct);
    }

    public async Task EndAsync(string vendorId, string partnerId, string sessionId, CancellationToken ct = default)
    {
        if (!TableKeys.IsValid(sessionId)) return;
        var table = await storage.TableAsync(TableName, ct);
        try
        {
            await table.DeleteEntityAsync(Partition(vendorId, partnerId), sessionId, ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
    }

    /// <summary>Ends every session of the partner, on every device; returns how many there were.</summary>
    public async Task<int> EndAllAsync(string vendorId, string partnerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = Partition(vendorId, partnerId);
        var ids = new List<string>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), select: ["RowKey"], cancellationToken: ct))
            ids.Add(row.RowKey);
        foreach (var chunk in ids.Chunk(TableBatch.MaxEntities))
        {
            var batch = new TableBatch();
            foreach (var id in chunk) batch.Delete(new TableEntity(partition, id), ETag.All);
            try
            {
                await batch.SubmitAsync(table, ct);
            }
            catch (TableTransactionFailedException e) when (e.Status == 404)
            {
                // One of them ended on its own meanwhile: end the rest one by one.
                foreach (var id in chunk) await EndAsync(vendorId, partnerId, id, ct);
            }
        }
        return ids.Count;
    }
}
