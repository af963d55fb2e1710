using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Tcma.Storage;

/// <summary>
/// The one storage account the app uses, reached through the same setting the Functions host reads
/// (<c>AzureWebJobsStorage</c>): a connection string locally (Azurite), or
/// <c>AzureWebJobsStorage__accountName</c> (+ optional <c>__clientId</c>) for managed identity in Azure.
/// </summary>
public sealed class StorageAccount
{
    public const string SettingName = "AzureWebJobsStorage";
    public const string AzuriteDevelopment = "UseDevelopmentStorage=true";

    public StorageAccount(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues, StorageNames names, QueueServiceClient? rawQueues = null)
    {
        Tables = tables;
        Blobs = blobs;
        Queues = queues;
        Names = names;
        this.rawQueues = rawQueues;
    }

    private readonly QueueServiceClient? rawQueues;

    public TableServiceClient Tables { get; }
    public BlobServiceClient Blobs { get; }
    /// <summary>Queue clients encode messages as Base64, the Functions host's default for queue triggers.</summary>
    public QueueServiceClient Queues { get; }
    public StorageNames Names { get; }

    /// <summary>
    /// Queue clients that hand over message bodies exactly as stored. The local trigger host decodes Base64 itself,
    /// as the Functions host does, so a message that is not Base64 goes to the poison queue instead of failing the
    /// whole receive (the SDK's Base64 client throws for it).
    /// </summary>
    public QueueServiceClient RawQueues => rawQueues ?? throw new InvalidOperationException("this storage account was built without raw queue clients; use StorageAccount.FromConfiguration");

    public TableClient Table(string logicalName) => Tables.GetTableClient(Names.Table(logicalName));
    public QueueClient Queue(string logicalName) => Queues.GetQueueClient(Names.Queue(logicalName));
    public BlobContainerClient Container(string logicalName) => Blobs.GetBlobContainerClient(Names.Container(logicalName));

    public static QueueClientOptions QueueOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    private static QueueClientOptions RawQueueOptions() => new() { MessageEncoding = QueueMessageEncoding.None };

    public static StorageAccount FromConfiguration(IConfiguration configuration)
    {
        var names = new StorageNames(configuration["Storage:NamePrefix"] ?? "");
        var connectionString = configuration[SettingName];
        var accountName = configuration[$"{SettingName}:accountName"] ?? configuration[$"{SettingName}__accountName"];
        if (!string.IsNullOrWhiteSpace(accountName))
        {
            var clientId = configuration[$"{SettingName}:clientId"] ?? configuration[$"{SettingName}__clientId"];
            TokenCredential credential = string.IsNullOrEmpty(clientId)
                ? new DefaultAzureCredential()
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            return new StorageAccount(
                new TableServiceClient(new Uri($"https://{accountName}.table.core.windows.net"), credential),
                new BlobServiceClient(new Uri($"https://{accountName}.blob.core.windows.net"), credential),
                new QueueServiceClient(new Uri($"https://{accountName}.queue.core.windows.net"), credential, QueueOptions()),
                names,
                new QueueServiceClient(new Uri($"https://{accountName}.queue.core.windows.net"), credential, RawQueueOptions()));
        }
        connectionString = string.IsNullOrWhiteSpace(connectionString) ? AzuriteDevelopment : connectionString;
        return new StorageAccount(
            new TableServiceClient(connectionString),
            new BlobServiceClient(connectionString),
            new QueueServiceClient(connectionString, QueueOptions()),
            names,
            new QueueServiceClient(connectionString, RawQueueOptions()));
    }
}

/// <summary>
/// Maps the app's logical table, queue and container names to physical ones. A prefix isolates test runs
/// (and a dev instance) that share one Azurite; empty in production.
/// </summary>
public sealed class StorageNames
{
    public StorageNames(string prefix)
    {
        if (prefix.Length > 0 && (!char.IsAsciiLetterLower(prefix[0]) || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)) || prefix.Length > 20))
            throw new ArgumentException("Storage name prefix must be 1-20 lowercase letters or digits, starting with a letter.", nameof(prefix));
        Prefix = prefix;
    }

    public string Prefix { get; }

    /// <summary>Tables: letters and digits only. Logical names are PascalCase, e.g. "Workflows".</summary>
    public string Table(string logicalName) => Check(Prefix + logicalName, alnumOnly: true);
    /// <summary>Queues: lowercase, digits and hyphens, e.g. "render-requests".</summary>
    public string Queue(string logicalName) => Check(Prefix.Length == 0 ? logicalName : $"{Prefix}-{logicalName}", alnumOnly: false);
    public string Container(string logicalName) => Check(Prefix.Length == 0 ? logicalName : $"{Prefix}-{logicalName}", alnumOnly: false);

    private static string Check(string name, bool alnumOnly)
    {
        var ok = name.Length is >= 3 and <= 63 && char.IsAsciiLetter(name[0]) &&
                 name.All(c => alnumOnly ? char.IsAsciiLetterOrDigit(c) : (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'));
        if (!ok) throw new ArgumentException($"'{name}' is not a valid Azure Storage {(alnumOnly ? "table" : "queue/container")} name.");
        return name;
    }
}
