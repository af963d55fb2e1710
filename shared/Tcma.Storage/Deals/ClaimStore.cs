using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;

namespace Tcma.Storage.Deals;

/// <summary>A registration holding a customer key, with the products it holds it for.</summary>
public sealed record ClaimHolder(
    [property: JsonPropertyName("i")] string RegistrationId,
    [property: JsonPropertyName("p")] string PartnerId,
    [property: JsonPropertyName("r")] IReadOnlyList<string> Products,
    [property: JsonPropertyName("a")] DateTimeOffset At);

/// <summary>One claim row as read: its key, who holds it, and the ETag a change must be written under (default: no row yet).</summary>
public sealed record ClaimRow(string Key, IReadOnlyList<ClaimHolder> Holders, ETag ETag);

/// <summary>
/// Who holds each exact customer key (the compact name, each domain), one row per key in the vendor's partition. This
/// is where "first registered" is decided, by storage: a registration writes itself into every row of its keys in one
/// entity-group transaction, inserting rows that do not exist yet and replacing the others under the ETag it read.
/// Two registrations of one customer at the same moment both try; the service answers one of them 409 (the row was
/// created first by the other) or 412 (changed since it was read), and that one reads again and finds the other there.
/// </summary>
public sealed class ClaimStore(StorageAccount storage)
{
    public const string TableName = "DealClaims";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<ClaimRow>> ReadAsync(string vendorId, IReadOnlyList<string> keys, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var rows = await Task.WhenAll(keys.Distinct().Select(async key =>
        {
            var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, RowKey(key), cancellationToken: ct);
            return found.HasValue
                ? new ClaimRow(key, JsonSerializer.Deserialize<List<ClaimHolder>>(found.Value!.GetString("Holders") ?? "[]", Json) ?? [], found.Value.ETag)
                : new ClaimRow(key, [], default);
        }));
        return rows;
    }

    /// <summary>
    /// Writes the decided holders of every row at once, each under the ETag it was read with (an empty list deletes the
    /// row). False: another registration changed one of them first; read again and decide again.
    /// </summary>
    public async Task<bool> WriteAsync(string vendorId, IReadOnlyList<(ClaimRow Read, IReadOnlyList<ClaimHolder> Holders)> changes, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var batch = new TableBatch();
        foreach (var (read, holders) in changes)
        {
            var row = new TableEntity(partition, RowKey(read.Key)) { ["Key"] = read.Key.Length <= 1000 ? read.Key : read.Key[..1000], ["Holders"] = JsonSerializer.Serialize(holders, Json) };
            if (holders.Count == 0)
            {
                if (read.ETag != default) batch.Delete(row, read.ETag);
            }
            else if (read.ETag == default) batch.Add(row);
            else batch.UpdateReplace(row, read.ETag);
        }
        if (batch.Count == 0) return true;
        try
        {
            await batch.SubmitAsync(table, ct);
            return true;
        }
        catch (TableTransactionFailedException e) when (e.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>Takes <paramref name="registrationId"/> out of the rows of these keys (a row left empty goes); repeating it is harmless.</summary>
    public async Task ReleaseAsync(string vendorId, IReadOnlyList<string> keys, string registrationId, CancellationToken ct = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var rows = await ReadAsync(vendorId, keys, ct);
            var changes = rows.Where(r => r.Holders.Any(h => h.RegistrationId == registrationId))
                .Select(r => (r, (IReadOnlyList<ClaimHolder>)r.Holders.Where(h => h.RegistrationId != registrationId).ToList())).ToList();
            if (changes.Count == 0 || await WriteAsync(vendorId, changes, ct)) return;
            if (attempt >= OptimisticConcurrency.DefaultMaxAttempts)
                throw new ConcurrencyConflictException($"claims of {registrationId} kept changing under us", new InvalidOperationException());
            await OptimisticConcurrency.BackoffAsync(attempt, ct);
        }
    }

    /// <summary>Keys are customer keys ("n:contoso", "d:contoso.com"); a long or odd one is hashed so it is always a valid row key.</summary>
    public static string RowKey(string key) => TableKeys.Safe(key);
}
