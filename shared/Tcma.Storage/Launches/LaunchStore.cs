using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain;
using Tcma.Domain.Launches;

namespace Tcma.Storage.Launches;

/// <summary>A vendor's invitation of one partner to launch one published kit version; its id is the link token's nonce.</summary>
public sealed record LaunchInvitation(
    string Id, string PartnerId, string PartnerName, IReadOnlyList<string> SentTo, string KitId, string Version, string Link,
    DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string CreatedBy, DateTimeOffset? RevokedAt = null, string? RevokedBy = null, string? LaunchId = null,
    bool Emailed = false, DateTimeOffset? OpenedAt = null);

/// <summary>What the partner chose on the launch page, as stored for the launch's whole life.</summary>
public sealed record LaunchRecord(
    string VendorId, string PartnerId, string LaunchId, string InvitationId, string KitId, string Version,
    IReadOnlyDictionary<string, string> Edits, DateOnly StartDate, string TimeZone,
    bool Email, string? ContactsBlob, int Contacts, IReadOnlyList<SocialNetwork> Networks,
    string PublicBaseUrl, DateTimeOffset CreatedAt);

/// <summary>
/// The <c>Launches</c> table, one partition per vendor: invitations (<c>inv|{id}</c>), the one-launch-per-invitation
/// claim (<c>claim|{id}</c>), the per-kit launch counter (<c>counter|{kit}</c>), launches (<c>launch|{id}</c>),
/// partner control links (<c>control|{nonce}</c>) and each email touch's fan-out progress (<c>progress|{launch}|{touch}</c>).
/// Contacts live in the <c>launch-contacts</c> container, named by their content hash.
/// </summary>
public sealed class LaunchStore(StorageAccount storage)
{
    public const string TableName = "Launches";
    public const string ContactsContainer = "launch-contacts";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string Json { get; set; } = "{}";
        public string? LaunchId { get; set; }
        public string? KitId { get; set; }
        public string? Version { get; set; }
        public long Number { get; set; }
    }

    // ---- invitations -------------------------------------------------------------------------------------

    public async Task SaveInvitationAsync(string vendorId, LaunchInvitation invitation, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpsertEntityAsync(new Row
        {
            PartitionKey = TableKeys.Check(vendorId, "vendor id"), RowKey = "inv|" + TableKeys.Check(invitation.Id, "invitation id"),
            Json = JsonSerializer.Serialize(invitation, Json), KitId = invitation.KitId, Version = invitation.Version,
        }, TableUpdateMode.Replace, ct);
    }

    public async Task<LaunchInvitation?> InvitationAsync(string vendorId, string invitationId, CancellationToken ct)
    {
        if (!TableKeys.IsValid(invitationId) || invitationId.Length > 100) return null;
        var row = await GetAsync(vendorId, "inv|" + invitationId, ct);
        return row is null ? null : JsonSerializer.Deserialize<LaunchInvitation>(row.Json, Json);
    }

    public async Task<IReadOnlyList<LaunchInvitation>> InvitationsAsync(string vendorId, CancellationToken ct)
    {
        var list = new List<LaunchInvitation>();
        await foreach (var row in PrefixAsync(vendorId, "inv|", ct))
            list.Add(JsonSerializer.Deserialize<LaunchInvitation>(row.Json, Json)!);
        return list.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.PartnerId, StringComparer.Ordinal).ToList();
    }

    /// <summary>Changes an invitation under its ETag (revoke, note its launch); false when there is none.</summary>
    public async Task<LaunchInvitation?> ChangeInvitationAsync(string vendorId, string invitationId, Func<LaunchInvitation, LaunchInvitation?> change, CancellationToken ct)
    {
        if (!TableKeys.IsValid(invitationId) || invitationId.Length > 100) return null;
        var table = await storage.TableAsync(TableName, ct);
        LaunchInvitation? result = null;
        await table.UpdateAsync<Row>(TableKeys.Check(vendorId, "vendor id"), "inv|" + invitationId, current =>
        {
            if (current is null) return null;
            var invitation = JsonSerializer.Deserialize<LaunchInvitation>(current.Json, Json)!;
            var next = change(invitation);
            result = next ?? invitation;
            if (next is null) return null;
            return new Row { Json = JsonSerializer.Serialize(next, Json), KitId = next.KitId, Version = next.Version };
        }, cancellationToken: ct);
        return result;
    }

    // ---- one launch per invitation --------------------------------------------------------------------------

    /// <summary>
    /// The launch id this invitation's launch has, allocating the next <c>{kitId}-{n}</c> the first time. Concurrent
    /// callers (a double click, two tabs, a retry) all get the same id: the claim row is written under its ETag and
    /// the loser of a race adopts the winner's id.
    /// </summary>
    public async Task<(string LaunchId, bool New)> ClaimLaunchIdAsync(string vendorId, string invitationId, string kitId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = TableKeys.Check(vendorId, "vendor id");
        var claimKey = "claim|" + TableKeys.Check(invitationId, "invitation id");
        var existing = await GetAsync(vendorId, claimKey, ct);
        if (existing?.LaunchId is { } known) return (known, false);
        var counter = await table.UpdateAsync<Row>(pk, "counter|" + TableKeys.Check(kitId, "kit id"), current =>
            new Row { Number = (current?.Number ?? 0) + 1 }, cancellationToken: ct);
        var candidate = $"{kitId}-{counter.Entity!.Number}";
        var written = await table.UpdateAsync<Row>(pk, claimKey, current =>
            current?.LaunchId is not null ? null : new Row { LaunchId = candidate }, cancellationToken: ct);
        // A number lost to a race leaves a gap in the kit's numbering; ids are never reused.
        return written.Written ? (candidate, true) : (written.Entity!.LaunchId!, false);
    }

    /// <summary>
    /// Stores a launch and, in the same transaction, its row in the partner's list (<c>plaunch|{partner}|{launch}</c>), so
    /// a partner's launches are one range read and never miss one. False when the launch exists already.
    /// </summary>
    public async Task<bool> AddLaunchAsync(LaunchRecord launch, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = TableKeys.Check(launch.VendorId, "vendor id");
        var batch = new TableBatch()
            .Add(new Row
            {
                PartitionKey = pk, RowKey = "launch|" + TableKeys.Check(launch.LaunchId, "launch id"),
                Json = JsonSerializer.Serialize(launch, Json), LaunchId = launch.LaunchId, KitId = launch.KitId, Version = launch.Version,
            })
            .Add(new Row
            {
                PartitionKey = pk, RowKey = PartnerLaunchKey(launch.PartnerId, launch.LaunchId),
                LaunchId = launch.LaunchId, KitId = launch.KitId, Version = launch.Version,
            });
        try
        {
            await batch.SubmitAsync(table, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    private static string PartnerLaunchKey(string partnerId, string launchId) =>
        $"plaunch|{TableKeys.Check(partnerId, "partner id")}|{TableKeys.Check(launchId, "launch id")}";

    /// <summary>A partner's launches (id, kit, version), from its own range of rows: what the portal lists.</summary>
    public async Task<IReadOnlyList<(string LaunchId, string KitId, string Version)>> PartnerLaunchesAsync(string vendorId, string partnerId, CancellationToken ct)
    {
        var list = new List<(string, string, string)>();
        await foreach (var row in PrefixAsync(vendorId, $"plaunch|{TableKeys.Check(partnerId, "partner id")}|", ct))
            if (row.LaunchId is { } id) list.Add((id, row.KitId ?? "", row.Version ?? ""));
        return list;
    }

    /// <summary>Stores an invitation unless one with its id exists; false when it did (the caller reads that one).</summary>
    public async Task<bool> TryAddInvitationAsync(string vendorId, LaunchInvitation invitation, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        try
        {
            await table.AddEntityAsync(new Row
            {
                PartitionKey = TableKeys.Check(vendorId, "vendor id"), RowKey = "inv|" + TableKeys.Check(invitation.Id, "invitation id"),
                Json = JsonSerializer.Serialize(invitation, Json), KitId = invitation.KitId, Version = invitation.Version,
            }, ct);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }
    }

    public async Task<LaunchRecord?> LaunchAsync(string vendorId, string launchId, CancellationToken ct)
    {
        if (!TableKeys.IsValid(launchId) || launchId.Length > 200) return null;
        var row = await GetAsync(vendorId, "launch|" + launchId, ct);
        return row is null ? null : JsonSerializer.Deserialize<LaunchRecord>(row.Json, Json);
    }

    /// <summary>Every launch of one kit version: what a recall stops.</summary>
    public async Task<IReadOnlyList<string>> LaunchIdsOfAsync(string vendorId, string kitId, string version, CancellationToken ct)
    {
        var ids = new List<string>();
        await foreach (var row in PrefixAsync(vendorId, "launch|", ct))
            if (row.KitId == kitId && row.Version == version && row.LaunchId is { } id) ids.Add(id);
        return ids;
    }

    // ---- control links ----------------------------------------------------------------------------------------

    public async Task SaveControlAsync(string vendorId, string nonce, string launchId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpsertEntityAsync(new Row
        {
            PartitionKey = TableKeys.Check(vendorId, "vendor id"), RowKey = "control|" + TableKeys.Check(nonce, "nonce"), LaunchId = launchId,
        }, TableUpdateMode.Replace, ct);
    }

    public async Task<string?> ControlledLaunchAsync(string vendorId, string nonce, CancellationToken ct) =>
        TableKeys.IsValid(nonce) && nonce.Length <= 100 ? (await GetAsync(vendorId, "control|" + nonce, ct))?.LaunchId : null;

    // ---- fan-out progress ---------------------------------------------------------------------------------------

    public async Task<long> NextChunkAsync(string vendorId, string launchId, string touchId, CancellationToken ct) =>
        (await GetAsync(vendorId, $"progress|{launchId}|{touchId}", ct))?.Number ?? 0;

    /// <summary>Records that chunks before <paramref name="next"/> are on the queue; never moves backwards.</summary>
    public async Task RecordChunkAsync(string vendorId, string launchId, string touchId, long next, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpdateAsync<Row>(TableKeys.Check(vendorId, "vendor id"), TableKeys.Check($"progress|{launchId}|{touchId}", "progress key"),
            current => current is not null && current.Number >= next ? null : new Row { Number = next }, cancellationToken: ct);
    }

    // ---- contacts -------------------------------------------------------------------------------------------

    /// <summary>Stores an imported contact list under its content hash (so the same file twice is one blob) and returns its name.</summary>
    public async Task<string> SaveContactsAsync(string vendorId, string partnerId, IReadOnlyList<Contact> contacts, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(contacts, Json);
        var name = $"{TableKeys.Check(vendorId, "vendor id")}/{TableKeys.Check(partnerId, "partner id")}/{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}.json";
        var container = await storage.ContainerAsync(ContactsContainer, ct);
        try
        {
            await container.GetBlobClient(name).UploadAsync(BinaryData.FromBytes(bytes), overwrite: false, ct);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
        return name;
    }

    public async Task<IReadOnlyList<Contact>?> ContactsAsync(string blobName, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(ContactsContainer, ct);
        try
        {
            var content = (await container.GetBlobClient(blobName).DownloadContentAsync(ct)).Value.Content;
            return JsonSerializer.Deserialize<List<Contact>>(content.ToMemory().Span, Json);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return null;
        }
    }

    // ---- erasure ------------------------------------------------------------------------------------------------

    /// <summary>Every launch of the vendor: what an erasure walks.</summary>
    public async Task<IReadOnlyList<LaunchRecord>> LaunchesAsync(string vendorId, CancellationToken ct)
    {
        var list = new List<LaunchRecord>();
        await foreach (var row in PrefixAsync(vendorId, "launch|", ct))
            list.Add(JsonSerializer.Deserialize<LaunchRecord>(row.Json, Json)!);
        return list;
    }

    /// <summary>The vendor's stored contact lists (launched or only uploaded) that hold this address, with their partner.</summary>
    public async Task<IReadOnlyList<(string Blob, string PartnerId)>> ContactListsWithAsync(string vendorId, string email, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(ContactsContainer, ct);
        var found = new List<(string, string)>();
        await foreach (var blob in container.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, TableKeys.Check(vendorId, "vendor id") + "/", ct))
        {
            var contacts = await ContactsAsync(blob.Name, ct);
            if (contacts is not null && contacts.Any(c => Same(c.Email, email)))
                found.Add((blob.Name, blob.Name.Split('/')[1]));
        }
        return found;
    }

    /// <summary>
    /// Takes the person out of a stored contact list, written back under the ETag it was read with. The blob keeps its
    /// name (launches point to it), so it no longer matches its content hash; the same file uploaded again finds this
    /// name and reuses the list without the person, which is what erasure wants. True when this call changed the list.
    /// The person's place is kept, blank (<see cref="Contact.Erased"/>), which the fan-out skips: removing the entry
    /// would move later contacts up one place, and a touch's fan-out that resumes by chunk number after a crash would
    /// then miss the contact moved across a chunk boundary.
    /// </summary>
    public async Task<bool> RemoveContactAsync(string blobName, string email, CancellationToken ct)
    {
        var container = await storage.ContainerAsync(ContactsContainer, ct);
        var client = container.GetBlobClient(blobName);
        for (var attempt = 1; ; attempt++)
        {
            Azure.Response<Azure.Storage.Blobs.Models.BlobDownloadResult> content;
            try
            {
                content = await client.DownloadContentAsync(ct);
            }
            catch (RequestFailedException e) when (e.Status == 404)
            {
                return false;
            }
            var contacts = JsonSerializer.Deserialize<List<Contact>>(content.Value.Content.ToMemory().Span, Json) ?? [];
            if (!contacts.Any(c => Same(c.Email, email))) return false;
            var kept = contacts.Select(c => Same(c.Email, email) ? Contact.Erased : c).ToList();
            try
            {
                await client.UploadAsync(BinaryData.FromBytes(JsonSerializer.SerializeToUtf8Bytes(kept, Json)),
                    new Azure.Storage.Blobs.Models.BlobUploadOptions { Conditions = new Azure.Storage.Blobs.Models.BlobRequestConditions { IfMatch = content.Value.Details.ETag } }, ct);
                return true;
            }
            catch (RequestFailedException e) when (e.Status == 412 && attempt < 5)
            {
            }
        }
    }

    private static bool Same(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    // ---- rows -------------------------------------------------------------------------------------------------

    private async Task<Row?> GetAsync(string vendorId, string rowKey, CancellationToken ct)
    {
        if (!TableKeys.IsValid(rowKey)) return null;
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<Row>(TableKeys.Check(vendorId, "vendor id"), rowKey, cancellationToken: ct);
        return found.HasValue ? found.Value : null;
    }

    private async IAsyncEnumerable<Row> PrefixAsync(string vendorId, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = TableKeys.Check(vendorId, "vendor id");
        var end = prefix[..^1] + (char)(prefix[^1] + 1);
        await foreach (var row in table.QueryAsync<Row>(TableClient.CreateQueryFilter($"PartitionKey eq {pk} and RowKey ge {prefix} and RowKey lt {end}"), cancellationToken: ct))
            yield return row;
    }
}
