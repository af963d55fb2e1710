using System.Security.Cryptography;
using Azure;
using Azure.Data.Tables;

namespace Tcma.Storage.Leads;

/// <summary>
/// Where a vendor's CRM wants lead changes, and the secret they are signed with (shown to the vendor once). Secret is
/// null when the stored one cannot be decrypted (its key is gone, or the row was copied from another vendor):
/// <see cref="SecretProblem"/> says why, and nothing may be signed until the vendor rotates it.
/// </summary>
public sealed record CrmWebhookConfig(string Url, string? Secret, DateTimeOffset SecretCreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy)
{
    public string? SecretProblem { get; init; }
}

/// <summary>
/// Encrypts the CRM secret at rest, bound to its vendor (the same AES-GCM protection as social tokens, wired in the
/// functions app). Unprotect throws <see cref="CryptographicException"/> for anything it cannot vouch for.
/// </summary>
public interface ICrmSecretProtector
{
    string Protect(string secret, string vendorId);
    string Unprotect(string protectedSecret, string vendorId);
}

/// <summary>One attempt to deliver one event, for the console's list of recent deliveries.</summary>
public sealed record CrmDeliveryAttempt(string EventId, string EventType, string LeadId, int Attempt, DateTimeOffset At, bool Succeeded, int? StatusCode, string? Error, DateTimeOffset? NextAttemptAt);

/// <summary>The delivery of one event: Pending while attempts remain, then Delivered or DeadLettered.</summary>
public sealed record CrmDeliveryState(string EventId, string EventType, string LeadId, string Status, int Attempts, int Generation, string? LastError, DateTimeOffset? LastAttemptAt, string Notification);

public static class CrmDeliveryStatus
{
    public const string Pending = "Pending";
    public const string Delivered = "Delivered";
    public const string DeadLettered = "DeadLettered";
}

/// <summary>
/// Three tables, one partition per vendor: <c>CrmWebhooks</c> (the configuration row), <c>CrmDeliveries</c> (one row per
/// event id: the delivery's state, changed only under its ETag, which makes a duplicate message harmless) and
/// <c>CrmDeliveryLog</c> (one row per attempt, newest first by an inverted-time row key, for the console).
/// </summary>
/// <remarks>
/// The secret is stored encrypted (<c>ProtectedSecret</c>, the vendor id as associated data). Rows written before that
/// carry it in plain <c>Secret</c>: read as they are, and re-encrypted (the plain column emptied) on the next save.
/// </remarks>
public sealed class CrmWebhookStore(StorageAccount storage, ICrmSecretProtector protector)
{
    public const string ConfigTable = "CrmWebhooks";
    public const string DeliveriesTable = "CrmDeliveries";
    public const string LogTable = "CrmDeliveryLog";
    private const string ConfigRow = "config";

