using Tcma.Domain.Dashboards;
using Tcma.Domain.Partners;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Dashboards;

/// <summary>
/// The demo's history for the console's dashboards (Development only, vendor <c>demo</c> of <c>./tcma run</c>): two
/// quarters of weekly activity per demo partner, generated from a fixed seed (the same figures on every machine) and
/// counted as bulk activities through the counters' own path. It is simulated history: the launches, emails and leads
/// behind these counts are not records the other pages list (those show what happens from now on).
/// </summary>
public sealed class DashboardDemo(DashboardService dashboards, PartnerDirectory partners, ILogger<DashboardDemo> logger)
{
    public const string EventPrefix = "demo-history";

    public async Task SeedAsync(string vendorId, IReadOnlyList<(string KitId, string Version)> kits, CancellationToken ct)
    {
        if (kits.Count == 0) return;
        var today = dashboards.Today;
        var quarterStart = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        var from = DashboardService.WeekStart(quarterStart.AddMonths(-3));
        var directory = (await partners.ListAsync(vendorId, ct: ct)).Select(p => p.Partner).Where(p => p.Status == PartnerStatus.Active).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        var activities = new List<Activity>();
        foreach (var (partner, index) in directory.Select((p, i) => (p, i)))
        {
            var random = new Random(1709 + index * 7919); // not HashCode.Combine: it differs per process
            var sla = new Random(4271 + index * 7919);
            var funnel = new Random(6133 + index * 7919);
            var social = new Random(8191 + index * 7919);
            // Invitations to each kit, this quarter or the one before, and whether the partner opened the link: drawn from a
            // third sequence, so the figures below stay what they were. Most partners are invited; the engaged ones open.
            foreach (var kit in kits)
            {
                if (funnel.NextDouble() > 0.85) continue;
                var invitedOn = funnel.NextDouble() < 0.5 ? from.AddDays(funnel.Next(0, 21)) : quarterStart.AddDays(funnel.Next(0, 21));
                if (invitedOn > today) invitedOn = today;
                var invitedAt = new DateTimeOffset(invitedOn.ToDateTime(new TimeOnly(8, 0)), TimeSpan.Zero);
                activities.Add(new Activity(vendorId, $"{EventPrefix}|{partner.Id}|{kit.KitId}|{ActivityKind.Invited}", ActivityKind.Invited, partner.Id, kit.KitId, kit.Version, invitedAt));
                var opens = funnel.NextDouble() < (index % 3 == 2 ? 0.3 : 0.85);
                var openedAt = invitedAt.AddHours(2 + funnel.Next(0, 72));
                if (opens && DateOnly.FromDateTime(openedAt.UtcDateTime) <= today)
                    activities.Add(new Activity(vendorId, $"{EventPrefix}|{partner.Id}|{kit.KitId}|{ActivityKind.LaunchLinkOpened}", ActivityKind.LaunchLinkOpened, partner.Id, kit.KitId, kit.Version, openedAt));
            }
            // A third of partners never start (participation is the problem programs have), some slip late in the quarter.
            var engagement = index % 3 == 2 ? 0.0 : 0.3 + random.NextDouble() * (partner.Tier is "Gold" or "Platinum" ? 1.0 : 0.6);
            var slipsAfter = index % 5 == 1 ? today.AddDays(-28) : DateOnly.MaxValue;
            for (var week = from; week <= today; week = week.AddDays(7))
            {
                if (engagement == 0 || week > slipsAfter || random.NextDouble() > engagement) continue;
                var kit = kits[random.Next(kits.Count)];
                var at = new DateTimeOffset(week.AddDays(random.Next(0, 5)).ToDateTime(new TimeOnly(9 + random.Next(0, 8), 0)), TimeSpan.Zero);
                if (DateOnly.FromDateTime(at.UtcDateTime) > today) continue;
                var sent = random.Next(20, 160);
                var opened = (int)(sent * (0.2 + random.NextDouble() * 0.3));
                var clicked = (int)(opened * (0.1 + random.NextDouble() * 0.3));
                var leads = random.NextDouble() < 0.6 ? random.Next(0, 1 + clicked / 4) : 0;
                var accepted = (int)Math.Round(leads * (0.5 + random.NextDouble() * 0.5));
                var won = accepted > 0 && random.NextDouble() < 0.35 ? 1 : 0;
                void Add(ActivityKind kind, int quantity, decimal amount = 0)
                {
                    if (quantity > 0)
                        activities.Add(new Activity(vendorId, $"{EventPrefix}|{partner.Id}|{week:yyyyMMdd}|{kind}", kind, partner.Id, kit.KitId, kit.Version, at, amount, quantity));
                }
                Add(ActivityKind.Launched, random.NextDouble() < 0.5 ? 1 : 0);
                Add(ActivityKind.EmailSent, sent);
                Add(ActivityKind.EmailOpened, opened);
                Add(ActivityKind.EmailClicked, clicked);
                Add(ActivityKind.Unsubscribed, random.NextDouble() < 0.3 ? 1 : 0);
                Add(ActivityKind.PostPublished, social.NextDouble() < 0.6 ? social.Next(1, 4) : 0);
                Add(ActivityKind.LeadCaptured, leads);
                Add(ActivityKind.LeadAccepted, accepted);
                Add(ActivityKind.LeadWon, won, won * (random.Next(8, 60) * 250m));
                // What happened to the offers, drawn from a second sequence so the figures above stay what they were.
                var unanswered = leads - accepted;
                var rejected = unanswered == 0 ? 0 : sla.Next(0, unanswered + 1);
                var lapsed = unanswered - rejected;
                Add(ActivityKind.LeadRejected, rejected);
                Add(ActivityKind.LeadLapsed, lapsed);
                Add(ActivityKind.LeadPooled, lapsed > 0 && sla.NextDouble() < 0.4 ? 1 : 0);
                Add(ActivityKind.LeadRecalled, accepted > 0 && sla.NextDouble() < 0.05 ? 1 : 0);
                Add(ActivityKind.LeadLost, accepted - won > 0 && sla.NextDouble() < 0.3 ? 1 : 0);
                // Faster partners (the engaged ones) answer sooner: the tier table shows a spread.
                foreach (var band in Enumerable.Range(0, accepted).Select(_ => LeadAcceptance.Band(TimeSpan.FromHours(sla.NextDouble() * (engagement > 0.6 ? 6 : 30)))).GroupBy(b => b))
                    Add(band.Key, band.Count());
            }
        }
        // Months are separate partitions: counting them side by side takes a third of the time.
        var counted = 0;
        await Parallel.ForEachAsync(activities.GroupBy(a => (a.At.Year, a.At.Month)), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (month, token) =>
        {
            foreach (var a in month)
                if (await dashboards.CountAsync(a, token)) Interlocked.Increment(ref counted);
        });
        logger.LogInformation("Demo dashboard history for {Vendor}: {Counted} of {Total} activities counted (the rest were there already)", vendorId, counted, activities.Count);
    }
}
