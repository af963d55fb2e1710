using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Dashboards;

namespace Tcma.Storage.Dashboards;

/// <summary>One day's counts of a vendor, of one of its kit versions, or of one of its partners.</summary>
public sealed record CounterRow(DateOnly Day, string? KitId, string? Version, string? PartnerId, Counts Counts);

/// <summary>
/// The dashboards' counters: one partition per vendor and month (the vendor's local month), so a quarter is three
/// partitions and an event's counting is one entity-group transaction: a marker row named by the event (its insert fails
/// if the event was counted before, which is what makes a redelivery count once) and the day's rows it adds to:
/// the vendor's total (spread over a few shard rows, so a burst of sends does not queue on one ETag), its kit version's
/// and its partner's. Counter rows are replaced under their ETag; the ETags of rows this process wrote are kept, so an
/// event costs one table operation when nobody else wrote the rows meanwhile, and a re-read when someone did.
/// Row keys group what a page reads together: "t|day|shard", "k|day|kit|version", "p|partner|day", "e|event".
/// </summary>
public sealed class DashboardCounterStore(StorageAccount storage)
{
    public const string TableName = "DashboardCounters";
    public const int TotalShards = 8;
    private const int MaxAttempts = 12;
    private const int MaxCachedRows = 100_000;

    private readonly ConcurrentDictionary<(string, string), TableEntity> written = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> partitions = new();

    public static string PartitionKey(string vendorId, DateOnly day) => TableKeys.Safe($"{vendorId}|{day:yyyy-MM}", 300);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Counts the event on its local day; false when it had been counted before (nothing changes).</summary>
    public async Task<bool> CountAsync(Activity activity, DateOnly day, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(activity.VendorId, day);
        var shard = (int)((uint)StableHash(activity.Key) % TotalShards);
        var rows = new List<(string RowKey, Action<TableEntity> Describe)>
        {
            ($"t|{Day(day)}|{shard:D2}", _ => { }),
            ($"p|{TableKeys.Safe(activity.PartnerId, 150)}|{Day(day)}", e => e["PartnerId"] = activity.PartnerId),
        };
        if (activity.KitId is { } kit)
            rows.Add(($"k|{Day(day)}|{TableKeys.Safe(kit, 120)}|{TableKeys.Safe(activity.Version ?? "", 60)}", e => { e["KitId"] = kit; e["Version"] = activity.Version ?? ""; }));

        var gate = partitions.GetOrAdd(pk, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var batch = new TableBatch();
                batch.Add(new TableEntity(pk, "e|" + TableKeys.Safe(activity.Key, 300)) { ["At"] = activity.At });
                var next = new List<TableEntity>();
                foreach (var (rowKey, describe) in rows)
                {
                    var current = written.TryGetValue((pk, rowKey), out var cached) ? cached
                        : (await table.GetEntityIfExistsAsync<TableEntity>(pk, rowKey, cancellationToken: ct)) is { HasValue: true } found ? found.Value! : null;
                    var entity = new TableEntity(pk, rowKey) { ["Day"] = Day(day) };
                    describe(entity);
                    Write(entity, Read(current).Plus(activity));
                    next.Add(entity);
                    if (current is null) batch.Add(entity);
                    else batch.UpdateReplace(entity, current.ETag);
                }
                try
                {
                    var responses = await batch.SubmitAsync(table, ct);
                    if (written.Count > MaxCachedRows) written.Clear();
                    for (var i = 0; i < next.Count; i++)
                    {
                        next[i].ETag = responses.Value[i + 1].Headers.ETag ?? default;
                        written[(pk, next[i].RowKey)] = next[i];
                    }
                    return true;
                }
                catch (TableTransactionFailedException e) when (e.FailedTransactionActionIndex == 0 && e.Status == 409)
                {
                    return false;
                }
                catch (TableTransactionFailedException e) when (e.Status is 409 or 412 && attempt < MaxAttempts)
                {
                    // Another instance (or a rebuild) wrote a counter row: read it again.
                    foreach (var (rowKey, _) in rows) written.TryRemove((pk, rowKey), out _);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Every counter row of the vendor's days from <paramref name="from"/> to <paramref name="to"/>: three range queries a month.</summary>
    public async Task<IReadOnlyList<CounterRow>> ReadAsync(string vendorId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var months = new List<DateOnly>();
        for (var m = new DateOnly(from.Year, from.Month, 1); m <= to; m = m.AddMonths(1)) months.Add(m);
        var queries = months.SelectMany(m =>
        {
            var pk = PartitionKey(vendorId, m);
            return new[]
            {
                Range(table, pk, $"t|{Day(from)}", $"t|{Day(to)}~", ct),
                Range(table, pk, $"k|{Day(from)}", $"k|{Day(to)}~", ct),
                Range(table, pk, "p|", "p|~", ct),
            };
        });
        var rows = (await Task.WhenAll(queries)).SelectMany(r => r);
        return rows.Select(e => new CounterRow(DateOnly.ParseExact(e.GetString("Day"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
                e.GetString("KitId"), e.GetString("Version"), e.GetString("PartnerId"), Read(e)))
            .Where(r => r.Day >= from && r.Day <= to)
            .ToList();
    }

    private static async Task<List<TableEntity>> Range(TableClient table, string pk, string fromKey, string toKey, CancellationToken ct)
    {
        var result = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {fromKey} and RowKey lt {toKey}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, cancellationToken: ct)) result.Add(e);
        return result;
    }

    private static Counts Read(TableEntity? e)
    {
        if (e is null) return Counts.Zero;
        var byKind = new Dictionary<ActivityKind, long>();
        foreach (var kind in Enum.GetValues<ActivityKind>())
            if (e.GetInt64(kind.ToString()) is { } n and > 0) byKind[kind] = n;
        return new Counts(byKind, (e.GetInt64("WonCents") ?? 0) / 100m);
    }

    private static void Write(TableEntity e, Counts c)
    {
        foreach (var kind in Enum.GetValues<ActivityKind>()) e[kind.ToString()] = c[kind];
        e["WonCents"] = (long)Math.Round(c.Won * 100m, MidpointRounding.AwayFromZero);
    }

    /// <summary>A hash that is the same in every process (string.GetHashCode is not), so an event always picks the same shard.</summary>
    private static int StableHash(string s)
    {
        unchecked
        {
            var h = (int)2166136261;
            foreach (var c in s) h = (h ^ c) * 16777619;
            return h;
        }
    }
}
