using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Tcma.Storage;

/// <summary>The Azure entity-group transaction rule a batch broke.</summary>
public enum TableBatchRule
{
    OnePartition,
    AtMost100Entities,
    PayloadUnder4MiB,
    EntityUnder1MiB,
    OneActionPerEntity,
    KeyFormat,
    PropertyCount,
    PropertyName,
    PropertyValueSize,
    PropertyType,
}

public sealed class TableBatchRuleException(TableBatchRule rule, string message) : InvalidOperationException(message)
{
    public TableBatchRule Rule { get; } = rule;
}

/// <summary>
/// Builds one entity-group transaction and refuses, before anything reaches the service, what Azure refuses
/// (Azurite accepts a batch across partitions and oversize payloads, so tests would otherwise pass on a lie):
/// one PartitionKey, at most 100 entities, each entity once, under 4 MiB of request payload, each entity
/// under 1 MiB with at most 252 own properties of at most 64 KiB each.
/// </summary>
public sealed class TableBatch
{
    public const int MaxEntities = 100;
    public const long MaxPayloadBytes = 4L * 1024 * 1024;
    public const long MaxEntityBytes = 1024 * 1024;
    public const int MaxProperties = 252;
    public const int MaxPropertyBytes = 64 * 1024;
    /// <summary>Multipart headers and the changeset envelope each operation adds to the request.</summary>
    private const int OperationOverheadBytes = 600;

    private readonly List<TableTransactionAction> actions = [];
    private readonly HashSet<string> rowKeys = new(StringComparer.Ordinal);
    private long payloadBytes = 1024;

    public string? PartitionKey { get; private set; }
    public int Count => actions.Count;
    public long EstimatedPayloadBytes => payloadBytes;
    public IReadOnlyList<TableTransactionAction> Actions => actions;

    public TableBatch Add(ITableEntity entity) => Add(TableTransactionActionType.Add, entity);
    public TableBatch UpdateReplace(ITableEntity entity, ETag ifMatch) => Add(TableTransactionActionType.UpdateReplace, entity, ifMatch);
    public TableBatch UpsertReplace(ITableEntity entity) => Add(TableTransactionActionType.UpsertReplace, entity);
    public TableBatch Delete(ITableEntity entity, ETag ifMatch) => Add(TableTransactionActionType.Delete, entity, ifMatch);

    public TableBatch Add(TableTransactionActionType type, ITableEntity entity, ETag ifMatch = default)
    {
        foreach (var (key, what) in new[] { (entity.PartitionKey, "PartitionKey"), (entity.RowKey, "RowKey") })
            if (key is null || !TableKeys.IsValid(key))
                throw Broken(TableBatchRule.KeyFormat, $"{what} '{TableKeys.Shorten(key ?? "")}' is missing or invalid: at most {TableKeys.MaxKeyChars} characters, no '/', '\\', '#', '?' or control characters");
        PartitionKey ??= entity.PartitionKey;
        if (entity.PartitionKey != PartitionKey)
            throw Broken(TableBatchRule.OnePartition, $"a batch writes one partition: '{TableKeys.Shorten(PartitionKey)}' then '{TableKeys.Shorten(entity.PartitionKey)}'");
        if (actions.Count == MaxEntities)
            throw Broken(TableBatchRule.AtMost100Entities, $"a batch holds at most {MaxEntities} entities");
        if (!rowKeys.Add(entity.RowKey))
            throw Broken(TableBatchRule.OneActionPerEntity, $"row '{TableKeys.Shorten(entity.RowKey)}' appears twice in one batch");
        var bytes = type == TableTransactionActionType.Delete ? 0 : CheckEntity(entity);
        var payload = OperationOverheadBytes + Encoding.UTF8.GetByteCount(entity.PartitionKey) + Encoding.UTF8.GetByteCount(entity.RowKey) + bytes;
        if (payloadBytes + payload >= MaxPayloadBytes)
            throw Broken(TableBatchRule.PayloadUnder4MiB, $"the batch payload would reach {payloadBytes + payload:N0} bytes; Azure takes less than {MaxPayloadBytes:N0}");
        payloadBytes += payload;
        actions.Add(new TableTransactionAction(type, entity, ifMatch));
        return this;
    }

    public async Task<Response<IReadOnlyList<Response>>> SubmitAsync(TableClient table, CancellationToken cancellationToken = default)
    {
        if (actions.Count == 0) throw new InvalidOperationException("an empty batch");
        return await table.SubmitTransactionAsync(actions, cancellationToken);
    }

    /// <summary>Checks one entity against the service's size rules; returns its estimated JSON payload in bytes.</summary>
    public static long CheckEntity(ITableEntity entity)
    {
        var properties = entity is TableEntity te
            ? te.Where(p => p.Key is not ("PartitionKey" or "RowKey" or "Timestamp" or "odata.etag")).Select(p => (p.Key, (object?)p.Value))
            : entity.GetType().GetProperties()
                .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && p.Name is not ("PartitionKey" or "RowKey" or "Timestamp" or "ETag"))
                .Select(p => (p.Name, p.GetValue(entity)));
        // Entity size as the service documents it: 4 bytes + keys in UTF-16 + per property 8 bytes + name in UTF-16 + value.
        long size = 4 + 2L * (entity.PartitionKey.Length + entity.RowKey.Length);
        long json = 0;
        var count = 0;
        foreach (var (name, value) in properties)
        {
            if (value is null) continue;
            count++;
            if (count > MaxProperties)
                throw Broken(TableBatchRule.PropertyCount, $"an entity holds at most {MaxProperties} properties of its own");
            if (name.Length is 0 or > 255 || !(char.IsLetter(name[0]) || name[0] == '_') || !name.All(c => char.IsLetterOrDigit(c) || c == '_'))
                throw Broken(TableBatchRule.PropertyName, $"'{TableKeys.Shorten(name)}' is not a valid property name");
            var valueBytes = value switch
            {
                string s => 2L * s.Length,
                byte[] b => b.Length,
                BinaryData b => b.ToMemory().Length,
                bool => 1,
                int => 4,
                long or double or DateTime or DateTimeOffset => 8,
                Guid => 16,
                Enum => 4,
                _ => throw Broken(TableBatchRule.PropertyType, $"property '{name}' has type {value.GetType().Name}, which tables do not store"),
            };
            if (value is string or byte[] or BinaryData && valueBytes > MaxPropertyBytes)
                throw Broken(TableBatchRule.PropertyValueSize, $"property '{name}' holds {valueBytes:N0} bytes; a property holds at most {MaxPropertyBytes:N0} (32K characters). Large content belongs in a blob.");
            size += 8 + 2L * name.Length + valueBytes;
            json += name.Length + 8 + value switch
            {
                string s => Encoding.UTF8.GetByteCount(s) + s.Count(c => c is '"' or '\\' || char.IsControl(c)) * 5,
                byte[] b => (b.Length + 2) / 3 * 4 + 40 + name.Length,
                BinaryData b => (b.ToMemory().Length + 2) / 3 * 4 + 40 + name.Length,
                _ => 40,
            };
        }
        if (size >= MaxEntityBytes)
            throw Broken(TableBatchRule.EntityUnder1MiB, $"entity '{TableKeys.Shorten(entity.RowKey)}' is {size:N0} bytes; Azure stores entities under {MaxEntityBytes:N0}");
        return json;
    }

    private static TableBatchRuleException Broken(TableBatchRule rule, string message) => new(rule, message);
}
