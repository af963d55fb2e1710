using System.Collections.Concurrent;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Tcma.Storage;

/// <summary>
/// Tables, queues and containers created if missing the first time this process uses them, then never asked
/// about again: a create call per write would double the requests.
/// </summary>
public static class StorageProvisioning
{
    private static readonly ConcurrentDictionary<string, Lazy<Task>> Ensured = new();

    public static async Task<TableClient> TableAsync(this StorageAccount storage, string logicalName, CancellationToken cancellationToken = default)
    {
        var client = storage.Table(logicalName);
        await EnsureAsync($"{storage.Tables.Uri}|{client.Name}", () => client.CreateIfNotExistsAsync(CancellationToken.None), cancellationToken);
        return client;
    }

    public static async Task<QueueClient> QueueAsync(this StorageAccount storage, string logicalName, CancellationToken cancellationToken = default)
    {
        var client = storage.Queue(logicalName);
        await EnsureAsync(client.Uri.ToString(), () => client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None), cancellationToken);
        return client;
    }

    public static async Task<BlobContainerClient> ContainerAsync(this StorageAccount storage, string logicalName, CancellationToken cancellationToken = default)
    {
        var client = storage.Container(logicalName);
        await EnsureAsync(client.Uri.ToString(), () => client.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None), cancellationToken);
        return client;
    }

    private static async Task EnsureAsync(string key, Func<Task> create, CancellationToken cancellationToken)
    {
        var once = Ensured.GetOrAdd(key, _ => new Lazy<Task>(create));
        try
        {
            await once.Value.WaitAsync(cancellationToken);
        }
        catch when (once.Value.IsFaulted)
        {
            // A failed create (service not up yet) must not be remembered as done.
            Ensured.TryRemove(new KeyValuePair<string, Lazy<Task>>(key, once));
            throw;
        }
    }
}
