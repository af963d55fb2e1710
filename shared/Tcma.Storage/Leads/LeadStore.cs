using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Leads;

namespace Tcma.Storage.Leads;

/// <summary>What recording a submission did.</summary>
public enum CaptureOutcome { Created, Merged, AlreadyRecorded }

/// <summary>
/// Leads (partition = vendor, row = lead id, the lead as JSON) and the LeadEmails index (partition = vendor,
/// row = SHA-256 of the normalised email, the ids of that person's leads). One partition per vendor keeps a
/// vendor's reads and the index's ETag on one server; the hashed row key keeps addresses out of keys and logs.
/// </summary>
public sealed class LeadStore(StorageAccount storage)
{
    public const string LeadsTable = "Leads";
    public const string EmailsTable = "LeadEmails";
    private const int MaxAttempts = 10;

    /// <summary>
    /// Records a valid submission exactly once. The lead id is derived from the submission, so a redelivery
    /// rebuilds the same lead. The email index row is the serialisation point: the decision is made on what the
    /// index listed and is written with the index's ETag, so two submissions of one person racing each other
    /// cannot both create a lead. Order on create: index first, then the lead; a crash in between leaves an id
    /// in the index whose lead is missing, and the redelivery (same id) inserts it.
    /// </summary>
    public async Task<(CaptureOutcome Outcome, Lead Lead)> RecordAsync(ValidSubmission submission, DateTimeOffset now, TimeSpan window, CancellationToken ct)
    {
        var leads = await storage.TableAsync(LeadsTable, ct);
        var emails = await storage.TableAsync(EmailsTable, ct);
        var partition = TableKeys.Safe(submission.VendorId);
        var emailKey = EmailKey(submission.Person.Email);
        var newId = LeadId(submission.VendorId, submission.SubmissionId);

        for (var attempt = 1; ; attempt++)
        {
            var found = await emails.GetEntityIfExistsAsync<TableEntity>(partition, emailKey, cancellationToken: ct);
            var index = found.HasValue ? found.Value : null;
            var ids = (index?.GetString("LeadIds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
            var candidates = new List<(Lead Lead, ETag ETag, long RoutingVersion)>();
            foreach (var id in ids)
                if (await GetRowAsync(leads, partition, id, ct) is { } row)
                    candidates.Add(row);
            // Another submission of this person is between its index write and its lead write: deciding now would
            // not see that lead and make a second one. Wait for it; one that never comes (its writer died; its
            // redelivery will merge into whatever exists by then) stops the wait after the last attempt.
            if (attempt < MaxAttempts && ids.Any(id => id != newId && candidates.All(c => c.Lead.Id != id)))
            {
                await OptimisticConcurrency.BackoffAsync(attempt, ct);
                continue;
            }

            try
            {
                switch (Deduplication.Deduplicate(submission, candidates.Select(c => c.Lead), now, window))
                {
                    case DedupDecision.AlreadyRecorded a:
                        return (CaptureOutcome.AlreadyRecorded, a.Lead);
                    case DedupDecision.MergeInto m:
                        // One write, guarded by the ETag read: the activity lands once or the whole decision is remade.
                        var read = candidates.First(c => c.Lead.Id == m.Merged.Id);
                        await leads.UpdateEntityAsync(ToRow(partition, m.Merged, read.RoutingVersion), read.ETag, TableUpdateMode.Replace, ct);
                        return (CaptureOutcome.Merged, m.Merged);
                    default:
                        if (!ids.Contains(newId))
                        {
                            var row = new TableEntity(partition, emailKey) { ["LeadIds"] = string.Join(',', ids.Append(newId)) };
                            if (index is null) await emails.AddEntityAsync(row, ct);
                            else await emails.UpdateEntityAsync(row, index.ETag, TableUpdateMode.Replace, ct);
                        }
                        var lead = Lead.Create(newId, submission);
                        try
                        {
                            await leads.AddEntityAsync(ToRow(partition, lead), ct);
                        }
                        catch (RequestFailedException e) when (e.Status == 409)
                        {
                            // Created by an earlier delivery that died before answering; whatever is there now stands.
                            return (CaptureOutcome.AlreadyRecorded, (await GetRowAsync(leads, partition, newId, ct))!.Value.Lead);
                        }
                        return (CaptureOutcome.Created, lead);
                }
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
            {
                await OptimisticConcurrency.BackoffAsync(attempt, ct);
            }
        }
    }

    public async Task<Lead?> GetAsync(string vendorId, string leadId, CancellationToken ct)
    {
        if (!TableKeys.IsValid(leadId)) return null;
        var leads = await storage.TableAsync(LeadsTable, ct);
        return await GetRowAsync(leads, TableKeys.Safe(vendorId), leadId, ct) is { } row ? row.Lead : null;
    }

    /// <summary>The lead id for a submission: the same submission always yields the same lead id.</summary>
    public static string LeadId(string vendorId, string submissionId) =>
        "lead-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{vendorId}\n{submissionId}")))[..24];

