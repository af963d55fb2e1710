using System.Text.Json;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Leads;
using ActivityKind = Tcma.Domain.Dashboards.ActivityKind;
using Tcma.Storage.Dashboards;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Syndication;

namespace Tcma.Functions.Dashboards;

/// <summary>What a rebuild did: the months it emptied and the events it found in the source records and counted.</summary>
public sealed record DashboardRebuildResult(DateOnly FromMonth, DateOnly ToMonth, int RowsCleared, int EventsFound, int EventsCounted);

/// <summary>
/// Recomputes a vendor's counters from the records the events came from (launches, the send log, first opens and clicks,
/// unsubscribes, the lead changes announced to the CRM), under the same event names the live path uses. The months are
/// emptied first, then every source event is counted again; an event that arrives meanwhile is counted by its own
/// function once (its marker makes the rebuild skip it), so a rebuild running while events arrive still converges.
/// Counts that have no source record (the demo's generated history) do not survive a rebuild.
/// </summary>
public sealed class DashboardRebuild(
    DashboardCounterStore counters, DashboardService dashboards, LaunchStore launches, CampaignSendLog sends, CampaignEngagementStore engagement,
    SuppressionList suppressions, CrmWebhookStore crm, SocialPostLog posts, ILogger<DashboardRebuild> logger)
{
    /// <summary>At most this many months in one rebuild (a year and a half: the dashboards' longest period and some).</summary>
    public const int MaxMonths = 18;

    public async Task<DashboardRebuildResult> RebuildAsync(string vendorId, DateOnly fromMonth, DateOnly toMonth, CancellationToken ct)
    {
        fromMonth = new DateOnly(fromMonth.Year, fromMonth.Month, 1);
        toMonth = new DateOnly(toMonth.Year, toMonth.Month, 1);
        var lastDay = toMonth.AddMonths(1).AddDays(-1);
        bool InRange(DateTimeOffset at) => dashboards.DayOf(at) is var d && d >= fromMonth && d <= lastDay;

        var cleared = 0;
        for (var m = fromMonth; m <= toMonth; m = m.AddMonths(1)) cleared += await counters.ClearMonthAsync(vendorId, m, ct);

        int found = 0, counted = 0;
        async Task Count(Activity a)
        {
            found++;
            if (await dashboards.CountAsync(a, ct)) counted++;
        }
        foreach (var invitation in await launches.InvitationsAsync(vendorId, ct))
        {
            Activity Of(ActivityKind kind, DateTimeOffset at) => new(vendorId, invitation.Id, kind, invitation.PartnerId, invitation.KitId, invitation.Version, at);
            if (InRange(invitation.CreatedAt)) await Count(Of(ActivityKind.Invited, invitation.CreatedAt));
            if (invitation.OpenedAt is { } opened && InRange(opened)) await Count(Of(ActivityKind.LaunchLinkOpened, opened));
        }
        var all = await launches.LaunchesAsync(vendorId, ct);
        foreach (var launch in all)
        {
            Activity Of(string eventId, ActivityKind kind, DateTimeOffset at) => new(vendorId, eventId, kind, launch.PartnerId, launch.KitId, launch.Version, at);
            if (InRange(launch.CreatedAt)) await Count(Of(launch.LaunchId, ActivityKind.Launched, launch.CreatedAt));
            foreach (var post in (await posts.SummariseAsync(vendorId, launch.LaunchId, ct)).Posts.Where(p => p.Status == SocialPostStatus.Published))
                if (InRange(post.UpdatedAt)) await Count(Of(post.PostId, ActivityKind.PostPublished, post.UpdatedAt));
            foreach (var (sendId, at) in await sends.SentAsync(vendorId, launch.LaunchId, ct))
                if (InRange(at)) await Count(Of(sendId, ActivityKind.EmailSent, at));
            var firsts = await engagement.FirstsAsync(vendorId, launch.LaunchId, ct);
            foreach (var send in firsts.GroupBy(f => f.SendId))
            {
                // A click is an open; before clicks recorded their open too, a clicked send had only its click's time.
                var opened = send.FirstOrDefault(f => f.Kind == EngagementKind.Opened);
                var clicked = send.FirstOrDefault(f => f.Kind == EngagementKind.Clicked);
                var openedAt = opened.SendId is not null ? opened.At : clicked.At;
                if (InRange(openedAt)) await Count(Of(send.Key, ActivityKind.EmailOpened, openedAt));
                if (clicked.SendId is not null && InRange(clicked.At)) await Count(Of(send.Key, ActivityKind.EmailClicked, clicked.At));
            }
        }
        var byLaunch = all.ToDictionary(l => l.LaunchId, StringComparer.Ordinal);
        foreach (var partnerId in all.Select(l => l.PartnerId).Distinct(StringComparer.Ordinal))
            foreach (var (source, at) in await suppressions.UnsubscribesAsync(vendorId, partnerId, ct))
                // Written as "launch {launchId} send {sendId}" by the unsubscribe page; anything else was not a campaign email's.
                if (source.Split(' ') is ["launch", var launchId, "send", var sendId] && byLaunch.TryGetValue(launchId, out var launch) && InRange(at))
                    await Count(new Activity(vendorId, sendId, ActivityKind.Unsubscribed, launch.PartnerId, launch.KitId, launch.Version, at));

        await foreach (var (eventId, json) in crm.NotificationsAsync(vendorId, ct))
        {
            CrmNotification? notification;
            try { notification = JsonSerializer.Deserialize<CrmNotification>(json, JsonSerializerOptions.Web); }
            catch (JsonException) { notification = null; }
            if (notification?.Change is not { } change || !InRange(change.At)) continue;
            found++;
            if (await dashboards.CountLeadChangeAsync(vendorId, eventId, change, ct)) counted++;
        }
        logger.LogInformation("Dashboard rebuild of {VendorId} {From:yyyy-MM} to {To:yyyy-MM}: {Cleared} rows cleared, {Found} events found, {Counted} counted",
            vendorId, fromMonth, toMonth, cleared, found, counted);
        return new DashboardRebuildResult(fromMonth, toMonth, cleared, found, counted);
    }
}
