using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace Tcma.Storage.Messaging;

/// <summary>Sends a message to one of the app's queues (logical name), as JSON, optionally delayed.</summary>
public interface IMessageSender
{
    Task SendAsync<T>(string queue, T message, TimeSpan? delay = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Sends each message inside a <see cref="MessageEnvelope"/> carrying the current W3C trace context; a body over
/// <see cref="MessageEnvelope.MaxInlineBytes"/> goes to a blob and the message carries its name.
/// </summary>
public sealed class QueueMessageSender(StorageAccount storage, LocalQueueSignal? signal = null) : IMessageSender
{
    public const string ActivitySourceName = "Tcma.Messaging";
    private static readonly ActivitySource Source = new(ActivitySourceName);

    /// <summary>Azure's longest visibility delay; callers that wait longer re-arm (see workflows).</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(7);

    public async Task SendAsync<T>(string queue, T message, TimeSpan? delay = null, CancellationToken cancellationToken = default)
    {
        if (delay > MaxDelay) throw new ArgumentOutOfRangeException(nameof(delay), delay, "Storage queues delay a message by at most 7 days.");
        if (delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(delay), delay, "A delay cannot be negative.");
        var client = storage.Queue(queue);
        using var activity = Source.StartActivity($"{client.Name} send", ActivityKind.Producer);
        activity?.SetTag("messaging.system", "azure_storage_queues");
        activity?.SetTag("messaging.destination.name", client.Name);
        var context = activity ?? Activity.Current;
        var (traceParent, traceState) = context is { IdFormat: ActivityIdFormat.W3C } ? (context.Id, context.TraceStateString) : (null, null);

        var body = JsonSerializer.Serialize(message);
        var text = MessageEnvelope.Inline(body, traceParent, traceState);
        if (Encoding.UTF8.GetByteCount(text) > MessageEnvelope.MaxInlineBytes)
        {
            // Never deleted on delivery: a redelivered message must still find its body. A lifecycle rule on the
            // container (older than the 7-day message lifetime) cleans up.
            var blobName = $"{client.Name}/{Guid.NewGuid():N}.json";
            await UploadAsync(storage.Container(MessageEnvelope.PayloadContainer), blobName, body, cancellationToken);
            text = MessageEnvelope.ForBlob(blobName, traceParent, traceState);
            activity?.SetTag("tcma.message.blob", blobName);
        }

        try
        {
            await client.SendMessageAsync(text, delay, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await client.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await client.SendMessageAsync(text, delay, cancellationToken: cancellationToken);
        }
        if (delay is null || delay <= TimeSpan.Zero) signal?.Notify(client.Name);
    }

    private static async Task UploadAsync(BlobContainerClient container, string blobName, string body, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient(blobName);
        var content = BinaryData.FromString(body);
        try
        {
            await blob.UploadAsync(content, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await blob.UploadAsync(content, cancellationToken);
        }
    }

    /// <summary>Reads a message body that <see cref="SendAsync{T}"/> put in a blob.</summary>
    public static async Task<string?> ReadPayloadAsync(StorageAccount storage, string blobName, CancellationToken cancellationToken)
    {
        try
        {
            var result = await storage.Container(MessageEnvelope.PayloadContainer).GetBlobClient(blobName).DownloadContentAsync(cancellationToken);
            return result.Value.Content.ToString();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }
}
