using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using System.Text.Json;
using Azure.Data.Tables;
using Tcma.Domain.Dashboards;

namespace Tcma.Storage.Dashboards;

/// <summary>
/// One day's counts of a vendor, of one of its kit versions, of one of its partners, or of a group of its partners
/// (<see cref="Group"/>: "tier:Gold" or "region:EMEA", by the partner's tier and region when the event happened).
/// </summary>
public sealed record CounterRow(DateOnly Day, string? KitId, string? Version, string? PartnerId, Counts Counts, string? Group = null)
{
    /// <summary>A month's total (a kit's or a partner's month row) rather than one day's counts.</summary>
    public bool IsMonth { get; init; }

    public static string TierGroup(string tier) => "tier:" + tier.Trim().ToLowerInvariant();
    public static string RegionGroup(string region) => "region:" + region.Trim().ToLowerInvariant();
}

/// <summary>
/// The dashboards' counters: one partition per vendor and month (the vendor's local month), so a quarter is three
/// partitions and an event's counting is one entity-group transaction: a marker row named by the event (its insert fails
/// if the event was counted before, which is what makes a redelivery count once) and the day's rows it adds to:
/// the vendor's total (spread over a few shard rows, so a burst of sends does not queue on one ETag), its kit version's
/// and its partner's. Counter rows are replaced under their ETag; the ETags of rows this process wrote are kept, so an
/// event costs one table operation when nobody else wrote the rows meanwhile, and a re-read when someone did.
/// Row keys group what a page reads together: "t|day|shard", "k|day|kit|version", "p|partner|day", "e|event", and
/// "a|day|group" for the partner's tier and region that day (so a tier's or a region's weeks are read without a row per
/// partner; "a|", "b|" and "c|" sort together, so one query reads a month's totals).
/// </summary>
public sealed class DashboardCounterStore(StorageAccount storage)
{
    public const string TableName = "DashboardCounters";
    public const int TotalShards = 8;
    public const int PartnerBuckets = 64;
    private const int ChunkChars = 30_000;
    private const int MaxAttempts = 12;
    private const int MaxCachedRows = 100_000;
    /// <summary>Past months kept at once (each is one vendor's month, a few MB at 10,000 partners), so many vendors cannot grow the cache without end.</summary>
    private const int MaxCachedMonths = 64;

    private readonly ConcurrentDictionary<(string, string), TableEntity> written = new();
    private readonly ConcurrentDictionary<string, SemaphoreSlim> partitions = new();

    public static string PartitionKey(string vendorId, DateOnly day) => TableKeys.Safe($"{vendorId}|{day:yyyy-MM}", 300);

