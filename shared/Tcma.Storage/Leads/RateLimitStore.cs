using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Leads;

namespace Tcma.Storage.Leads;

/// <summary>
/// The counters behind <see cref="CaptureRateLimit"/>: one row per key (partition = key, so a flood from one address
/// never contends with anyone else's row), holding the current window, changed under its ETag. The clock is passed in,
/// so a fake clock moves windows in tests. Keys are hashed into the row, never stored as the raw address.
/// </summary>
public sealed class RateLimitStore(StorageAccount storage)
{
    public const string TableName = "RateLimits";

    private sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public DateTimeOffset Start { get; set; }
        public int Count { get; set; }
    }

    /// <summary>Counts one request for <paramref name="key"/> if the limit allows it; a refused request counts nothing.</summary>
    public async Task<RateCheck> TryAcquireAsync(string key, RateLimit limit, DateTimeOffset now, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        RateCheck? check = null;
        await table.UpdateAsync<Row>(KeyOf(key), "window", current =>
        {
            check = CaptureRateLimit.Check(current is null ? null : new RateWindow(current.Start, current.Count), now, limit);
            return check.Allowed ? new Row { Start = check.Next.Start, Count = check.Next.Count } : null;
        }, cancellationToken: ct);
        return check!;
    }

    /// <summary>A hash, so an IP address (personal data) never becomes a key in storage or in logs.</summary>
    private static string KeyOf(string key) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..40];
}
