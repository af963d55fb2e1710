using Azure;
using Azure.Data.Tables;
using Tcma.Storage;

namespace Tcma.Email.Outbox;

public enum OutboxEmailState
{
    /// <summary>An attempt holds the lease; one that outlives it ended without an outcome and is taken over.</summary>
    Sending,
    /// <summary>SMTP failed; the next attempt is due at LeaseUntil.</summary>
    Retrying,
    Sent,
    /// <summary>Refused for good or retried too long; the message went to <c>email-outbox-poison</c>.</summary>
    Failed,
}

/// <summary>What happened to one outbox email. No recipient address: this table is not a mailing list.</summary>
public sealed record OutboxEmailRecord(string Key, OutboxEmailState State, int Attempts, DateTimeOffset UpdatedAt)
{
    public DateTimeOffset? LeaseUntil { get; init; }
    public DateTimeOffset? FirstFailureAt { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string? LastError { get; init; }
    public string? MessageId { get; init; }
}

/// <summary>
/// One row per outbox key (its own partition: keys are unrelated, so no hot partition), changed only by conditional
/// writes, so two deliveries of one email never both reach SMTP.
/// </summary>
public sealed class OutboxEmailLog(StorageAccount storage)
{
    public const string TableName = "OutboxEmails";
    private const string RowKey = "email";

    public sealed record Stored(OutboxEmailRecord Record, ETag ETag);

    public static string PartitionKey(string key) => TableKeys.Safe(key);

    public async Task<Stored?> GetAsync(string key, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(key), RowKey, cancellationToken: ct);
        if (!found.HasValue) return null;
        var e = found.Value!;
        // A hashed partition key could in theory be shared by two keys: the row must really be this key's.
        if (e.GetString("Key") != key) throw new InvalidOperationException($"outbox key '{TableKeys.Safe(key)}' collides with another key");
        return new Stored(new OutboxEmailRecord(key, Enum.Parse<OutboxEmailState>(e.GetString("State") ?? nameof(OutboxEmailState.Sending)),
            e.GetInt32("Attempts") ?? 0, e.GetDateTimeOffset("UpdatedAt") ?? default)
        {
            LeaseUntil = e.GetDateTimeOffset("LeaseUntil"),
            FirstFailureAt = e.GetDateTimeOffset("FirstFailureAt"),
            SentAt = e.GetDateTimeOffset("SentAt"),
            LastError = e.GetString("LastError"),
            MessageId = e.GetString("MessageId"),
        }, e.ETag);
    }

    /// <summary>Writes the record if the row is still as read (default ETag: the row must not exist yet). Null: someone else wrote first.</summary>
    public async Task<ETag?> TryWriteAsync(OutboxEmailRecord r, ETag etag, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var entity = new TableEntity(PartitionKey(r.Key), RowKey)
        {
            ["Key"] = r.Key,
            ["State"] = r.State.ToString(),
            ["Attempts"] = r.Attempts,
            ["UpdatedAt"] = r.UpdatedAt,
            ["LeaseUntil"] = r.LeaseUntil,
            ["FirstFailureAt"] = r.FirstFailureAt,
            ["SentAt"] = r.SentAt,
            ["LastError"] = r.LastError is { Length: > 1000 } error ? error[..1000] : r.LastError,
            ["MessageId"] = r.MessageId,
        };
        TableBatch.CheckEntity(entity);
        return await table.TryWriteAsync(entity, etag, ct);
    }
}