    private sealed class ConfigEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string Url { get; set; } = "";
        /// <summary>Legacy: the plain secret of rows written before encryption; emptied on the next save.</summary>
        public string Secret { get; set; } = "";
        public string? ProtectedSecret { get; set; }
        public DateTimeOffset SecretCreatedAt { get; set; }
        public DateTimeOffset UpdatedAt { get; set; }
        public string UpdatedBy { get; set; } = "";
    }

    public sealed class DeliveryEntity : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string EventType { get; set; } = "";
        public string LeadId { get; set; } = "";
        public string Status { get; set; } = CrmDeliveryStatus.Pending;
        public int Attempts { get; set; }
        /// <summary>Raised by a replay, so messages of the earlier round are recognised as stale.</summary>
        public int Generation { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset? LastAttemptAt { get; set; }
        /// <summary>The notification as JSON, so a dead letter can be replayed exactly.</summary>
        public string Notification { get; set; } = "";

        public DeliveryEntity Copy() => (DeliveryEntity)MemberwiseClone();

        public CrmDeliveryState ToState() => new(RowKey, EventType, LeadId, Status, Attempts, Generation, LastError, LastAttemptAt, Notification);
    }

    public async Task<CrmWebhookConfig?> GetConfigAsync(string vendorId, CancellationToken ct)
    {
        var table = await storage.TableAsync(ConfigTable, ct);
        var found = await table.GetEntityIfExistsAsync<ConfigEntity>(TableKeys.Check(vendorId, "vendor id"), ConfigRow, cancellationToken: ct);
        return found.HasValue ? ToConfig(vendorId, found.Value!) : null;
    }

    /// <summary>Sets the URL. A secret is generated the first time and when <paramref name="rotateSecret"/>; NewSecret is then the only time it is returned.</summary>
    public async Task<(CrmWebhookConfig Config, string? NewSecret)> SaveConfigAsync(string vendorId, string url, bool rotateSecret, string by, DateTimeOffset now, CancellationToken ct)
    {
        var table = await storage.TableAsync(ConfigTable, ct);
        string? secret = null;
        var result = await table.UpdateAsync<ConfigEntity>(TableKeys.Check(vendorId, "vendor id"), ConfigRow, current =>
        {
            var fresh = current is null || rotateSecret;
            secret = fresh ? NewSecret() : null;
            // An unreadable secret stays as it is (a key may come back); only a rotation replaces it.
            var kept = fresh ? null : ToConfig(vendorId, current!).Secret;
            return new ConfigEntity
            {
                Url = url, Secret = "",
                ProtectedSecret = secret is not null ? protector.Protect(secret, vendorId) : kept is not null ? protector.Protect(kept, vendorId) : current!.ProtectedSecret,
                SecretCreatedAt = fresh ? now : current!.SecretCreatedAt, UpdatedAt = now, UpdatedBy = by,
            };
        }, cancellationToken: ct);
        return (ToConfig(vendorId, result.Entity!), secret);
    }

    /// <summary>The delivery row of an event, created Pending on first sight.</summary>
    public async Task<DeliveryEntity> GetOrCreateDeliveryAsync(string vendorId, string eventId, string eventType, string leadId, string notification, CancellationToken ct)
    {
        var table = await storage.TableAsync(DeliveriesTable, ct);
        var result = await table.UpdateAsync<DeliveryEntity>(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check(eventId, "event id"), current =>
            current is null ? new DeliveryEntity { EventType = eventType, LeadId = leadId, Notification = notification } : null, cancellationToken: ct);
        return result.Entity!;
    }

    /// <summary>Writes a decided change under the ETag that was read; false when someone else changed the row first.</summary>
    public async Task<bool> TryUpdateDeliveryAsync(DeliveryEntity next, CancellationToken ct)
    {
        var table = await storage.TableAsync(DeliveriesTable, ct);
        try
        {
            var response = await table.UpdateEntityAsync(next, next.ETag, TableUpdateMode.Replace, ct);
            next.ETag = response.Headers.ETag ?? default;
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412)
        {
            return false;
        }
    }

    public async Task<DeliveryEntity?> GetDeliveryAsync(string vendorId, string eventId, CancellationToken ct)
    {
        if (!TableKeys.IsValid(eventId)) return null;
        var table = await storage.TableAsync(DeliveriesTable, ct);
        var found = await table.GetEntityIfExistsAsync<DeliveryEntity>(TableKeys.Check(vendorId, "vendor id"), eventId, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    /// <summary>Every change announced for the vendor, as first written (its event id and notification JSON): each lead change once.</summary>
    public async IAsyncEnumerable<(string EventId, string Notification)> NotificationsAsync(string vendorId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await storage.TableAsync(DeliveriesTable, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition, select: ["RowKey", "Notification"], cancellationToken: ct))
            yield return (row.RowKey, row.GetString("Notification") ?? "");
    }

    public async Task<IReadOnlyList<CrmDeliveryState>> DeadLettersAsync(string vendorId, int take, CancellationToken ct)
    {
        var table = await storage.TableAsync(DeliveriesTable, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var found = new List<CrmDeliveryState>();
        await foreach (var row in table.QueryAsync<DeliveryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and Status eq {CrmDeliveryStatus.DeadLettered}"), cancellationToken: ct))
            found.Add(row.ToState());
        return [.. found.OrderByDescending(d => d.LastAttemptAt).Take(take)];
    }

    /// <summary>
    /// Appends an attempt. The row key is inverted time, then event and attempt: newest first in a partition scan, and
    /// the same attempt logged twice (a redelivered message) lands on the same row instead of a second one.
    /// </summary>
    public async Task LogAsync(string vendorId, CrmDeliveryAttempt attempt, CancellationToken ct)
    {
        var table = await storage.TableAsync(LogTable, ct);
        var entity = new TableEntity(TableKeys.Check(vendorId, "vendor id"), $"{DateTimeOffset.MaxValue.UtcTicks - attempt.At.UtcTicks:D19}|{attempt.EventId}|{attempt.Attempt}")
        {
            ["EventId"] = attempt.EventId, ["EventType"] = attempt.EventType, ["LeadId"] = attempt.LeadId, ["Attempt"] = attempt.Attempt,
            ["At"] = attempt.At, ["Succeeded"] = attempt.Succeeded, ["StatusCode"] = attempt.StatusCode, ["Error"] = attempt.Error,
            ["NextAttemptAt"] = attempt.NextAttemptAt,
        };
        try { await table.AddEntityAsync(entity, ct); }
        catch (RequestFailedException e) when (e.Status == 409) { }
    }

    public async Task<IReadOnlyList<CrmDeliveryAttempt>> RecentAsync(string vendorId, int take, CancellationToken ct)
    {
        var table = await storage.TableAsync(LogTable, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var found = new List<CrmDeliveryAttempt>();
        await foreach (var e in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition}"), maxPerPage: take, cancellationToken: ct))
        {
            found.Add(new CrmDeliveryAttempt(e.GetString("EventId"), e.GetString("EventType"), e.GetString("LeadId"), e.GetInt32("Attempt") ?? 0,
                e.GetDateTimeOffset("At") ?? default, e.GetBoolean("Succeeded") ?? false, e.GetInt32("StatusCode"), e.GetString("Error"), e.GetDateTimeOffset("NextAttemptAt")));
            if (found.Count >= take) break;
        }
        return found;
    }

    /// <summary>"whsec_" and 32 random bytes, URL-safe Base64. The receiver's HMAC key is this whole string in UTF-8.</summary>
    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private CrmWebhookConfig ToConfig(string vendorId, ConfigEntity e)
    {
        if (string.IsNullOrEmpty(e.ProtectedSecret))
            return new(e.Url, e.Secret.Length > 0 ? e.Secret : null, e.SecretCreatedAt, e.UpdatedAt, e.UpdatedBy)
            {
                SecretProblem = e.Secret.Length > 0 ? null : "no secret is stored",
            };
        try
        {
            return new(e.Url, protector.Unprotect(e.ProtectedSecret, vendorId), e.SecretCreatedAt, e.UpdatedAt, e.UpdatedBy);
        }
        catch (CryptographicException problem)
        {
            return new(e.Url, null, e.SecretCreatedAt, e.UpdatedAt, e.UpdatedBy) { SecretProblem = problem.Message };
        }
    }
}
