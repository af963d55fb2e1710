using System.Text.Json;
using Azure;
using Azure.Storage.Queues;

namespace Tcma.Storage.Messaging;

/// <summary>Sends a message to one of the app's queues (logical name), as JSON, optionally delayed.</summary>
public interface IMessageSender
{
    Task SendAsync<T>(string queue, T message, TimeSpan? delay = null, CancellationToken cancellationToken = default);
}

public sealed class QueueMessageSender(StorageAccount storage) : IMessageSender
{
    /// <summary>Azure's longest visibility delay; callers that wait longer re-arm (see workflows).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    public async Task SendAsync<T>(string queue, T message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        if (delay > MaxDelay) throw new ArgumentOutOfRangeException(nameof(delay), delay, "Storage queues delay a message by at most 7 days.");
        var client = storage.Queue(queue);
        var body = JsonSerializer.Serialize(message);
        try
        {
            await client.SendMessageAsync(body, delay, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await client.SendMessageAsync(body, delay, cancellationToken: cancellationToken);
        }
    }
}
