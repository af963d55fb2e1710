using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Kits;
using Tcma.Storage;

namespace Tcma.Functions.Kits;

/// <summary>Who may launch a version, as its manifest targets them.</summary>
public sealed record KitTargetingView(
    IReadOnlyList<string> Tiers, IReadOnlyList<string> Regions, IReadOnlyList<string> Specialisations,
    DateTimeOffset? PublishFrom, DateTimeOffset? ExpiresAt)
{
    public static KitTargetingView From(KitTargeting t) => new(t.Tiers, t.Regions, t.Specialisations, t.PublishFrom, t.ExpiresAt);

    /// <summary>The targeting in a sentence a channel manager can check at a glance.</summary>
    public string Describe()
    {
        static string AnyOr(IReadOnlyList<string> values, string any, string prefix) =>
            values.Count == 0 ? any : prefix + string.Join(", ", values);
        var window = (PublishFrom, ExpiresAt) switch
        {
            (null, null) => "with no end date",
            ({ } from, null) => $"from {from:yyyy-MM-dd}",
            (null, { } until) => $"until {until:yyyy-MM-dd}",
            ({ } from, { } until) => $"from {from:yyyy-MM-dd} until {until:yyyy-MM-dd}",
        };
        return $"{AnyOr(Tiers, "Partners of every tier", "Partners in tier ")}; {AnyOr(Regions, "in any region", "in region ")}; " +
               $"{AnyOr(Specialisations, "any specialisation", "specialising in ")}; {window}";
    }
}

public sealed record KitAssetView(string Id, string Name);

/// <summary>One version of a kit as the index knows it: what it is, where it stands in its lifecycle, who may launch it.</summary>
public sealed record KitVersionView(
    string KitId, string Version, string Name, string Description, string VendorName, KitStatus Status,
    string UploadedBy, DateTimeOffset UploadedAt, string? PublishedBy, DateTimeOffset? PublishedAt, string? RecalledBy, DateTimeOffset? RecalledAt,
    KitTargetingView Targeting, string WhoCanLaunch, IReadOnlyList<KitAssetView> Images, IReadOnlyList<KitAssetView> Emails, int Files, long Bytes)
{
    /// <summary>What the partner portal's library lists and filters by; null for versions indexed before it kept them.</summary>
    public KitLibraryFacts? Library { get; init; }
    /// <summary>What the upload found worth a look without refusing the kit (an email that cannot promise the partner logo shows).</summary>
    public IReadOnlyList<KitProblemView> Warnings { get; init; } = [];
}

/// <summary>A kit version's facts for the campaign library: languages, topics, channels, and the image its card shows.</summary>
public sealed record KitLibraryFacts(IReadOnlyList<string> Languages, IReadOnlyList<string> Topics, IReadOnlyList<string> Channels, string? CardImage)
{
    public static KitLibraryFacts From(KitManifest m) => new(m.Languages, m.Topics, ChannelsOf(m), m.Content.Images.FirstOrDefault()?.Id);

    /// <summary>Where the kit reaches people, in the words partners filter by.</summary>
    public static IReadOnlyList<string> ChannelsOf(KitManifest m) =>
        (m.Content.Emails.Count > 0 ? ["Email"] : Array.Empty<string>())
            .Concat(m.Content.Social.Select(s => s.Network.ToString()).Distinct())
            .Concat(m.Content.LandingPage is null ? [] : ["Landing page"]).ToList();
}

/// <summary>A kit with its versions, newest upload first.</summary>
public sealed record KitView(string KitId, string Name, IReadOnlyList<KitVersionView> Versions);

/// <summary>A version was recalled: launches of it stop their pending sends. Sent to <see cref="KitIndex.RecallQueue"/>, at least once.</summary>
public sealed record KitRecalled(string VendorId, string KitId, string Version, DateTimeOffset RecalledAt, string RecalledBy);

/// <summary>
/// The <c>Kits</c> table: one row per kit version (partition = vendor, row = <c>{kitId}|{version}</c>), so one vendor's
/// kits are one partition and another vendor's are never in the query. Every change is read, decided, and written
/// under the ETag that was read.
/// </summary>
public sealed class KitIndex(StorageAccount storage)
{
    public const string TableName = "Kits";
    public const string RecallQueue = "kit-recalls";

