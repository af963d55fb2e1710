using System.Collections.Concurrent;
using Tcma.Domain.Kits;
using Tcma.Rendering.Images;
using Tcma.Storage;

namespace Tcma.Functions.Kits;

/// <summary>One immutable kit version as stored: its files and its manifest.</summary>
public sealed record KitVersion(string VendorId, string KitId, string Version, KitManifest Manifest, IKitFiles Files);

/// <summary>
/// Kit versions' files in blob storage, <c>kits/{vendor}/{kit}/{version}/{path}</c>. Versions never change once
/// stored, so a loaded version is kept (bounded) and never read twice.
/// </summary>
public sealed class KitVersionFiles(StorageAccount storage)
{
    public const string Container = "kits";
    private const int MaxCachedVersions = 32;
    private readonly ConcurrentDictionary<string, KitVersion> loaded = new(StringComparer.Ordinal);

    public static string Prefix(string vendorId, string kitId, string version) =>
        $"{TableKeys.Check(vendorId, "vendor id")}/{TableKeys.Check(kitId, "kit id")}/{TableKeys.Check(version, "kit version")}/";

    public async Task<KitVersion?> GetAsync(string vendorId, string kitId, string version, CancellationToken cancellationToken = default)
    {
        var prefix = Prefix(vendorId, kitId, version);
        if (loaded.TryGetValue(prefix, out var cached)) return cached;
        var container = await storage.ContainerAsync(Container, cancellationToken);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, cancellationToken))
            files[blob.Name[prefix.Length..]] = (await container.GetBlobClient(blob.Name).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
        if (!files.TryGetValue(KitManifestReader.FileName, out var manifestBytes)) return null;
        var (manifest, problems) = KitManifestReader.Read(manifestBytes);
        if (manifest is null)
            throw new InvalidOperationException($"stored kit {prefix} has an invalid manifest: {string.Join("; ", problems)}");
        var kit = new KitVersion(vendorId, kitId, version, manifest, new InMemoryKitFiles(prefix, files));
        if (loaded.Count >= MaxCachedVersions) loaded.Clear();
        return loaded.GetOrAdd(prefix, kit);
    }

    /// <summary>Stores a validated kit's files; every file is written before the manifest, so a half-stored version has no manifest and does not exist.</summary>
    public async Task PutAsync(string vendorId, string kitId, string version, KitFiles files, CancellationToken cancellationToken = default)
    {
        var prefix = Prefix(vendorId, kitId, version);
        var container = await storage.ContainerAsync(Container, cancellationToken);
        foreach (var (path, bytes) in files.Files.Where(f => f.Key != KitManifestReader.FileName))
            await container.GetBlobClient(prefix + path).UploadAsync(BinaryData.FromBytes(bytes), overwrite: true, cancellationToken);
        await container.GetBlobClient(prefix + KitManifestReader.FileName).UploadAsync(BinaryData.FromBytes(files.Files[KitManifestReader.FileName]), overwrite: true, cancellationToken);
    }
}
