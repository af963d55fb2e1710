using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Tcma.Domain.Deals;

namespace Tcma.Storage.Deals;

/// <summary>
/// One thing known about a customer under one key: an open registration (<c>r</c>), an open routed lead (<c>l</c>) or a
/// customer a partner won (<c>w</c>), with what the conflict check needs to score it without reading anything else.
/// </summary>
public sealed record IndexEntry(
    [property: JsonPropertyName("k")] string Key,
    [property: JsonPropertyName("t")] string Kind,
    [property: JsonPropertyName("i")] string Id,
    [property: JsonPropertyName("p")] string PartnerId,
    [property: JsonPropertyName("n")] string CompanyName,
    [property: JsonPropertyName("d")] IReadOnlyList<string> Domains,
    [property: JsonPropertyName("a")] DateTimeOffset At,
    [property: JsonPropertyName("s")] string? SourcePartnerId = null)
{
    public const string Registration = "r", Lead = "l", Won = "w";

    public CandidateKind CandidateKind => Kind switch { Registration => CandidateKind.Registration, Lead => CandidateKind.Lead, _ => CandidateKind.WonCustomer };
}

/// <summary>
/// The customer index the conflict check reads: every key of a customer (its compact name, each domain, its sound key
/// and distinctive word, see <see cref="CustomerKeys"/>) hashed into one of 65,536 bucket rows per vendor, so a check
/// is a handful of point reads (one per key) and never a query or a scan, whether the vendor has ten customers or
/// ten million. A bucket row holds the entries of every key that hashes to it; the reader keeps those of its own key.
/// Open registrations and routed leads leave the index when they close; a won customer stays, once per partner.
/// </summary>
/// <remarks>
/// Entries are JSON split over properties <c>E0</c>..<c>E15</c> of at most 30,000 characters each (a property holds
/// 32K), under the 1 MiB entity limit. A bucket row is changed under its ETag. A key too common to tell customers
/// apart (a sound key or word shared by more than <see cref="MaxFuzzyEntriesPerKey"/> entries) keeps only the newest:
/// it only ever finds candidates, the exact keys decide.
/// </remarks>
public sealed class CustomerIndex(StorageAccount storage)
{
    public const string TableName = "DealIndex";
    public const int MaxFuzzyEntriesPerKey = 50;
    private const int ChunkChars = 30_000, MaxChunks = 16;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The bucket row a key lives in: the first four hex digits of its SHA-256.</summary>
    public static string Bucket(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..4];

    /// <summary>Adds (or refreshes) <paramref name="entry"/> under each key; a won customer replaces that partner's earlier win of it.</summary>
    public async Task AddAsync(string vendorId, IReadOnlyList<string> keys, IndexEntry entry, CancellationToken ct = default) =>
        await ChangeAsync(vendorId, keys, entries =>
        {
            foreach (var key in keys)
            {
                entries.RemoveAll(e => e.Key == key && (e.Id == entry.Id || (entry.Kind == IndexEntry.Won && e.Kind == IndexEntry.Won && e.PartnerId == entry.PartnerId)));
                entries.Add(entry with { Key = key });
                Trim(entries, key);
            }
        }, ct);

    /// <summary>Takes the entries of <paramref name="id"/> of this kind out from under each key.</summary>
    public async Task RemoveAsync(string vendorId, IReadOnlyList<string> keys, string kind, string id, CancellationToken ct = default) =>
        await ChangeAsync(vendorId, keys, entries => entries.RemoveAll(e => keys.Contains(e.Key) && e.Id == id && e.Kind == kind), ct);

    /// <summary>Every entry under these keys: one point read per distinct bucket, all at once.</summary>
    public async Task<IReadOnlyList<IndexEntry>> FindAsync(string vendorId, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var wanted = keys.ToHashSet(StringComparer.Ordinal);
        var rows = await Task.WhenAll(keys.Select(Bucket).Distinct().Select(b => table.GetEntityIfExistsAsync<TableEntity>(partition, b, cancellationToken: ct)));
        return rows.Where(r => r.HasValue).SelectMany(r => Read(r.Value!)).Where(e => wanted.Contains(e.Key)).ToList();
    }

