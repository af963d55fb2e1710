using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Launches;

namespace Tcma.Storage.Launches;

/// <summary>
/// One row per campaign email (SendId), in one partition per launch: the exactly-once guard of the mailer and what the
/// launch's status page counts. Every change is a conditional write on the row's ETag, so two deliveries of one send
/// never both go ahead.
/// </summary>
public sealed class CampaignSendLog(StorageAccount storage)
{
    public const string TableName = "CampaignSends";

    /// <summary>Failures listed on the status page at most; the counts are always complete.</summary>
    public const int MaxListedFailures = 500;

    public static string PartitionKey(string vendorId, string launchId) => TableKeys.Safe($"{vendorId}|{launchId}", 400);

    public sealed record Stored(CampaignSendRecord Record, ETag ETag);

    public async Task<Stored?> GetAsync(string vendorId, string launchId, string sendId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(vendorId, launchId), TableKeys.Safe(sendId), cancellationToken: ct);
        return found.HasValue ? new Stored(FromEntity(found.Value!), found.Value!.ETag) : null;
    }

    /// <summary>Writes the record if the row is still as read (<paramref name="etag"/> default: the row must not exist). False: someone else wrote first.</summary>
    public async Task<ETag?> TryWriteAsync(CampaignSendRecord record, ETag etag, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var entity = ToEntity(record);
        TableBatch.CheckEntity(entity);
        try
        {
            var response = etag == default
                ? await table.AddEntityAsync(entity, ct)
                : await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, ct);
            return response.Headers.ETag;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>Counts by state and the failures with their reasons, for the launch's status page.</summary>
    public async Task<CampaignSendSummary> SummariseAsync(string vendorId, string launchId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var counts = new Dictionary<CampaignSendState, int>();
        var byTouch = new Dictionary<string, Dictionary<CampaignSendState, int>>(StringComparer.Ordinal);
        var failures = new List<CampaignSendFailure>();
        var pk = PartitionKey(vendorId, launchId);
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk,
                           select: ["State", "SendId", "TouchId", "Recipient", "LastError", "Attempts", "UpdatedAt", "VendorId", "LaunchId"], cancellationToken: ct))
        {
            // A hashed key could in theory be shared: count only rows that really are this launch's.
            if (row.GetString("VendorId") != vendorId || row.GetString("LaunchId") != launchId) continue;
            if (!Enum.TryParse<CampaignSendState>(row.GetString("State"), out var state)) continue;
            counts[state] = counts.GetValueOrDefault(state) + 1;
            var touch = row.GetString("TouchId") ?? "";
            if (!byTouch.TryGetValue(touch, out var touchCounts)) byTouch[touch] = touchCounts = [];
            touchCounts[state] = touchCounts.GetValueOrDefault(state) + 1;
            if (state == CampaignSendState.Failed && failures.Count < MaxListedFailures)
                failures.Add(new CampaignSendFailure(row.GetString("SendId") ?? "", row.GetString("TouchId") ?? "", row.GetString("Recipient") ?? "",
                    row.GetString("LastError") ?? "", row.GetInt32("Attempts") ?? 0, row.GetDateTimeOffset("UpdatedAt") ?? default));
        }
        return new CampaignSendSummary(counts, failures.OrderBy(f => f.At).ToList())
        {
            ByTouch = byTouch.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<CampaignSendState, int>)t.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Records sends the audience left out, as inserts: a send that already has a record (queued by an earlier run of
    /// the fan-out, and sent, or on its way) keeps it, so a contact ends either sent or skipped, never both. One batch
    /// per 100 (they share the launch's partition); a batch refused because one row exists is retried row by row.
    /// Returns how many were newly recorded.
    /// </summary>
    public async Task<int> RecordSkippedAsync(IReadOnlyList<CampaignSendRecord> skipped, CancellationToken ct = default)
    {
        if (skipped.Count == 0) return 0;
        var table = await storage.TableAsync(TableName, ct);
        var added = 0;
        foreach (var group in skipped.GroupBy(r => PartitionKey(r.VendorId, r.LaunchId)))
        foreach (var chunk in group.DistinctBy(r => r.SendId).Chunk(TableBatch.MaxEntities))
        {
            var batch = new TableBatch();
            foreach (var record in chunk) batch.Add(ToEntity(record));
            try
            {
                await batch.SubmitAsync(table, ct);
                added += chunk.Length;
                continue;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
            }
            foreach (var record in chunk)
            {
                try
                {
                    await table.AddEntityAsync(ToEntity(record), ct);
                    added++;
                }
                catch (RequestFailedException e) when (e.Status == 409)
                {
                }
            }
        }
        return added;
    }

    private static TableEntity ToEntity(CampaignSendRecord r) => new(PartitionKey(r.VendorId, r.LaunchId), TableKeys.Safe(r.SendId))
    {
        ["VendorId"] = r.VendorId,
        ["PartnerId"] = r.PartnerId,
        ["LaunchId"] = r.LaunchId,
        ["TouchId"] = r.TouchId,
        ["SendId"] = r.SendId,
        ["Recipient"] = r.Recipient,
        ["FromName"] = r.FromName,
        ["State"] = r.State.ToString(),
        ["Attempts"] = r.Attempts,
        ["UpdatedAt"] = r.UpdatedAt,
        ["FirstFailureAt"] = r.FirstFailureAt,
        ["LeaseUntil"] = r.LeaseUntil,
        ["SentAt"] = r.SentAt,
        ["LastError"] = r.LastError is { Length: > 1000 } error ? error[..1000] : r.LastError,
        ["MessageId"] = r.MessageId,
    };

    private static CampaignSendRecord FromEntity(TableEntity e) => new(
        e.GetString("VendorId") ?? "", e.GetString("PartnerId") ?? "", e.GetString("LaunchId") ?? "", e.GetString("TouchId") ?? "",
        e.GetString("SendId") ?? "", e.GetString("Recipient") ?? "", e.GetString("FromName") ?? "",
        Enum.Parse<CampaignSendState>(e.GetString("State") ?? nameof(CampaignSendState.Sending)),
        e.GetInt32("Attempts") ?? 0, e.GetDateTimeOffset("UpdatedAt") ?? default)
    {
        FirstFailureAt = e.GetDateTimeOffset("FirstFailureAt"),
        LeaseUntil = e.GetDateTimeOffset("LeaseUntil"),
        SentAt = e.GetDateTimeOffset("SentAt"),
        LastError = e.GetString("LastError"),
        MessageId = e.GetString("MessageId"),
    };
}
