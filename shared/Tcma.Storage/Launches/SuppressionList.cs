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
        var partition = PartitionKey(vendorId, partnerId);
        // Two point reads side by side: the address row (unsubscribe, bounce) and the erased person's row, which has no address.
        var byAddress = table.GetEntityIfExistsAsync<TableEntity>(partition, TableKeys.Safe(Normalise(email)), select: ["Reason"], cancellationToken: ct);
        var byErasure = table.GetEntityIfExistsAsync<TableEntity>(partition, ErasedKey(email), select: ["Reason"], cancellationToken: ct);
        return (await byAddress).HasValue | (await byErasure).HasValue;
    }

    /// <summary>
    /// The row of a person erased under GDPR: keyed by the launch's contact key (the hash campaign sends and engagement
    /// already carry), never by the address, so the list keeps them out without remembering who they are.
    /// </summary>
    public static string ErasedKey(string email) => "erased|" + LaunchWorkflow.ContactKey(email);

    /// <summary>
    /// Suppresses an erased person for one partner: the hashed row goes in first, then any row holding their address
    /// (an earlier unsubscribe or bounce) is deleted, so at no moment are they unsuppressed. True if the hashed row is new.
    /// Idempotent; a crash between the two steps is finished by running it again.
    /// </summary>
    public async Task<bool> SuppressErasedAsync(string vendorId, string partnerId, string email, DateTimeOffset at, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = PartitionKey(vendorId, partnerId);
        var added = true;
        try
        {
            await table.AddEntityAsync(new TableEntity(partition, ErasedKey(email))
            {
                ["VendorId"] = vendorId, ["PartnerId"] = partnerId, ["Reason"] = "Erased", ["Source"] = "erasure", ["At"] = at,
            }, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            added = false;
        }
        try
        {
            await table.DeleteEntityAsync(partition, TableKeys.Safe(Normalise(email)), ETag.All, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
        }
        return added;
    }

    /// <summary>What put the address on the list, and when; null when it is not listed by address.</summary>
    public async Task<(string Source, DateTimeOffset At)?> EntryAsync(string vendorId, string partnerId, string email, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(vendorId, partnerId), TableKeys.Safe(Normalise(email)), select: ["Source", "At"], cancellationToken: ct);
        return row is { HasValue: true } && row.Value!.GetDateTimeOffset("At") is { } at ? (row.Value.GetString("Source") ?? "", at) : null;
    }

    /// <summary>The partner's unsubscribes with what listed them ("launch {id} send {id}") and when.</summary>
    public async Task<IReadOnlyList<(string Source, DateTimeOffset At)>> UnsubscribesAsync(string vendorId, string partnerId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, partnerId);
        var found = new List<(string, DateTimeOffset)>();
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk, select: ["Reason", "Source", "At", "VendorId", "PartnerId"], cancellationToken: ct))
            if (row.GetString("VendorId") == vendorId && row.GetString("PartnerId") == partnerId && row.GetString("Reason") == nameof(SuppressionReason.Unsubscribed)
                && row.GetString("Source") is { } source && row.GetDateTimeOffset("At") is { } at)
                found.Add((source, at));
        return found;
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