    /// <summary>
    /// Bucket rows for a whole set of entries at once (first load of an empty index: an import of won customers from a
    /// CRM, the benchmark's seed), in the row format <see cref="FindAsync"/> reads.
    /// </summary>
    public static IEnumerable<TableEntity> BuildRows(string vendorId, IEnumerable<IndexEntry> entries) =>
        entries.GroupBy(e => Bucket(e.Key)).Select(g =>
        {
            var list = g.ToList();
            foreach (var key in list.Select(e => e.Key).Distinct().ToList()) Trim(list, key);
            return Write(new TableEntity(TableKeys.Check(vendorId, "vendor id"), g.Key), list);
        });

    private async Task ChangeAsync(string vendorId, IReadOnlyList<string> keys, Action<List<IndexEntry>> change, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        await Task.WhenAll(keys.Select(Bucket).Distinct().Select(bucket => table.UpdateAsync<TableEntity>(partition, bucket, current =>
        {
            var entries = current is null ? [] : Read(current).ToList();
            var before = JsonSerializer.Serialize(entries, Json);
            change(entries);
            if (JsonSerializer.Serialize(entries, Json) == before) return null;
            return Write(new TableEntity(), entries);
        }, cancellationToken: ct)));
    }

    private static void Trim(List<IndexEntry> entries, string key)
    {
        if (key.StartsWith(CustomerKeys.Name + ":", StringComparison.Ordinal) || key.StartsWith(CustomerKeys.Domain + ":", StringComparison.Ordinal)) return;
        var under = entries.Where(e => e.Key == key).OrderByDescending(e => e.At).ToList();
        foreach (var old in under.Skip(MaxFuzzyEntriesPerKey)) entries.Remove(old);
    }

    private static IEnumerable<IndexEntry> Read(TableEntity row)
    {
        var text = new StringBuilder();
        for (var i = 0; i < MaxChunks && row.GetString($"E{i}") is { } chunk; i++) text.Append(chunk);
        return text.Length == 0 ? [] : JsonSerializer.Deserialize<List<IndexEntry>>(text.ToString(), Json) ?? [];
    }

    private static TableEntity Write(TableEntity row, List<IndexEntry> entries)
    {
        var json = JsonSerializer.Serialize(entries, Json);
        var chunks = (json.Length + ChunkChars - 1) / ChunkChars;
        if (chunks > MaxChunks)
            throw new InvalidOperationException($"customer index bucket {row.RowKey} would hold {json.Length:N0} characters; at most {ChunkChars * MaxChunks:N0}");
        for (var i = 0; i < chunks; i++) row[$"E{i}"] = json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - i * ChunkChars));
        return row;
    }
}

/// <summary>Routed leads in the customer index: open while a partner holds them, a won customer once won, gone otherwise.</summary>
public static class LeadCustomers
{
    /// <summary>The lead's company and email domain as customer keys; none when it names neither (a free-mail address, no company).</summary>
    public static IReadOnlyList<string> Keys(Tcma.Domain.Leads.Lead lead)
    {
        var domain = CustomerDomains.OfEmail(lead.Person.Email);
        var name = lead.Person.Company is { } c && CompanyNames.Compact(c).Length > 0 ? c : null;
        if (name is null) return domain is null ? [] : [$"{CustomerKeys.Domain}:{domain}"];
        return CustomerKeys.All(name, domain is null ? [] : [domain]);
    }

    public static async Task SyncAsync(this CustomerIndex index, Tcma.Domain.Leads.Lead lead, CancellationToken ct)
    {
        var keys = Keys(lead);
        if (keys.Count == 0) return;
        var open = !lead.IsErased && lead.PartnerId is not null
            && lead.Status is Tcma.Domain.Leads.LeadStatus.Assigned or Tcma.Domain.Leads.LeadStatus.Accepted or Tcma.Domain.Leads.LeadStatus.Working;
        var source = lead.Source is Tcma.Domain.Leads.LeadSource.LandingPage page ? page.PartnerId : null;
        var domains = CustomerDomains.OfEmail(lead.Person.Email) is { } d ? new[] { d } : [];
        var entry = new IndexEntry("", IndexEntry.Lead, lead.Id, lead.PartnerId ?? "", lead.Person.Company ?? "", domains, lead.CreatedAt, source);
        if (open) await index.AddAsync(lead.VendorId, keys, entry, ct);
        else await index.RemoveAsync(lead.VendorId, keys, IndexEntry.Lead, lead.Id, ct);
        if (!lead.IsErased && lead.Status is Tcma.Domain.Leads.LeadStatus.Won && lead.PartnerId is not null)
            await index.AddAsync(lead.VendorId, keys, entry with { Kind = IndexEntry.Won, At = lead.LastActivityAt }, ct);
    }
}