    /// <summary>A version left Storing this long was abandoned by a crashed upload; a new upload may take it over.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(15);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public sealed class Row : ITableEntity
    {
        public string PartitionKey { get; set; } = "";
        public string RowKey { get; set; } = "";
        public DateTimeOffset? Timestamp { get; set; }
        public ETag ETag { get; set; }
        public string Status { get; set; } = nameof(KitStatus.Storing);
        /// <summary>The parts of the view that never change after upload, as JSON.</summary>
        public string Summary { get; set; } = "{}";
        public string UploadedBy { get; set; } = "";
        public DateTimeOffset UploadedAt { get; set; }
        public string? PublishedBy { get; set; }
        public DateTimeOffset? PublishedAt { get; set; }
        public string? RecalledBy { get; set; }
        public DateTimeOffset? RecalledAt { get; set; }
        /// <summary>False from the recall's commit until its message is on the queue: a repeated recall finishes the job.</summary>
        public bool RecallNotified { get; set; }

        [System.Runtime.Serialization.IgnoreDataMember]
        public KitStatus KitStatus => Enum.Parse<KitStatus>(Status);

        public Row Copy() => (Row)MemberwiseClone();
    }

    private sealed record Summary(
        string KitId, string Version, string Name, string Description, string VendorName, KitTargetingView Targeting,
        IReadOnlyList<KitAssetView> Images, IReadOnlyList<KitAssetView> Emails, int Files, long Bytes,
        KitLibraryFacts? Library = null, IReadOnlyList<KitProblemView>? Warnings = null);

    public static string RowKey(string kitId, string version) => $"{TableKeys.Check(kitId, "kit id")}|{TableKeys.Check(version, "kit version")}";

    public static KitVersionView View(Row row)
    {
        var s = JsonSerializer.Deserialize<Summary>(row.Summary, Json)!;
        var status = row.KitStatus;
        var who = status switch
        {
            KitStatus.Published => s.Targeting.Describe(),
            KitStatus.Recalled => "Nobody: this version was recalled.",
            _ => "Nobody yet: publish this version to make it launchable.",
        };
        return new(s.KitId, s.Version, s.Name, s.Description, s.VendorName, status, row.UploadedBy, row.UploadedAt,
            row.PublishedBy, row.PublishedAt, row.RecalledBy, row.RecalledAt, s.Targeting, who, s.Images, s.Emails, s.Files, s.Bytes)
        {
            Library = s.Library,
            Warnings = s.Warnings ?? [],
        };
    }

    /// <summary>
    /// Claims (kit id, version) for an upload: a new row in Storing. False when the version exists (or another upload
    /// holds it); an upload that crashed mid-store is taken over once it is <see cref="AbandonedAfter"/> old.
    /// </summary>
    public async Task<Row?> ClaimAsync(string vendorId, KitManifest manifest, KitFiles files, string uploadedBy, DateTimeOffset now, CancellationToken ct)
    {
        var summary = JsonSerializer.Serialize(new Summary(manifest.Id, manifest.Version, manifest.Name, manifest.Description, manifest.Vendor,
            KitTargetingView.From(manifest.Targeting),
            manifest.Content.Images.Select(i => new KitAssetView(i.Id, i.Name ?? i.Id)).ToList(),
            manifest.Content.Emails.Select(e => new KitAssetView(e.Id, e.Name ?? e.Id)).ToList(),
            files.Files.Count, files.TotalBytes, KitLibraryFacts.From(manifest),
            EmailLogoCheck.Warnings(manifest, files).Select(w => new KitProblemView(w.File, w.Place, w.Message)).ToList()), Json);
        var table = await storage.TableAsync(TableName, ct);
        var result = await table.UpdateAsync<Row>(TableKeys.Check(vendorId, "vendor id"), RowKey(manifest.Id, manifest.Version), current =>
            current is null || (current.KitStatus == KitStatus.Storing && now - current.UploadedAt > AbandonedAfter)
                ? new Row { Status = nameof(KitStatus.Storing), Summary = summary, UploadedBy = uploadedBy, UploadedAt = now }
                : null, cancellationToken: ct);
        return result.Written ? result.Entity : null;
    }

