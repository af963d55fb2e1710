using Azure;
using Azure.Data.Tables;

namespace Tcma.Storage;

/// <summary>
/// Remembers which operations were done, so a message that arrives twice is handled once: the row is inserted
/// first, and the service's 409 on a second insert is the answer "already done".
/// </summary>
public sealed class IdempotencyStore(StorageAccount storage, TimeProvider clock)
{
    public const string TableName = "Idempotency";

    /// <summary>True the first time (scope, key) is seen; false for every later call.</summary>
    /// <param name="scope">What kind of operation, e.g. "lead-routing"; the partition.</param>
    /// <param name="key">Which one, e.g. the message id; any text (long or odd keys are hashed).</param>
    public async Task<bool> TryBeginAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = new TableEntity(TableKeys.Safe(scope), TableKeys.Safe(key))
        {
            ["Key"] = key.Length <= 1024 ? key : key[..1024],
            ["At"] = clock.GetUtcNow(),
        };
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    /// <summary>Forgets a key, for an operation that failed after it began and must be allowed to run again.</summary>
    public async Task ForgetAsync(string scope, string key, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        await table.DeleteEntityAsync(TableKeys.Safe(scope), TableKeys.Safe(key), ETag.All, cancellationToken);
    }
}
