using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Leads;

namespace Tcma.Storage.Leads;

/// <summary>
/// Erasure in the lead tables: each lead of the person (found through the LeadEmails index) is rewritten by
/// <see cref="LeadErasure.Erase"/> under its ETag, the anonymous <see cref="ErasureRecord"/> goes to <c>LeadErasures</c>
/// (partition = vendor, row = lead id) before the lead changes, and the index row goes last. A crash at any point is
/// finished by erasing again: the index still lists the leads, erased leads stay erased, and each record exists once.
/// </summary>
public sealed class ErasureStore(StorageAccount storage)
{
    public const string TableName = "LeadErasures";
    private const int MaxAttempts = 10;

    public sealed record Erased(IReadOnlyList<string> LeadIds, IReadOnlyList<ErasureRecord> NewRecords);

    /// <param name="beforeForgetting">Runs with the erased leads' ids before the index row (the only way back to them) is deleted: tell others here.</param>
    public async Task<Erased> EraseLeadsAsync(string vendorId, string email, string by, DateTimeOffset now, byte[] hashKey, Func<IReadOnlyList<string>, Task> beforeForgetting, CancellationToken ct)
    {
        var leads = await storage.TableAsync(LeadStore.LeadsTable, ct);
        var emails = await storage.TableAsync(LeadStore.EmailsTable, ct);
        var records = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var emailKey = LeadStore.EmailKey(email);
        var touched = new List<string>();
        var created = new List<ErasureRecord>();

        for (var attempt = 1; ; attempt++)
        {
            var found = await emails.GetEntityIfExistsAsync<TableEntity>(partition, emailKey, cancellationToken: ct);
            if (!found.HasValue) return new Erased(touched, created);
            var index = found.Value!;
            foreach (var id in (index.GetString("LeadIds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                if (await EraseOneAsync(leads, records, partition, id, by, now, hashKey, ct) is { } record) created.Add(record);
                if (!touched.Contains(id)) touched.Add(id);
            }
            await beforeForgetting(touched);
            try
            {
                // Guarded by the index's ETag: a lead of this person recorded meanwhile is erased in the next round.
                await emails.DeleteEntityAsync(partition, emailKey, index.ETag, ct);
                return new Erased(touched, created);
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return new Erased(touched, created);
            }
        }
    }

    /// <summary>Earlier erasures of this person (by the keyed hash of the email), so a repeated request can say so.</summary>
    public async Task<IReadOnlyList<ErasureRecord>> RecordsAsync(string vendorId, string emailHash, CancellationToken ct)
    {
        var records = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var found = new List<ErasureRecord>();
        await foreach (var row in records.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and EmailHash eq {emailHash}"), cancellationToken: ct))
            if (!row.RowKey.StartsWith(CampaignPrefix, StringComparison.Ordinal))
                found.Add(FromRow(row));
        return found;
    }

    // Lead ids are never shaped like this (no '|'), so campaign rows share the table without being read as lead records.
    private const string CampaignPrefix = "campaign|";

    public async Task<CampaignErasure?> CampaignErasureAsync(string vendorId, string emailHash, CancellationToken ct)
    {
        var records = await storage.TableAsync(TableName, ct);
        var found = await records.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), CampaignPrefix + emailHash, cancellationToken: ct);
        return found.HasValue ? FromCampaignRow(found.Value!) : null;
    }

    /// <summary>Written before any campaign data is touched, so a run that dies leaves a record saying it is unfinished.</summary>
    public async Task<CampaignErasure> BeginCampaignErasureAsync(string vendorId, string emailHash, DateTimeOffset now, CancellationToken ct)
    {
        var records = await storage.TableAsync(TableName, ct);
        var result = await records.UpdateAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), CampaignPrefix + emailHash,
            current => current is null ? ToCampaignRow(new CampaignErasure(emailHash, now, null, 0, 0, 0, 0)) : null, cancellationToken: ct);
        return FromCampaignRow(result.Entity!);
    }

    /// <summary>Adds one run's counts and marks the record complete, under the row's ETag.</summary>
    public async Task<CampaignErasure> CompleteCampaignErasureAsync(string vendorId, CampaignErasure run, DateTimeOffset now, CancellationToken ct)
    {
        var records = await storage.TableAsync(TableName, ct);
        var result = await records.UpdateAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), CampaignPrefix + run.EmailHash,
            current => ToCampaignRow((current is null ? run with { Sends = 0, Clicks = 0, ContactLists = 0, Partners = 0 } : FromCampaignRow(current)).Add(run, now)), cancellationToken: ct);
        return FromCampaignRow(result.Entity!);
    }

    private static TableEntity ToCampaignRow(CampaignErasure c) => new()
    {
        ["EmailHash"] = c.EmailHash, ["StartedAt"] = c.StartedAt, ["CompletedAt"] = c.CompletedAt,
        ["Sends"] = c.Sends, ["Clicks"] = c.Clicks, ["ContactLists"] = c.ContactLists, ["Partners"] = c.Partners,
    };

    private static CampaignErasure FromCampaignRow(TableEntity e) => new(e.GetString("EmailHash") ?? "", e.GetDateTimeOffset("StartedAt") ?? default,
        e.GetDateTimeOffset("CompletedAt"), e.GetInt32("Sends") ?? 0, e.GetInt32("Clicks") ?? 0, e.GetInt32("ContactLists") ?? 0, e.GetInt32("Partners") ?? 0);

    private static async Task<ErasureRecord?> EraseOneAsync(TableClient leads, TableClient records, string partition, string id, string by, DateTimeOffset now, byte[] hashKey, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var found = await leads.GetEntityIfExistsAsync<TableEntity>(partition, id, cancellationToken: ct);
            if (!found.HasValue) return null; // listed by the index, never written: nothing personal stored
            var row = found.Value!;
            var lead = JsonSerializer.Deserialize<Lead>(row.GetString("Json") ?? "null", JsonSerializerOptions.Web)
                ?? throw new InvalidDataException($"lead row {partition}/{id} is empty");
            var (erased, record) = LeadErasure.Erase(lead, by, now, hashKey);
            if (record is null) return null;
            ErasureRecord? added = null;
            try
            {
                await records.AddEntityAsync(ToRow(record), ct);
                added = record;
            }
            catch (RequestFailedException e) when (e.Status == 409)
            {
                // Recorded by an erasure that died before changing the lead: that record stands.
            }
            try
            {
                // Merge: only the lead's JSON changes; columns other features keep on the row stay.
                await leads.UpdateEntityAsync(new TableEntity(partition, id) { ["Json"] = JsonSerializer.Serialize(erased, JsonSerializerOptions.Web) }, row.ETag, TableUpdateMode.Merge, ct);
                return added;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
                await OptimisticConcurrency.BackoffAsync(attempt, ct);
            }
        }
    }

    private static TableEntity ToRow(ErasureRecord r) => new(TableKeys.Check(r.VendorId, "vendor id"), r.LeadId)
    {
        ["ErasedAt"] = r.ErasedAt, ["ErasedBy"] = r.ErasedBy, ["ErasedFields"] = string.Join(',', r.ErasedFields), ["EmailHash"] = r.EmailHash,
    };

    private static ErasureRecord FromRow(TableEntity e) => new(e.RowKey, e.PartitionKey, e.GetDateTimeOffset("ErasedAt") ?? default,
        e.GetString("ErasedBy") ?? "", (e.GetString("ErasedFields") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries), e.GetString("EmailHash") ?? "");
}
