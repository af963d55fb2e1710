using Tcma.Domain.Kits;
using Tcma.Storage;
using Tcma.Storage.Messaging;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Kits;

public sealed class KitUploadOptions
{
    public const string Section = "Kits";
    /// <summary>The largest zip accepted, in bytes.</summary>
    public long MaxUploadBytes { get; set; } = new KitArchiveLimits().MaxCompressedBytes;
}

public abstract record KitUploadOutcome
{
    public sealed record Stored(KitVersionView Version) : KitUploadOutcome;
    public sealed record Rejected(IReadOnlyList<KitProblem> Problems) : KitUploadOutcome;
    public sealed record TooLarge(long MaxBytes) : KitUploadOutcome;
    public sealed record AlreadyExists(string KitId, string Version) : KitUploadOutcome;
}

public abstract record KitChangeOutcome
{
    public sealed record Changed(KitVersionView Version) : KitChangeOutcome;
    public sealed record NotFound : KitChangeOutcome;
    public sealed record Refused(string Reason) : KitChangeOutcome;
}

/// <summary>
/// A vendor's kit upload and lifecycle, shared by the API and the console: every check (archive, manifest,
/// references, Liquid, templates, and a full preview for the sample partner) runs on the files in memory, so a
/// rejected upload writes nothing at all.
/// </summary>
public sealed class KitUploads(
    KitIndex index, KitVersionFiles files, KitPreviews previews, BrandProfileStore brands, IMessageSender messages,
    StorageAccount storage, TimeProvider clock, Microsoft.Extensions.Options.IOptions<KitUploadOptions> options, ILogger<KitUploads> logger)
{
    public long MaxUploadBytes => options.Value.MaxUploadBytes;

    public async Task<KitUploadOutcome> UploadAsync(string vendorId, Stream zip, string fileName, string uploadedBy, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        if (!await CopyBoundedAsync(zip, buffer, MaxUploadBytes, ct)) return new KitUploadOutcome.TooLarge(MaxUploadBytes);
        buffer.Position = 0;
        var (kitFiles, archiveProblems) = KitArchive.Read(buffer, new KitArchiveLimits { MaxCompressedBytes = MaxUploadBytes },
            Path.GetFileName(fileName) is { Length: > 0 } name ? name : "upload.zip");
        if (kitFiles is null) return new KitUploadOutcome.Rejected(archiveProblems);
        var (manifest, problems) = KitChecks.Check(kitFiles);
        if (manifest is null) return new KitUploadOutcome.Rejected(problems);
        var renderProblems = previews.Check(manifest, kitFiles, ct);
        if (renderProblems.Count > 0) return new KitUploadOutcome.Rejected(renderProblems);
        if (!TableKeys.IsValid(manifest.Id) || !TableKeys.IsValid(manifest.Version))
            return new KitUploadOutcome.Rejected([new KitProblem(KitManifestReader.FileName, "$.id", "the kit id and version may not contain '/', '\\', '#' or '?'")]);

        var claim = await index.ClaimAsync(vendorId, manifest, kitFiles, uploadedBy, clock.GetUtcNow(), ct);
        if (claim is null) return new KitUploadOutcome.AlreadyExists(manifest.Id, manifest.Version);
        try
        {
            // The raw upload is kept beside the version's folder (not in it), for support and re-processing.
            var container = await storage.ContainerAsync(KitVersionFiles.Container, ct);
            // Empty for a new version; a crashed upload's claim taken over may have left files the new one lacks.
            var prefix = KitVersionFiles.Prefix(vendorId, manifest.Id, manifest.Version);
            await foreach (var stale in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, prefix, ct))
                await container.DeleteBlobIfExistsAsync(stale.Name, cancellationToken: ct);
            await container.GetBlobClient(KitVersionFiles.Prefix(vendorId, manifest.Id, manifest.Version).TrimEnd('/') + ".zip")
                .UploadAsync(BinaryData.FromBytes(buffer.ToArray()), overwrite: true, ct);
            await files.PutAsync(vendorId, manifest.Id, manifest.Version, kitFiles, ct);
            var row = await index.CompleteAsync(vendorId, claim, ct);
            if (await brands.GetAsync(vendorId, SamplePartner.PartnerId, ct) is null)
                await brands.SaveAsync(vendorId, SamplePartner.PartnerId, SamplePartner.Profile, ct);
            logger.LogInformation("Vendor {Vendor} uploaded kit {Kit} {Version} ({Files} files)", vendorId, manifest.Id, manifest.Version, kitFiles.Files.Count);
            return new KitUploadOutcome.Stored(KitIndex.View(row));
        }
        catch when (!ct.IsCancellationRequested)
        {
            // Files written before the failure stay without a manifest, so they are no version; the claim goes, so
            // the same upload can be retried at once.
            await index.ReleaseAsync(vendorId, claim, CancellationToken.None);
            throw;
        }
    }

    public async Task<KitChangeOutcome> ChangeAsync(string vendorId, string kitId, string version, KitAction action, string by, CancellationToken ct)
    {
        var (row, decision) = await index.ChangeAsync(vendorId, kitId, version, action, by, clock.GetUtcNow(), ct);
        if (row is null || decision is null) return new KitChangeOutcome.NotFound();
        if (decision is KitDecision.Refused refused) return new KitChangeOutcome.Refused(refused.Reason);
        if (row.KitStatus == KitStatus.Recalled && !row.RecallNotified)
            await NotifyRecallAsync(vendorId, kitId, version, row, ct);
        return new KitChangeOutcome.Changed(KitIndex.View(row));
    }

    /// <summary>
    /// Status first, then the message, then the mark: a crash in between leaves RecallNotified false, and the
    /// <c>KitRecallSweeper</c> (or a repeated recall) sends it again. Consumers get a recall at least once.
    /// </summary>
    private async Task NotifyRecallAsync(string vendorId, string kitId, string version, KitIndex.Row row, CancellationToken ct)
    {
        await messages.SendAsync(KitIndex.RecallQueue, new KitRecalled(vendorId, kitId, version, row.RecalledAt!.Value, row.RecalledBy!), cancellationToken: ct);
        await index.MarkRecallNotifiedAsync(vendorId, kitId, version, ct);
    }

    /// <summary>Sends the recall messages a crash left unsent; returns how many.</summary>
    public async Task<int> NotifyPendingRecallsAsync(CancellationToken ct)
    {
        var pending = await index.PendingRecallsAsync(ct);
        foreach (var row in pending)
        {
            var (kitId, version) = (row.RowKey.Split('|')[0], row.RowKey.Split('|')[1]);
            await NotifyRecallAsync(row.PartitionKey, kitId, version, row, ct);
        }
        return pending.Count;
    }

    private static async Task<bool> CopyBoundedAsync(Stream source, Stream target, long max, CancellationToken ct)
    {
        var chunk = new byte[81920];
        long copied = 0;
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            copied += read;
            if (copied > max) return false;
            await target.WriteAsync(chunk.AsMemory(0, read), ct);
        }
        return true;
    }
}
