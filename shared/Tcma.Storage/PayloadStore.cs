using System.Security.Cryptography;
using Azure;
using Azure.Storage.Blobs.Models;

namespace Tcma.Storage;

/// <summary>Where a large payload lives: a blob in one of the app's containers (logical name).</summary>
public sealed record PayloadReference(string Container, string Name)
{
    public override string ToString() => $"{Container}/{Name}";

    public static PayloadReference Parse(string text)
    {
        var slash = text.IndexOf('/');
        if (slash <= 0 || slash == text.Length - 1 || text.Contains("..", StringComparison.Ordinal))
            throw new FormatException($"'{TableKeys.Shorten(text)}' is not a payload reference");
        return new(text[..slash], text[(slash + 1)..]);
    }
}

public sealed class PayloadNotFoundException(PayloadReference reference) : Exception($"payload {reference} does not exist")
{
    public PayloadReference Reference { get; } = reference;
}

/// <summary>
/// Blob storage for what is too big for a table property (64 KiB) or a queue message (64 KiB): rows and
/// messages carry the reference. Content-addressed names make a retried put free and a shared payload stored once.
/// </summary>
public sealed class PayloadStore(StorageAccount storage)
{
    public const string DefaultContainer = "payloads";

    /// <summary>Stores the bytes under their SHA-256; storing the same bytes again writes nothing.</summary>
    public async Task<PayloadReference> PutAsync(ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
    {
        var name = "sha256/" + Convert.ToHexStringLower(SHA256.HashData(content.Span));
        var container = await storage.ContainerAsync(DefaultContainer, cancellationToken);
        var blob = container.GetBlobClient(name);
        try
        {
            await blob.UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
            {
                HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
            }, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // Same name means same bytes: someone stored it already.
        }
        return new PayloadReference(DefaultContainer, name);
    }

    /// <summary>Stores the bytes under a name the caller chooses (replacing what was there).</summary>
    public async Task<PayloadReference> PutAsync(string containerName, string name, ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", CancellationToken cancellationToken = default)
    {
        var container = await storage.ContainerAsync(containerName, cancellationToken);
        await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = contentType },
        }, cancellationToken);
        return new PayloadReference(containerName, name);
    }

    public async Task<byte[]> GetAsync(PayloadReference reference, CancellationToken cancellationToken = default)
    {
        var container = await storage.ContainerAsync(reference.Container, cancellationToken);
        try
        {
            var result = await container.GetBlobClient(reference.Name).DownloadContentAsync(cancellationToken);
            return result.Value.Content.ToArray();
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new PayloadNotFoundException(reference);
        }
    }
}
