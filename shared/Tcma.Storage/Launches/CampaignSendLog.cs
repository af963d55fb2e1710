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
        return await table.TryWriteAsync(entity, etag, ct);
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

    /// <summary>The launch's emails that were sent, with when (what the dashboards count as sent, recounted from here).</summary>
    public async Task<IReadOnlyList<(string SendId, DateTimeOffset At)>> SentAsync(string vendorId, string launchId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, launchId);
        var sent = new List<(string, DateTimeOffset)>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk, select: ["State", "SendId", "SentAt", "UpdatedAt", "VendorId", "LaunchId"], cancellationToken: ct))
        {
            if (row.GetString("VendorId") != vendorId || row.GetString("LaunchId") != launchId || row.GetString("State") != nameof(CampaignSendState.Sent)) continue;
            if (row.GetString("SendId") is { Length: > 0 } send && (row.GetDateTimeOffset("SentAt") ?? row.GetDateTimeOffset("UpdatedAt")) is { } at) sent.Add((send, at));
        }
        return sent;
    }

    /// <summary>A send of an erased person: its id (which carries only their contact key) and whose it was.</summary>
    public sealed record PersonSend(string SendId, string PartnerId, bool Redacted);

    /// <summary>
    /// The sends of one person in a launch, found by the contact key in their SendId, so the rows stay findable after
    /// their address was blanked (a repeated erasure still finds the partner to suppress for).
    /// </summary>
    public async Task<IReadOnlyList<PersonSend>> SendsOfAsync(string vendorId, string launchId, string email, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, launchId);
        var contact = LaunchWorkflow.ContactKey(email);
        var found = new List<PersonSend>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk, select: ["SendId", "Recipient", "PartnerId", "VendorId", "LaunchId"], cancellationToken: ct))
        {
            if (row.GetString("VendorId") != vendorId || row.GetString("LaunchId") != launchId) continue;
            var sendId = row.GetString("SendId") ?? "";
            var recipient = row.GetString("Recipient") ?? "";
            if (LaunchWorkflow.ContactKeyOfSend(sendId) == contact || recipient.Length > 0 && LaunchWorkflow.ContactKey(recipient) == contact)
                found.Add(new PersonSend(sendId, row.GetString("PartnerId") ?? "", recipient.Length == 0));
        }
        return found;
    }

    /// <summary>
    /// Blanks the recipient (and the address wherever an SMTP error quoted it) of one send, in place, under the row's
    /// ETag. The row stays, state and all: it is the mailer's exactly-once guard and what the status page counts, so
    /// deleting it would both change the partner's figures and let a redelivered message of the send go out again.
    /// True when this call changed the row.
    /// </summary>
    public async Task<bool> RedactRecipientAsync(string vendorId, string launchId, string sendId, string email, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        for (var attempt = 1; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(vendorId, launchId), TableKeys.Safe(sendId), cancellationToken: ct);
            if (!found.HasValue || found.Value!.GetString("SendId") != sendId) return false;
            var row = found.Value!;
            var error = row.GetString("LastError");
            var scrubbed = error is null ? null : Redact(error, email, row.GetString("Recipient"));
            if ((row.GetString("Recipient") ?? "") == "" && scrubbed == error) return false;
            try
            {
                await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["Recipient"] = "", ["LastError"] = scrubbed }, row.ETag, TableUpdateMode.Merge, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 10)
            {
                await OptimisticConcurrency.BackoffAsync(attempt, ct);
            }
        }
    }

    private static string Redact(string text, string email, string? recipient)
    {
        text = text.Replace(email, "[erased]", StringComparison.OrdinalIgnoreCase);
        return string.IsNullOrEmpty(recipient) ? text : text.Replace(recipient.Trim(), "[erased]", StringComparison.OrdinalIgnoreCase);
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
