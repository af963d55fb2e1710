using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Launches;

namespace Tcma.Storage.Launches;

/// <summary>
/// The links of each campaign email (one partition per send, one row per distinct URL) and the clicks on them (one
/// partition per launch). A redirect reads its target from here, never from the request.
/// </summary>
public sealed class ClickTracking(StorageAccount storage)
{
    public const string LinksTable = "TrackedLinks";
    public const string ClicksTable = "Clicks";

    private static string SendKey(string vendorId, string sendId) => TableKeys.Safe($"{vendorId}|{sendId}", 400);
    private static string LaunchKey(string vendorId, string launchId) => TableKeys.Safe($"{vendorId}|{launchId}", 400);
    private static string IndexKey(int index) => index.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Stores a send's links in one batch before the email goes. Upsert, not insert: a retried send rewrites the same
    /// rows with the same URLs (the email it renders is the same), and no one else ever writes these rows.
    /// </summary>
    public async Task SaveLinksAsync(CampaignEmail email, IReadOnlyList<string> urls, CancellationToken ct = default)
    {
        if (urls.Count == 0) return;
        var table = await storage.TableAsync(LinksTable, ct);
        var batch = new TableBatch();
        for (var i = 0; i < urls.Count; i++)
            batch.UpsertReplace(new TableEntity(SendKey(email.VendorId, email.SendId), IndexKey(i))
            {
                ["VendorId"] = email.VendorId,
                ["PartnerId"] = email.PartnerId,
                ["LaunchId"] = email.LaunchId,
                ["TouchId"] = email.TouchId,
                ["SendId"] = email.SendId,
                ["Recipient"] = email.RecipientEmail,
                ["CampaignName"] = email.CampaignName,
                ["Url"] = urls[i],
            });
        await batch.SubmitAsync(table, ct);
    }

    public async Task<TrackedLink?> FindAsync(string vendorId, string sendId, int index, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(LinksTable, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(SendKey(vendorId, sendId), IndexKey(index), cancellationToken: ct);
        if (!found.HasValue) return null;
        var e = found.Value!;
        // Hashed keys are shared only in theory; the row must really be this vendor's send.
        if (e.GetString("VendorId") != vendorId || e.GetString("SendId") != sendId) return null;
        return new TrackedLink(vendorId, e.GetString("PartnerId") ?? "", e.GetString("LaunchId") ?? "", e.GetString("TouchId") ?? "",
            sendId, index, e.GetString("Recipient") ?? "", e.GetString("CampaignName") ?? "", e.GetString("Url") ?? "");
    }

    public async Task RecordClickAsync(TrackedLink link, DateTimeOffset at, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(ClicksTable, ct);
        // Newest first in a launch's partition; the random tail keeps two clicks in one tick apart.
        var rowKey = $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-{Guid.NewGuid():N}";
        await table.AddEntityAsync(new TableEntity(LaunchKey(link.VendorId, link.LaunchId), rowKey)
        {
            ["VendorId"] = link.VendorId,
            ["PartnerId"] = link.PartnerId,
            ["LaunchId"] = link.LaunchId,
            ["TouchId"] = link.TouchId,
            ["SendId"] = link.SendId,
            ["Recipient"] = link.Recipient,
            ["Url"] = link.Url,
            ["At"] = at,
        }, ct);
    }

    /// <summary>
    /// Blanks the recipient of an erased person's sends: on the tracked links of each send (so a later click on an old
    /// email records no address) and on every click of the launch from those sends. Rows stay: a click still counts.
    /// Returns how many clicks this call blanked; a second call finds them blank and blanks none.
    /// </summary>
    public async Task<int> RedactRecipientAsync(string vendorId, string launchId, IReadOnlyCollection<string> sendIds, CancellationToken ct = default)
    {
        if (sendIds.Count == 0) return 0;
        var links = await storage.TableAsync(LinksTable, ct);
        foreach (var sendId in sendIds)
        {
            var pk = SendKey(vendorId, sendId);
            await foreach (var e in links.QueryAsync<TableEntity>(e => e.PartitionKey == pk, select: ["PartitionKey", "RowKey", "Recipient", "SendId", "VendorId"], cancellationToken: ct))
                if (e.GetString("SendId") == sendId && e.GetString("VendorId") == vendorId && !string.IsNullOrEmpty(e.GetString("Recipient")))
                    // Written once before the email went; a retried send rewrites it with the same values, so last writer is fine.
                    await links.UpdateEntityAsync(new TableEntity(e.PartitionKey, e.RowKey) { ["Recipient"] = "" }, ETag.All, TableUpdateMode.Merge, ct);
        }
        var clicks = await storage.TableAsync(ClicksTable, ct);
        var launchKey = LaunchKey(vendorId, launchId);
        var redacted = 0;
        await foreach (var e in clicks.QueryAsync<TableEntity>(e => e.PartitionKey == launchKey, select: ["PartitionKey", "RowKey", "Recipient", "SendId", "VendorId", "LaunchId"], cancellationToken: ct))
        {
            if (e.GetString("VendorId") != vendorId || e.GetString("LaunchId") != launchId || string.IsNullOrEmpty(e.GetString("Recipient"))) continue;
            if (!sendIds.Contains(e.GetString("SendId") ?? "")) continue;
            // Clicks are insert-only rows: nothing else ever changes one.
            await clicks.UpdateEntityAsync(new TableEntity(e.PartitionKey, e.RowKey) { ["Recipient"] = "" }, ETag.All, TableUpdateMode.Merge, ct);
            redacted++;
        }
        return redacted;
    }

    public async Task<IReadOnlyList<TrackedLinkClick>> ClicksAsync(string vendorId, string launchId, int max = 1000, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(ClicksTable, ct);
        var pk = LaunchKey(vendorId, launchId);
        var clicks = new List<TrackedLinkClick>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk, cancellationToken: ct))
        {
            if (e.GetString("LaunchId") != launchId || e.GetString("VendorId") != vendorId) continue;
            clicks.Add(new TrackedLinkClick(launchId, e.GetString("TouchId") ?? "", e.GetString("SendId") ?? "", e.GetString("Recipient") ?? "",
                e.GetString("Url") ?? "", e.GetDateTimeOffset("At") ?? default));
            if (clicks.Count >= max) break;
        }
        return clicks;
    }
}
