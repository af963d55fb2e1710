using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Launches;

namespace Tcma.Storage.Launches;

/// <summary>
/// Each partner's suppression list: addresses that unsubscribed or hard-bounced, never mailed again by any later send
/// of that partner. One partition per partner, one row per address; the first reason recorded stays.
/// </summary>
public sealed class SuppressionList(StorageAccount storage)
{
    public const string TableName = "Suppressions";

    /// <summary>Case does not matter to any real mailbox provider; erring towards "suppressed" is the safe side.</summary>
    public static string Normalise(string email) => email.Trim().ToLowerInvariant();

    private static string PartitionKey(string vendorId, string partnerId) => TableKeys.Safe($"{vendorId}|{partnerId}", 400);

    public async Task<bool> IsSuppressedAsync(string vendorId, string partnerId, string email, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(vendorId, partnerId), TableKeys.Safe(Normalise(email)), select: ["Reason"], cancellationToken: ct);
        return found.HasValue;
    }

    /// <summary>Adds the address; true if it was not on the list yet. Idempotent: an unsubscribe clicked twice is one row.</summary>
    public async Task<bool> SuppressAsync(string vendorId, string partnerId, string email, SuppressionReason reason, string source, DateTimeOffset at, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = new TableEntity(PartitionKey(vendorId, partnerId), TableKeys.Safe(Normalise(email)))
        {
            ["VendorId"] = vendorId,
            ["PartnerId"] = partnerId,
            ["Email"] = Normalise(email),
            ["Reason"] = reason.ToString(),
            ["Source"] = source.Length > 500 ? source[..500] : source,
            ["At"] = at,
        };
        try
        {
            await table.AddEntityAsync(row, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }
}