    /// <summary>The files are stored: the version exists from now on. Only the claim that stored them completes it.</summary>
    public async Task<Row> CompleteAsync(string vendorId, Row claim, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var next = claim.Copy();
        next.Status = nameof(KitStatus.Validated);
        var response = await table.UpdateEntityAsync(next, claim.ETag, TableUpdateMode.Replace, ct);
        next.ETag = response.Headers.ETag ?? default;
        return next;
    }

    /// <summary>Gives a claim back after its files could not be stored, so the same version can be uploaded again at once.</summary>
    public async Task ReleaseAsync(string vendorId, Row claim, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        try
        {
            await table.DeleteEntityAsync(claim.PartitionKey, claim.RowKey, claim.ETag, ct);
        }
        catch (RequestFailedException e) when (e.Status is 404 or 412)
        {
        }
    }

    public async Task<Row?> GetAsync(string vendorId, string kitId, string version, CancellationToken ct)
    {
        if (!TableKeys.IsValid(kitId) || !TableKeys.IsValid(version)) return null;
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<Row>(TableKeys.Check(vendorId, "vendor id"), RowKey(kitId, version), cancellationToken: ct);
        return found.HasValue && found.Value!.KitStatus != KitStatus.Storing ? found.Value : null;
    }

    /// <summary>Every stored version of the vendor's kits, grouped by kit, newest upload first.</summary>
    public async Task<IReadOnlyList<KitView>> ListAsync(string vendorId, string? kitId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var filter = kitId is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {kitId + "|"} and RowKey lt {kitId + "}"}");
        var rows = new List<Row>();
        await foreach (var row in table.QueryAsync<Row>(filter, cancellationToken: ct))
            if (row.KitStatus != KitStatus.Storing) rows.Add(row);
        return rows.Select(View)
            .GroupBy(v => v.KitId, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(v => v.UploadedAt).ToList())
            .Select(versions => new KitView(versions[0].KitId, versions[0].Name, versions))
            .OrderBy(k => k.Name, StringComparer.CurrentCultureIgnoreCase)
            .ToList();
    }

    /// <summary>Applies a lifecycle request under the row's ETag; the decision is made again on what is really there after a conflict.</summary>
    public async Task<(Row? Row, KitDecision? Decision)> ChangeAsync(
        string vendorId, string kitId, string version, KitAction action, string by, DateTimeOffset now, CancellationToken ct)
    {
        if (await GetAsync(vendorId, kitId, version, ct) is null) return (null, null);
        var table = await storage.TableAsync(TableName, ct);
        KitDecision? decision = null;
        var result = await table.UpdateAsync<Row>(vendorId, RowKey(kitId, version), current =>
        {
            if (current is null) { decision = null; return null; }
            decision = KitLifecycle.Decide(current.KitStatus, action);
            if (decision is not KitDecision.Move move) return null;
            var next = current.Copy();
            next.Status = move.To.ToString();
            if (move.To == KitStatus.Published) (next.PublishedBy, next.PublishedAt) = (by, now);
            if (move.To == KitStatus.Recalled) (next.RecalledBy, next.RecalledAt, next.RecallNotified) = (by, now, false);
            return next;
        }, cancellationToken: ct);
        return (result.Entity, decision);
    }

    /// <summary>Records that the recall's message is on the queue; a no-op when it already was.</summary>
    public async Task MarkRecallNotifiedAsync(string vendorId, string kitId, string version, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpdateAsync<Row>(vendorId, RowKey(kitId, version), current =>
        {
            if (current is null || current.RecallNotified) return null;
            var next = current.Copy();
            next.RecallNotified = true;
            return next;
        }, cancellationToken: ct);
    }

    /// <summary>Recalled versions whose message may not be on the queue yet (a crash between the commit and the send).</summary>
    public async Task<IReadOnlyList<Row>> PendingRecallsAsync(CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pending = new List<Row>();
        // Recalls are rare and the table holds one row per kit version, so a filtered scan is cheap.
        await foreach (var row in table.QueryAsync<Row>(r => r.Status == nameof(KitStatus.Recalled) && r.RecallNotified == false, cancellationToken: ct))
            pending.Add(row);
        return pending;
    }
}
