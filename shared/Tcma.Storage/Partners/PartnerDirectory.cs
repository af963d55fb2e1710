using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Partners;

namespace Tcma.Storage.Partners;

/// <summary>A partner as stored, with the ETag a later change must name and who changed it last.</summary>
public sealed record StoredPartner(Partner Partner, string ETag, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy);

public enum PartnerSaveKind { Created, Updated, Unchanged, PreconditionFailed }

/// <summary>What a save did; <see cref="Stored"/> is the row as it now is (null only when a precondition named a partner that does not exist).</summary>
public sealed record PartnerSaveOutcome(PartnerSaveKind Kind, StoredPartner? Stored);

/// <summary>
/// The <c>Partners</c> table: partition = vendor, row = partner id, the partner as JSON. One vendor's partners are one
/// partition, so another vendor's partners are never in a query. Every change is read, decided and written under the
/// ETag that was read (<see cref="OptimisticConcurrency"/>). Every save keeps <see cref="Contacts"/> (who may sign in to
/// the partner portal) in step: new addresses are indexed before the row that lists them, old ones dropped after.
/// </summary>
public sealed class PartnerDirectory(StorageAccount storage)
{
    public const string TableName = "Partners";

    public PartnerContactIndex Contacts { get; } = new(storage);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string Partner { get; set; } = "{}";
        public DateTimeOffset CreatedAt { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
        public string UpdatedBy { get; set; } = "";
    }

    public async Task<StoredPartner?> GetAsync(string vendorId, string partnerId, CancellationToken ct = default)
    {
        if (!PartnerValidator.IsPartnerId(partnerId)) return null;
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<Row>(TableKeys.Check(vendorId, "vendor id"), partnerId, cancellationToken: ct);
        return found.HasValue ? Stored(found.Value!) : null;
    }

    /// <summary>The vendor's partners that match every filter given (case-insensitive), by company name.</summary>
    public async Task<IReadOnlyList<StoredPartner>> ListAsync(
        string vendorId, string? tier = null, string? region = null, string? specialisation = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var partners = new List<StoredPartner>();
        await foreach (var row in table.QueryAsync<Row>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), cancellationToken: ct))
        {
            var stored = Stored(row);
            if (stored.Partner.Matches(tier, region, specialisation)) partners.Add(stored);
        }
        return partners.OrderBy(p => p.Partner.CompanyName, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Partner.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Creates the partner or replaces it. With <paramref name="ifMatch"/> the change applies only to the row with that
    /// ETag (a caller editing what it read); without it the change is applied to whatever is there, re-read after a conflict.
    /// <paramref name="merge"/> builds the row to write from what is stored (default: the given partner replaces it).
    /// </summary>
    public async Task<PartnerSaveOutcome> SaveAsync(
        string vendorId, Partner partner, string by, DateTimeOffset now, string? ifMatch = null,
        Func<Partner?, Partner>? merge = null, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        PartnerSaveKind kind = PartnerSaveKind.Unchanged;
        Partner? before = null;
        await Contacts.AddAsync(vendorId, partner.Id, partner.Contacts.Select(c => c.Email), ct);
        var result = await table.UpdateAsync<Row>(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(partner.Id, "partner id"), current =>
        {
            if (ifMatch is not null && ifMatch != "*" && current?.ETag.ToString() != ifMatch || ifMatch == "*" && current is null)
            {
                kind = PartnerSaveKind.PreconditionFailed;
                return null;
            }
            var existing = current is null ? null : Deserialize(current);
            before = existing;
            var next = merge is null ? partner : merge(existing);
            var json = JsonSerializer.Serialize(next, Json);
            if (current is not null && current.Partner == json)
            {
                kind = PartnerSaveKind.Unchanged;
                return null;
            }
            kind = current is null ? PartnerSaveKind.Created : PartnerSaveKind.Updated;
            return new Row { Partner = json, CreatedAt = current?.CreatedAt ?? now, UpdatedAt = now, UpdatedBy = by };
        }, cancellationToken: ct);
        if (kind is PartnerSaveKind.Created or PartnerSaveKind.Updated && result.Entity is { } written)
        {
            var listed = Deserialize(written).Contacts.Select(c => c.Email).ToHashSet(StringComparer.OrdinalIgnoreCase);
            // A merge may keep contacts the given partner did not name: they are indexed too.
            await Contacts.AddAsync(vendorId, partner.Id, listed, ct);
            await Contacts.RemoveAsync(vendorId, partner.Id, (before?.Contacts ?? []).Select(c => c.Email).Where(e => !listed.Contains(e)), ct);
        }
        return new PartnerSaveOutcome(kind, result.Entity is null ? null : Stored(result.Entity));
    }

    /// <summary>Every partner of every vendor, page by page: for repairs that must see them all.</summary>
    public async IAsyncEnumerable<(string VendorId, Partner Partner)> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        await foreach (var row in table.QueryAsync<Row>(cancellationToken: ct))
            yield return (row.PartitionKey, Deserialize(row));
    }

    private static Partner Deserialize(Row row) => JsonSerializer.Deserialize<Partner>(row.Partner, Json)!;

    private static StoredPartner Stored(Row row) => new(Deserialize(row), row.ETag.ToString(), row.CreatedAt, row.UpdatedAt, row.UpdatedBy);
}
