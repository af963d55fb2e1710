using Azure.Data.Tables;

namespace Tcma.Storage.Mdf;

public enum MdfSubjectKind { Request, Claim }

/// <summary>One request or claim of a vendor, for listing; its state lives in its workflow instance.</summary>
public sealed record MdfSubject(MdfSubjectKind Kind, string Id, string PartnerId, string ProgramId, DateTimeOffset CreatedAt);

/// <summary>A submission that was begun: what to start, so a crash between the ledger and the workflow can be finished.</summary>
public sealed record MdfIntent(string VendorId, MdfSubjectKind Kind, string Id, string Data, DateTimeOffset CreatedAt);

/// <summary>
/// The vendor's requests and claims (partition = vendor), so the partner page and the console can list them. A row
/// is written before its workflow starts, with the submission as an intent (<c>Open</c>): a row whose instance never
/// started is skipped when read and finished by <c>MdfService.ResumeAsync</c>, never the reverse.
/// </summary>
public sealed class MdfRequestIndex(StorageAccount storage)
{
    public const string TableName = "MdfRequests";

    /// <summary>Table properties hold 32K characters; a bigger submission is listed but not resumable.</summary>
    private const int MaxIntentChars = 30_000;

    public async Task AddAsync(string vendorId, MdfSubject subject, string? intent = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = new TableEntity(TableKeys.Check(vendorId, "vendor id"), RowKey(subject.Kind, subject.Id))
        {
            ["Kind"] = subject.Kind.ToString(),
            ["PartnerId"] = subject.PartnerId,
            ["ProgramId"] = subject.ProgramId,
            ["CreatedAt"] = subject.CreatedAt,
        };
        if (intent is { Length: <= MaxIntentChars })
        {
            row["Intent"] = intent;
            row["Open"] = true;
        }
        // Merge: the same id written again (a retried submission) keeps what is there and refreshes the intent.
        await table.UpsertEntityAsync(row, TableUpdateMode.Merge, ct);
    }

    /// <summary>The workflow started: nothing left to finish.</summary>
    public async Task CloseAsync(string vendorId, MdfSubjectKind kind, string id, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpsertEntityAsync(new TableEntity(vendorId, RowKey(kind, id)) { ["Open"] = false }, TableUpdateMode.Merge, ct);
    }

    /// <summary>Submissions begun before <paramref name="before"/> whose workflow was not seen to start, across vendors.</summary>
    public async Task<IReadOnlyList<MdfIntent>> OpenAsync(DateTimeOffset before, int max, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var list = new List<MdfIntent>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Open eq true and CreatedAt lt {before}"), cancellationToken: ct))
        {
            list.Add(new(row.PartitionKey, Enum.Parse<MdfSubjectKind>(row.GetString("Kind")), row.RowKey[2..], row.GetString("Intent"), row.GetDateTimeOffset("CreatedAt") ?? default));
            if (list.Count >= max) break;
        }
        return list;
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
