using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Launches;

namespace Tcma.Storage.Launches;

/// <summary>Opened or clicked, the two things a campaign email's recipient can be seen doing.</summary>
public enum EngagementKind { Opened, Clicked }

/// <summary>How many sends of one touch were opened (a click counts) and clicked.</summary>
public sealed record TouchEngagement(int Opened, int Clicked);

/// <summary>
/// Who opened or clicked which email of a launch: one partition per launch, at most one row per send and kind
/// ("o|{sendId}", "c|{sendId}"), carrying the touch and the contact's key (a hash, never the address). Recording is one
/// insert; 409 means it was recorded before, so a pixel loaded ten times is one open. The fan-out of a later touch
/// reads the partition to decide its audience.
/// </summary>
public sealed class CampaignEngagementStore(StorageAccount storage)
{
    public const string TableName = "CampaignEngagement";

    public static string PartitionKey(string vendorId, string launchId) => TableKeys.Safe($"{vendorId}|{launchId}", 400);

    private static string RowKey(EngagementKind kind, string sendId) => (kind == EngagementKind.Opened ? "o|" : "c|") + TableKeys.Safe(sendId, 300);

    /// <summary>
    /// Records the send's first open or click and answers when that first one was (this one's time when it is the
    /// first): what counts it elsewhere names it by that time, so an open seen again next month is still the same open.
    /// </summary>
    public async Task<DateTimeOffset> RecordAsync(string vendorId, string launchId, string touchId, string sendId, EngagementKind kind, DateTimeOffset at, CancellationToken ct = default)
    {
        var contact = LaunchWorkflow.ContactKeyOfSend(sendId) ?? throw new ArgumentException($"'{sendId}' is not a campaign send id", nameof(sendId));
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, launchId);
        try
        {
            await table.AddEntityAsync(new TableEntity(pk, RowKey(kind, sendId))
            {
                ["VendorId"] = vendorId,
                ["LaunchId"] = launchId,
                ["TouchId"] = touchId,
                ["SendId"] = sendId,
                ["Contact"] = contact,
                ["Kind"] = kind.ToString(),
                ["At"] = at,
            }, ct);
            return at;
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            var first = await table.GetEntityIfExistsAsync<TableEntity>(pk, RowKey(kind, sendId), select: ["At"], cancellationToken: ct);
            return first is { HasValue: true } && first.Value!.GetDateTimeOffset("At") is { } when ? when : at;
        }
    }

    /// <summary>Every first open and click recorded for a launch, with the send and its time (for recounting the dashboards).</summary>
    public async Task<IReadOnlyList<(string SendId, EngagementKind Kind, DateTimeOffset At)>> FirstsAsync(string vendorId, string launchId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, launchId);
        var result = new List<(string, EngagementKind, DateTimeOffset)>();
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk, select: ["VendorId", "LaunchId", "SendId", "Kind", "At"], cancellationToken: ct))
        {
            if (e.GetString("VendorId") != vendorId || e.GetString("LaunchId") != launchId) continue;
            if (Enum.TryParse<EngagementKind>(e.GetString("Kind"), out var kind) && e.GetString("SendId") is { Length: > 0 } send && e.GetDateTimeOffset("At") is { } at)
                result.Add((send, kind, at));
        }
        return result;
    }

    /// <summary>
    /// What each contact did with the launch's emails other than <paramref name="exceptTouchId"/> (the touch being
    /// decided: on a resumed fan-out its own opens must not count against it). Contacts with no row are absent.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ContactEngagement>> ByContactAsync(string vendorId, string launchId, string? exceptTouchId, CancellationToken ct = default)
    {
        var opened = new HashSet<string>(StringComparer.Ordinal);
        var clicked = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in RowsAsync(vendorId, launchId, ct))
        {
            if (row.TouchId == exceptTouchId) continue;
            (row.Kind == EngagementKind.Clicked ? clicked : opened).Add(row.Contact);
        }
        return opened.Union(clicked).ToDictionary(c => c, c => ContactEngagement.From(opened.Contains(c), clicked.Contains(c)), StringComparer.Ordinal);
    }

    /// <summary>Per touch: sends opened (by the pixel or a click) and sends clicked.</summary>
    public async Task<IReadOnlyDictionary<string, TouchEngagement>> ByTouchAsync(string vendorId, string launchId, CancellationToken ct = default)
    {
        var opened = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var clicked = new Dictionary<string, int>(StringComparer.Ordinal);
        await foreach (var row in RowsAsync(vendorId, launchId, ct))
        {
            if (!opened.TryGetValue(row.TouchId, out var sends)) opened[row.TouchId] = sends = new HashSet<string>(StringComparer.Ordinal);
            sends.Add(row.SendId);
            if (row.Kind == EngagementKind.Clicked) clicked[row.TouchId] = clicked.GetValueOrDefault(row.TouchId) + 1;
        }
        return opened.ToDictionary(t => t.Key, t => new TouchEngagement(t.Value.Count, clicked.GetValueOrDefault(t.Key)), StringComparer.Ordinal);
    }

    private sealed record Row(string TouchId, string SendId, string Contact, EngagementKind Kind);

    private async IAsyncEnumerable<Row> RowsAsync(string vendorId, string launchId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = PartitionKey(vendorId, launchId);
        await foreach (var e in table.QueryAsync<TableEntity>(e => e.PartitionKey == pk, select: ["VendorId", "LaunchId", "TouchId", "SendId", "Contact", "Kind"], cancellationToken: ct))
        {
            // A hashed key could in theory be shared: only rows that really are this launch's count.
            if (e.GetString("VendorId") != vendorId || e.GetString("LaunchId") != launchId) continue;
            if (!Enum.TryParse<EngagementKind>(e.GetString("Kind"), out var kind) || e.GetString("Contact") is not { Length: > 0 } contact) continue;
            yield return new Row(e.GetString("TouchId") ?? "", e.GetString("SendId") ?? "", contact, kind);
        }
    }
}
