using System.Collections.Concurrent;
using Tcma.Domain.Dashboards;
using Tcma.Storage.Launches;

namespace Tcma.Functions.Dashboards;

/// <summary>Time to first launch of the partners first invited in the home page's period, from the invitations and their launches.</summary>
public sealed class DashboardFirstLaunch(LaunchStore launches, DashboardService dashboards)
{
    public async Task<FirstLaunchSummary> HomeAsync(string vendorId, DashboardPeriod period, CancellationToken ct)
    {
        var invitations = await launches.InvitationsAsync(vendorId, ct);
        // Only a partner first invited in the period can count, so only its launches are read (one point read each).
        var first = invitations.GroupBy(i => i.PartnerId, StringComparer.Ordinal).Where(g =>
        {
            var day = dashboards.DayOf(g.Min(i => i.CreatedAt));
            return day >= period.From && day <= period.To;
        }).SelectMany(g => g).ToList();
        var timings = new ConcurrentBag<InvitationTiming>();
        await Parallel.ForEachAsync(first, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (i, token) =>
        {
            var launched = i.LaunchId is { } id ? (await launches.LaunchAsync(vendorId, id, token))?.CreatedAt : null;
            timings.Add(new InvitationTiming(i.PartnerId, i.CreatedAt, launched));
        });
        return FirstLaunch.Summarise(timings, period.From, period.To, dashboards.DayOf);
    }
}