    private static string Key(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Counts the event on its local day, for the vendor, its kit version, its partner and the partner's
    /// <paramref name="groups"/> (its tier and region); false when it had been counted before (nothing changes).
    /// </summary>
    public async Task<bool> CountAsync(Activity activity, DateOnly day, CancellationToken ct = default, IReadOnlyList<string>? groups = null)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(activity.VendorId, day);
        var shard = (int)((uint)StableHash(activity.Key) % TotalShards);
        Counts Added(TableEntity? current) => Read(current).Plus(activity);
        var rows = new List<(string RowKey, Func<TableEntity?, TableEntity> Next)>
        {
            ($"t|{Key(day)}|{shard:D2}", c => Counter(pk, $"t|{Key(day)}|{shard:D2}", day, Added(c))),
            ($"p|{TableKeys.Safe(activity.PartnerId, 150)}|{Key(day)}", c => Counter(pk, $"p|{TableKeys.Safe(activity.PartnerId, 150)}|{Key(day)}", day, Added(c), partnerId: activity.PartnerId)),
            (PartnerMonthKey(activity.PartnerId), c => PartnerMonth(pk, PartnerMonthKey(activity.PartnerId), c, activity, day)),
        };
        foreach (var group in (groups ?? []).Distinct(StringComparer.Ordinal))
        {
            var key = $"a|{Key(day)}|{TableKeys.Safe(group, 150)}";
            rows.Add((key, c => Counter(pk, key, day, Added(c), group: group)));
        }
        if (activity.KitId is { } kit)
        {
            var version = activity.Version ?? "";
            rows.Add(($"k|{Key(day)}|{KitKey(kit, version)}", c => Counter(pk, $"k|{Key(day)}|{KitKey(kit, version)}", day, Added(c), kit, version)));
            rows.Add(($"c|{KitKey(kit, version)}", c => Counter(pk, $"c|{KitKey(kit, version)}", new DateOnly(day.Year, day.Month, 1), Added(c), kit, version)));
        }

        var gate = partitions.GetOrAdd(pk, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var batch = new TableBatch();
                batch.Add(new TableEntity(pk, "e|" + TableKeys.Safe(activity.Key, 300)) { ["At"] = activity.At });
                var next = new List<TableEntity>();
                foreach (var (rowKey, build) in rows)
                {
                    var current = written.TryGetValue((pk, rowKey), out var cached) ? cached
                        : (await table.GetEntityIfExistsAsync<TableEntity>(pk, rowKey, cancellationToken: ct)) is { HasValue: true } found ? found.Value! : null;
                    var entity = build(current);
                    next.Add(entity);
                    if (current is null) batch.Add(entity);
                    else batch.UpdateReplace(entity, current.ETag);
                }
                try
                {
                    var responses = await batch.SubmitAsync(table, ct);
                    Forget(pk);
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
                catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412 && attempt < MaxAttempts)
                {
                    // Another instance wrote a counter row, or a rebuild replaced or removed it: read it again.
                    foreach (var (rowKey, _) in rows) written.TryRemove((pk, rowKey), out _);
                }
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// How long the rows of a month before <c>today</c>'s are reused by this process. Such a month changes only by a late
    /// event (a redelivery, a lead announced late) or a rebuild; either made by this process drops the month at once, one
    /// made by another instance shows within this time. This is what keeps a quarter's page to this month's reads (on
    /// Azurite every range query is a scan of the whole table, so each one saved counts).
    /// </summary>
    public TimeSpan ClosedMonthCacheTime { get; set; } = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<(string Pk, bool Whole), (long Until, IReadOnlyList<CounterRow> Rows)> closedMonths = new();
    private readonly ConcurrentDictionary<string, long> changes = new();

    /// <summary>
    /// Every counter row of the vendor's days from <paramref name="from"/> to <paramref name="to"/>: two or three range
    /// queries a month. With <paramref name="rollupsThrough"/> (today), a month the range covers whole (up to today for
    /// this month) gives its kit and partner totals from the month rows instead of the day rows: kit rows then carry the
    /// month's first day, partner rows their last active day; the vendor's day rows stay, for the weekly charts. With
    /// <paramref name="today"/> (or <paramref name="rollupsThrough"/>), months before today's come from
    /// <see cref="ClosedMonthCacheTime"/>'s cache when they can.
    /// </summary>
    public async Task<IReadOnlyList<CounterRow>> ReadAsync(string vendorId, DateOnly from, DateOnly to, DateOnly? rollupsThrough = null, CancellationToken ct = default, DateOnly? today = null)
    {
        var table = await storage.TableAsync(TableName, ct);
        var thisMonth = (today ?? rollupsThrough) is { } t ? new DateOnly(t.Year, t.Month, 1) : DateOnly.MinValue; // no today: nothing is past
        var months = Months(from, to).Select(async m =>
        {
            var pk = PartitionKey(vendorId, m);
            var end = m.AddMonths(1).AddDays(-1);
            var whole = rollupsThrough is { } through && from <= m && to >= (end < through ? end : through);
            var closed = m < thisMonth;
            if (closed && closedMonths.TryGetValue((pk, whole), out var hit) && hit.Until > Environment.TickCount64) return hit.Rows;
            // A closed month is read whole (the cut is made below), so the cached rows serve any range within it; rows read
            // while this process counted into the month are not kept (they may predate the count).
            var seen = changes.GetValueOrDefault(pk);
            var (first, last) = closed ? ("", "~") : (Key(from), Key(to) + "~");
            var queries = whole
                ? new[] { Rows(Range(table, pk, "t|" + first, "t|" + last, ct)), MonthRows(Range(table, pk, "a|", "c|~", ct)) }
                : new[] { Rows(Range(table, pk, "t|" + first, "t|" + last, ct)), Rows(Range(table, pk, "k|" + first, "k|" + last, ct)), Rows(Range(table, pk, "p|", "p|~", ct)) };
            var rows = (await Task.WhenAll(queries)).SelectMany(r => r).ToList();
            if (closed && changes.GetValueOrDefault(pk) == seen)
            {
                if (closedMonths.Count >= MaxCachedMonths)
                    foreach (var old in closedMonths.Where(e => e.Value.Until <= Environment.TickCount64).Select(e => e.Key).ToList()) closedMonths.TryRemove(old, out _);
                if (closedMonths.Count >= MaxCachedMonths) closedMonths.Clear();
                closedMonths[(pk, whole)] = (Environment.TickCount64 + (long)ClosedMonthCacheTime.TotalMilliseconds, rows);
            }
            return rows;
        });
        return (await Task.WhenAll(months)).SelectMany(r => r).Where(r => r.Day >= from && r.Day <= to).ToList();

        static async Task<IEnumerable<CounterRow>> Rows(Task<List<TableEntity>> query) => (await query).Select(Row);
        // "a|" (tiers and regions by day), "b|" (partners' months, packed) and "c|" (kits' months) sort next to each other.
        static async Task<IEnumerable<CounterRow>> MonthRows(Task<List<TableEntity>> query) => (await query).SelectMany(e => e.RowKey.StartsWith("b|", StringComparison.Ordinal)
            ? Unpack(e).Select(p => new CounterRow(p.Value.LastDay, null, null, p.Key, p.Value.Counts) { IsMonth = true })
            : [e.RowKey.StartsWith("c|", StringComparison.Ordinal) ? Row(e) with { IsMonth = true } : Row(e)]);
    }

    private void Forget(string pk)
    {
        changes.AddOrUpdate(pk, 1, (_, n) => n + 1);
        closedMonths.TryRemove((pk, true), out _);
        closedMonths.TryRemove((pk, false), out _);
    }

    /// <summary>
    /// Empties a month of the vendor's counters (markers included) for a rebuild. Rows are deleted under the ETags they
    /// were listed with, so a row an event changed meanwhile is not deleted blind: the month is listed again, until it is
    /// empty. An event counted after that is kept, and its marker stops the rebuild counting it again.
    /// </summary>
    public async Task<int> ClearMonthAsync(string vendorId, DateOnly month, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, month);
        var deleted = 0;
        for (var round = 1; ; round++)
        {
            var rows = await Range(table, pk, "", "~", ct, select: ["PartitionKey", "RowKey"]);
            if (rows.Count == 0) break;
            if (round > MaxAttempts) throw new InvalidOperationException($"The counters of {vendorId} for {month:yyyy-MM} kept changing; the rebuild gave up clearing them");
            foreach (var chunk in rows.Chunk(TableBatch.MaxEntities))
            {
                var batch = new TableBatch();
                foreach (var row in chunk) batch.Delete(row, row.ETag);
                try
                {
                    await batch.SubmitAsync(table, ct);
                    deleted += chunk.Length;
                }
                catch (TableTransactionFailedException e) when (e.Status is 404 or 412)
                {
                }
            }
        }
        foreach (var key in written.Keys.Where(k => k.Item1 == pk).ToList()) written.TryRemove(key, out _);
        Forget(pk);
        return deleted;
    }

    /// <summary>One partner's rows of those days: one range query a month.</summary>
    public async Task<IReadOnlyList<CounterRow>> ReadPartnerAsync(string vendorId, string partnerId, DateOnly from, DateOnly to, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var prefix = $"p|{TableKeys.Safe(partnerId, 150)}|";
        var queries = Months(from, to).Select(m => Range(table, PartitionKey(vendorId, m), prefix + Key(from), prefix + Key(to) + "~", ct));
        return (await Task.WhenAll(queries)).SelectMany(r => r).Select(Row).ToList();
    }

    private static string KitKey(string kit, string version) => $"{TableKeys.Safe(kit, 120)}|{TableKeys.Safe(version, 60)}";

    private static string PartnerMonthKey(string partnerId) => $"b|{(uint)StableHash(partnerId) % PartnerBuckets:D2}";

    private static TableEntity Counter(string pk, string rowKey, DateOnly day, Counts counts, string? kitId = null, string? version = null, string? partnerId = null, string? group = null)
    {
        var e = new TableEntity(pk, rowKey) { ["Day"] = Key(day) };
        if (group is not null) e["Group"] = group;
        if (kitId is not null) { e["KitId"] = kitId; e["Version"] = version ?? ""; }
        if (partnerId is not null) e["PartnerId"] = partnerId;
        Write(e, counts);
        return e;
    }

    /// <summary>
    /// A bucket of partners' month totals and last active day, packed into one row (JSON: partner, then one number per
    /// kind in <c>Layout</c>'s order, the won cents and the last day's number), so the home page reads a month of 10,000
    /// partners as 64 rows. Written in the event's transaction like the day rows, so it never disagrees with them.
    /// </summary>
    private static TableEntity PartnerMonth(string pk, string rowKey, TableEntity? current, Activity activity, DateOnly day)
    {
        var month = Unpack(current);
        var counts = month.TryGetValue(activity.PartnerId, out var m) ? m.Counts : Counts.Zero;
        var last = m.LastDay > day ? m.LastDay : day;
        month[activity.PartnerId] = (counts.Plus(activity), last);
        return Pack(pk, rowKey, new DateOnly(day.Year, day.Month, 1), month);
    }

    private static readonly ActivityKind[] Kinds = Enum.GetValues<ActivityKind>();

    internal static Dictionary<string, (Counts Counts, DateOnly LastDay)> Unpack(TableEntity? e)
    {
        var result = new Dictionary<string, (Counts, DateOnly)>(StringComparer.Ordinal);
        if (e is null) return result;
        // Read by the layout the row was written with, so a kind added later reads old rows as zero, not shifted.
        var layout = (e.GetString("Layout") ?? "").Split(',').Select(n => Enum.TryParse<ActivityKind>(n, out var k) ? k : (ActivityKind?)null).ToArray();
        var json = string.Concat(Enumerable.Range(0, (int)(e.GetInt32("Chunks") ?? 0)).Select(i => e.GetString($"D{i}")));
        if (json.Length == 0) return result;
        foreach (var (partner, values) in JsonSerializer.Deserialize<Dictionary<string, long[]>>(json) ?? [])
        {
            if (values.Length != layout.Length + 2) continue;
            var byKind = new Dictionary<ActivityKind, long>();
            for (var i = 0; i < layout.Length; i++) if (layout[i] is { } k && values[i] > 0) byKind[k] = values[i];
            result[partner] = (new Counts(byKind, values[^2] / 100m), DateOnly.FromDayNumber((int)values[^1]));
        }
        return result;
    }

    private static TableEntity Pack(string pk, string rowKey, DateOnly month, Dictionary<string, (Counts Counts, DateOnly LastDay)> partners)
    {
        var json = JsonSerializer.Serialize(partners.ToDictionary(p => p.Key, p =>
            Kinds.Select(k => p.Value.Counts[k]).Append((long)Math.Round(p.Value.Counts.Won * 100m, MidpointRounding.AwayFromZero)).Append(p.Value.LastDay.DayNumber).ToArray()));
        var e = new TableEntity(pk, rowKey) { ["Day"] = Key(month), ["Layout"] = string.Join(",", Kinds) };
        // A string property holds at most 32K characters; an entity 1 MB, which at ~80 characters a partner is
        // about 12,000 partners a bucket, 750,000 a vendor.
        var chunks = (json.Length + ChunkChars - 1) / ChunkChars;
        for (var i = 0; i < chunks; i++) e[$"D{i}"] = json.Substring(i * ChunkChars, Math.Min(ChunkChars, json.Length - i * ChunkChars));
        e["Chunks"] = chunks;
        return e;
    }

    private static IEnumerable<DateOnly> Months(DateOnly from, DateOnly to)
    {
        for (var m = new DateOnly(from.Year, from.Month, 1); m <= to; m = m.AddMonths(1)) yield return m;
    }

    private static CounterRow Row(TableEntity e) => new(DateOnly.ParseExact(e.GetString("Day"), "yyyy-MM-dd", CultureInfo.InvariantCulture),
        e.GetString("KitId"), e.GetString("Version"), e.GetString("PartnerId"), Read(e), e.GetString("Group"));

    private static async Task<List<TableEntity>> Range(TableClient table, string pk, string fromKey, string toKey, CancellationToken ct, IEnumerable<string>? select = null)
    {
        var result = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {fromKey} and RowKey lt {toKey}");
        await foreach (var e in table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: ct)) result.Add(e);
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