    public static string EmailKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(LeadNormalisation.Email(email))));

    private static async Task<(Lead Lead, ETag ETag, long RoutingVersion)?> GetRowAsync(TableClient leads, string partition, string id, CancellationToken ct)
    {
        var found = await leads.GetEntityIfExistsAsync<TableEntity>(partition, id, cancellationToken: ct);
        if (!found.HasValue || found.Value is not { } row) return null;
        var lead = JsonSerializer.Deserialize<Lead>(row.GetString("Json") ?? "null", JsonSerializerOptions.Web)
            ?? throw new InvalidDataException($"lead row {partition}/{id} is empty");
        return (lead, row.ETag, row.GetInt64("RoutingVersion") ?? 0);
    }

    /// <summary>
    /// The lead as one JSON property. A string property holds at most 64 KiB, so a lead with hundreds of activities
    /// would outgrow it; the write then fails loudly (and the message is retried, then poisoned) rather than cut data.
    /// </summary>
    private static TableEntity ToRow(string partition, Lead lead, long routingVersion = 0) => new(partition, lead.Id)
    {
        ["Json"] = JsonSerializer.Serialize(lead, JsonSerializerOptions.Web),
        ["Status"] = lead.Status.ToString(),
        ["LastActivityAt"] = lead.LastActivityAt,
        // Columns so a partner's inbox and the capacity count are filtered by the service, not in memory.
        ["PartnerId"] = lead.PartnerId,
        ["RoutingVersion"] = routingVersion,
    };

    /// <summary>
    /// Copies the routing workflow's view (status and holder) onto the lead. <paramref name="routingVersion"/> is the workflow
    /// instance's version: an older projection arriving late (queues reorder) never overwrites a newer one.
    /// </summary>
    public async Task<Lead?> ProjectRoutingAsync(string vendorId, string leadId, LeadStatus status, string? partnerId, long routingVersion, CancellationToken ct)
    {
        var leads = await storage.TableAsync(LeadsTable, ct);
        var partition = TableKeys.Safe(vendorId);
        for (var attempt = 1; ; attempt++)
        {
            if (await GetRowAsync(leads, partition, leadId, ct) is not { } row) return null;
            if (row.RoutingVersion >= routingVersion) return row.Lead;
            var next = row.Lead with { Status = status, PartnerId = partnerId };
            try
            {
                await leads.UpdateEntityAsync(ToRow(partition, next, routingVersion), row.ETag, TableUpdateMode.Replace, ct);
                return next;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < MaxAttempts)
            {
                await OptimisticConcurrency.BackoffAsync(attempt, ct);
            }
        }
    }

    /// <summary>The vendor's leads, newest first; with <paramref name="partnerId"/> only those that partner holds right now.</summary>
    public async Task<IReadOnlyList<Lead>> ListAsync(string vendorId, string? partnerId, int max, CancellationToken ct)
    {
        var leads = await storage.TableAsync(LeadsTable, ct);
        var partition = TableKeys.Safe(vendorId);
        var filter = partnerId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and PartnerId eq {partnerId}");
        var list = new List<Lead>();
        await foreach (var row in leads.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: ct))
        {
            list.Add(JsonSerializer.Deserialize<Lead>(row.GetString("Json") ?? "null", JsonSerializerOptions.Web)!);
            if (list.Count >= max) break;
        }
        return list.OrderByDescending(l => l.CreatedAt).ToList();
    }

    /// <summary>Per partner, the leads offered to it and not yet accepted: what a partner's capacity counts.</summary>
    public async Task<IReadOnlyDictionary<string, int>> OpenUnacceptedAsync(string vendorId, CancellationToken ct)
    {
        var leads = await storage.TableAsync(LeadsTable, ct);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Safe(vendorId)} and Status eq {"Assigned"}");
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in leads.QueryAsync<TableEntity>(filter, select: ["PartnerId"], cancellationToken: ct))
            if (row.GetString("PartnerId") is { } p) counts[p] = counts.GetValueOrDefault(p) + 1;
        return counts;
    }
}
