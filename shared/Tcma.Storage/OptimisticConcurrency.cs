using Azure;
using Azure.Data.Tables;

namespace Tcma.Storage;

public sealed class ConcurrencyConflictException(string message, Exception inner) : InvalidOperationException(message, inner);

/// <summary>The row as written (or as found, when the decision was to leave it), and how many reads it took.</summary>
public sealed record ConcurrentUpdate<T>(T? Entity, int Attempts, bool Written);

/// <summary>
/// Read, decide, write with the ETag that was read: the way every shared row changes. On 412 (someone wrote in
/// between) or 409 (someone created the row first) the row is read again and the decision made again on
/// what is really there, so no update is lost and none is applied on stale data. Never a blind upsert.
/// </summary>
public static class OptimisticConcurrency
{
    public const int DefaultMaxAttempts = 10;

    /// <param name="decide">Given the current row (null if absent), the row to write, or null to leave it as it is.
    /// Called again after every conflict, so it must not have side effects beyond building the row.</param>
    public static async Task<ConcurrentUpdate<T>> UpdateAsync<T>(
        this TableClient table, string partitionKey, string rowKey, Func<T?, T?> decide,
        int maxAttempts = DefaultMaxAttempts, CancellationToken cancellationToken = default)
        where T : class, ITableEntity, new()
    {
        for (var attempt = 1; ; attempt++)
        {
            var found = await table.GetEntityIfExistsAsync<T>(partitionKey, rowKey, cancellationToken: cancellationToken);
            var current = found.HasValue ? found.Value : null;
            var etag = current?.ETag ?? default;
            var next = decide(current);
            if (next is null) return new(current, attempt, false);
            next.PartitionKey = partitionKey;
            next.RowKey = rowKey;
            try
            {
                var response = current is null
                    ? await table.AddEntityAsync(next, cancellationToken)
                    : await table.UpdateEntityAsync(next, etag, TableUpdateMode.Replace, cancellationToken);
                next.ETag = response.Headers.ETag ?? default;
                return new(next, attempt, true);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                if (attempt >= maxAttempts)
                    throw new ConcurrencyConflictException($"row {partitionKey}/{rowKey} kept changing under us: gave up after {attempt} attempts", e);
                await BackoffAsync(attempt, cancellationToken);
            }
        }
    }

    /// <summary>
    /// One conditional write of a row the caller has read: an insert when <paramref name="etag"/> is default (the row
    /// must not exist yet), else a replace under that ETag. Null when someone else wrote first (409 or 412): the
    /// caller reads again and decides what that means for it.
    /// </summary>
    public static async Task<ETag?> TryWriteAsync(this TableClient table, ITableEntity entity, ETag etag, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = etag == default
                ? await table.AddEntityAsync(entity, cancellationToken)
                : await table.UpdateEntityAsync(entity, etag, TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag;
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>
    /// A settings row a person replaces as a whole: over any version without <paramref name="ifMatch"/> (the last save
    /// wins, as a person saving a form expects), else only over that version. Null when that version is no longer the
    /// row's (or the row is gone): the caller asks the person to read it again.
    /// </summary>
    public static async Task<ETag?> ReplaceIfMatchAsync(this TableClient table, ITableEntity entity, string? ifMatch, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = ifMatch is null
                ? await table.UpsertEntityAsync(entity, TableUpdateMode.Replace, cancellationToken)
                : await table.UpdateEntityAsync(entity, new ETag(ifMatch), TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag ?? default;
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
            return null;
        }
    }

    /// <summary>
    /// A short randomised pause so competing writers stop colliding. Real time on purpose: this is about
    /// contention on the wire, not a business deadline, and a fake clock must not freeze it.
    /// </summary>
    public static Task BackoffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(Random.Shared.Next(1, 5 << Math.Min(attempt, 6)), cancellationToken);
}
