using Azure.Data.Tables;

namespace Tcma.Storage.Mdf;

public enum MdfSubjectKind { Request, Claim }

/// <summary>One request or claim of a vendor, for listing; its state lives in its workflow instance.</summary>
public sealed record MdfSubject(MdfSubjectKind Kind, string Id, string PartnerId, string ProgramId, DateTimeOffset CreatedAt);

/// <summary>
/// The vendor's requests and claims (partition = vendor), so the partner page and the console can list them. A row
/// is written before its workflow starts: a row whose instance never started is skipped when read, never the reverse.
/// </summary>
public sealed class MdfRequestIndex(StorageAccount storage)
{
    public const string TableName = "MdfRequests";

    public async Task AddAsync(string vendorId, MdfSubject subject, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        // Insert-or-keep: the row names an id and never changes, so a second write of the same id has nothing to add.
        await table.UpsertEntityAsync(new TableEntity(TableKeys.Check(vendorId, "vendor id"), RowKey(subject.Kind, subject.Id))
        {
            ["Kind"] = subject.Kind.ToString(),
            ["PartnerId"] = subject.PartnerId,
            ["ProgramId"] = subject.ProgramId,
            ["CreatedAt"] = subject.CreatedAt,
        }, TableUpdateMode.Merge, ct);
    }

    public async Task<IReadOnlyList<MdfSubject>> ListAsync(string vendorId, string? partnerId = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var filter = partnerId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {vendorId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {vendorId} and PartnerId eq {partnerId}");
        var list = new List<MdfSubject>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: ct))
            list.Add(new(Enum.Parse<MdfSubjectKind>(row.GetString("Kind")), row.RowKey[2..], row.GetString("PartnerId"), row.GetString("ProgramId"),
                row.GetDateTimeOffset("CreatedAt") ?? default));
        return list.OrderByDescending(s => s.CreatedAt).ToList();
    }

    private static string RowKey(MdfSubjectKind kind, string id) => (kind == MdfSubjectKind.Request ? "r~" : "c~") + TableKeys.Check(id, "id");
}
