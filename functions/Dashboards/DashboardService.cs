using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tcma.Domain.Dashboards;
using ActivityKind = Tcma.Domain.Dashboards.ActivityKind;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.Storage.Dashboards;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Dashboards;

/// <summary>Dashboard settings (<c>Dashboards:*</c>).</summary>
public sealed class DashboardOptions
{
    public const string Section = "Dashboards";
    /// <summary>The time zone days and periods are counted in (the vendor's; one per deployment until vendors keep their own).</summary>
    public string TimeZone { get; set; } = "UTC";
    /// <summary>How long a page reuses the vendor's partner list (tiers, regions, names).</summary>
    public TimeSpan PartnerCacheTime { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>How long an instance reuses the counter rows of a month before this one (another instance's late count shows within it).</summary>
    public TimeSpan ClosedMonthCacheTime { get; set; } = TimeSpan.FromMinutes(5);
    /// <summary>What each part of the engagement score weighs (docs/DASHBOARDS.md).</summary>
    public ScoreWeights ScoreWeights { get; set; } = new();
    /// <summary>A partner with no activity for this many days is flagged "at risk".</summary>
    public int SilentDays { get; set; } = 21;
}

public sealed record DashboardFilters(string? Tier = null, string? Region = null, string? Kit = null)
{
    public bool Any => Tier is not null || Region is not null || Kit is not null;
}

public sealed record KitResult(string KitId, string Version, Counts Counts);
public sealed record PartnerResult(string PartnerId, string Name, string Tier, string Region, Counts Counts, DateOnly? LastActive = null)
{
    /// <summary>The engagement score over the period (null for activity of no partner in the directory).</summary>
    public int? Score { get; init; }
}

/// <summary>A partner flagged on the home page, with why.</summary>
public sealed record AtRiskPartner(string PartnerId, string Name, string Tier, int Score, string Reason);

/// <summary>One partner's page: its figures, weeks, score and why.</summary>
public sealed record Scorecard(Partner Partner, DashboardPeriod Period, Counts Counts, IReadOnlyList<WeekCounts> Weeks, PartnerScore Score);
/// <param name="Step">The key of the partners behind the number (for the partner table), null for the partner list itself.</param>
public sealed record FunnelStep(string Label, long Count, string? Step);
public sealed record WeekCounts(DateOnly Start, Counts Counts);

/// <summary>What the console's home page shows for a period and filters.</summary>
public sealed record DashboardView(
    DashboardPeriod Period, DashboardFilters Filters, Counts Totals, IReadOnlyList<WeekCounts> Weeks, IReadOnlyList<FunnelStep> Funnel,
    IReadOnlyList<KitResult> Kits, IReadOnlyList<PartnerResult> Partners, IReadOnlyList<string> Tiers, IReadOnlyList<string> Regions, IReadOnlyList<string> KitIds,
    IReadOnlyList<AtRiskPartner> AtRisk);

/// <summary>
/// Counts what partners do as the functions that do it report it (each report named by its exactly-once record, so a
/// retry counts once), and reads the counters back for the console: no page scans the records themselves.
/// </summary>
public sealed class DashboardService(
    DashboardCounterStore counters, DashboardSettingsStore settings, LaunchStore launches, LeadStore leads, PartnerDirectory partners, IMemoryCache cache,
    IOptions<DashboardOptions> options, TimeProvider clock, ILogger<DashboardService> logger)
{
    /// <summary>The vendor's engagement-score weights: its own when an admin set them, else the deployment's default.</summary>
    public async Task<(ScoreWeights Weights, bool Own)> WeightsAsync(string vendorId, CancellationToken ct) =>
        (await cache.GetOrCreateAsync(("dashboard-weights", vendorId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = options.Value.PartnerCacheTime;
            var (own, _) = await settings.GetWeightsAsync(vendorId, ct);
            return (own ?? options.Value.ScoreWeights, own is not null);
        }));

    /// <summary>Saves the vendor's weights (see <see cref="DashboardSettingsStore.SaveWeightsAsync"/>); this instance's pages use them at once.</summary>
    public async Task<(bool Saved, Azure.ETag ETag)> SaveWeightsAsync(string vendorId, ScoreWeights weights, string? ifMatch, CancellationToken ct)
    {
        var result = await settings.SaveWeightsAsync(vendorId, weights, ifMatch, ct);
        cache.Remove(("dashboard-weights", vendorId));
        return result;
    }

    public TimeZoneInfo Zone => TimeZoneInfo.TryFindSystemTimeZoneById(options.Value.TimeZone, out var z) ? z : TimeZoneInfo.Utc;

    public DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), Zone).DateTime);

    public DateOnly DayOf(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);

    public async Task<bool> CountAsync(Activity activity, CancellationToken ct) =>
        await counters.CountAsync(activity, DayOf(activity.At), ct, await GroupsAsync(activity.VendorId, activity.PartnerId, ct));

    /// <summary>
    /// The partner's tier and region as counter groups, so a tier's or a region's weeks are kept without a row per partner.
    /// An event counts under the groups its partner has when it is counted (a tier changed since is not rewritten).
    /// </summary>
    private async Task<IReadOnlyList<string>> GroupsAsync(string vendorId, string partnerId, CancellationToken ct) =>
        partnerId == "-" ? [] : (await cache.GetOrCreateAsync(("dashboard-groups", vendorId, partnerId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = TimeSpan.FromMinutes(5);
            if ((await partners.GetAsync(vendorId, partnerId, ct))?.Partner is not { } p) return (IReadOnlyList<string>)[];
            var groups = new List<string>();
            if (!string.IsNullOrWhiteSpace(p.Tier)) groups.Add(CounterRow.TierGroup(p.Tier));
            if (!string.IsNullOrWhiteSpace(p.Region)) groups.Add(CounterRow.RegionGroup(p.Region));
            return groups;
        }))!;

    /// <summary>An event of a launch (a send, an open, a click): its partner and kit are the launch's.</summary>
    public async Task<bool> CountLaunchEventAsync(string vendorId, string launchId, string eventId, ActivityKind kind, DateTimeOffset at, CancellationToken ct)
    {
        var launch = await cache.GetOrCreateAsync(("dashboard-launch", vendorId, launchId), async entry =>
        {
            entry.SlidingExpiration = TimeSpan.FromMinutes(10);
            return await launches.LaunchAsync(vendorId, launchId, ct);
        });
        if (launch is null)
        {
            logger.LogWarning("Dashboard: {Kind} {EventId} names launch {LaunchId} of {VendorId}, which does not exist; not counted", kind, eventId, launchId, vendorId);
            return false;
        }
        return await CountAsync(new Activity(vendorId, eventId, kind, launch.PartnerId, launch.KitId, launch.Version, at), ct);
    }

    /// <summary>
    /// A lead's change as its workflow announces it (the CRM notification, sent exactly once per change): a new lead, an
    /// acceptance (with how long it took), a rejection, a lapse of the SLA, a recall, a move to the vendor's pool, a win
    /// with its amount, a loss. The lead's landing page names its partner and kit.
    /// </summary>
    public async Task<bool> CountLeadChangeAsync(string vendorId, string eventId, CrmChange change, CancellationToken ct)
    {
        var kind = change.EventType switch
        {
            CrmEventTypes.Created => ActivityKind.LeadCaptured,
            CrmEventTypes.Accepted => ActivityKind.LeadAccepted,
            CrmEventTypes.Won => ActivityKind.LeadWon,
            CrmEventTypes.Rejected => ActivityKind.LeadRejected,
            CrmEventTypes.SlaExpired => ActivityKind.LeadLapsed,
            CrmEventTypes.Recalled => ActivityKind.LeadRecalled,
            CrmEventTypes.VendorPool => ActivityKind.LeadPooled,
            CrmEventTypes.Lost => ActivityKind.LeadLost,
            _ => (ActivityKind?)null,
        };
        if (kind is null) return false;
        var lead = await leads.GetAsync(vendorId, change.LeadId, ct);
        if (lead is null) return false; // erased since: its counts went with it
        var (partner, kit, launchId) = lead.Source is LeadSource.LandingPage lp ? (lp.PartnerId, lp.KitId, lp.LaunchId) : (change.PartnerId ?? lead.PartnerId ?? "-", null, null);
        var version = launchId is null ? null : (await launches.LaunchAsync(vendorId, launchId, ct))?.Version;
        var amount = kind == ActivityKind.LeadWon && lead.Status is LeadStatus.Won won ? won.Amount : 0;
        var by = kind == ActivityKind.LeadCaptured ? partner : change.PartnerId ?? partner;
        var counted = await CountAsync(new Activity(vendorId, eventId, kind.Value, by, kit, version, change.At, amount), ct);
        // The time to accept, as its own count under the same event id: a redelivery finds both markers and counts neither.
        if (kind == ActivityKind.LeadAccepted && change.OfferedAt is { } offered)
            counted |= await CountAsync(new Activity(vendorId, eventId, LeadAcceptance.Band(change.At - offered), by, kit, version, change.At), ct);
        return counted;
    }

    public async Task<DashboardView> HomeAsync(string vendorId, DashboardPeriod period, DashboardFilters filters, CancellationToken ct)
    {
        // Unfiltered, kits and partners come from the month rows (64 rows a month however many partners), and so they do for
        // one tier or one region, whose weeks come from its group rows; a kit filter, or a tier and a region together, needs
        // the day rows, which narrow the weekly charts too.
        var group = filters.Kit is null && (filters.Tier is null) != (filters.Region is null)
            ? filters.Tier is { } tier ? CounterRow.TierGroup(tier) : CounterRow.RegionGroup(filters.Region!) : null;
        var rollups = !filters.Any || group is not null ? Today : (DateOnly?)null;
        var rowsTask = counters.ReadAsync(vendorId, period.From, period.To, rollups, ct, today: Today);
        var previous = period.Previous;
        var previousTask = previous.From >= DashboardPeriod.Earliest
            ? counters.ReadAsync(vendorId, previous.From, previous.To, rollups, ct, today: Today)
            : Task.FromResult<IReadOnlyList<CounterRow>>([]);
        var weightsTask = WeightsAsync(vendorId, ct);
        var directory = await PartnersAsync(vendorId, ct);
        var rows = await rowsTask;
        var (weights, _) = await weightsTask;
        var before = (await previousTask).Where(r => r.PartnerId is not null).GroupBy(r => r.PartnerId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Counts: Counts.Sum(g.Select(r => r.Counts)), Last: g.Max(r => r.Day)), StringComparer.Ordinal);
        var byId = directory.ToDictionary(p => p.Id, StringComparer.Ordinal);
        bool PartnerMatches(string? id) =>
            (filters.Tier is null && filters.Region is null) || (id is not null && byId.TryGetValue(id, out var p) && p.Matches(filters.Tier, filters.Region, null));

        // Totals come from the vendor rows when nothing narrows them, else from the rows that carry what is filtered on.
        var dayRows = rows.Where(r => r.KitId is null && r.PartnerId is null && r.Group is null).ToList();
        var kitRows = rows.Where(r => r.KitId is not null && (filters.Kit is null || r.KitId == filters.Kit)).ToList();
        var partnerRows = rows.Where(r => r.PartnerId is not null && PartnerMatches(r.PartnerId)).ToList();
        // One tier or region: its group rows for the months read whole, its partners' day rows for months read by day.
        IEnumerable<CounterRow> basis = filters.Kit is not null ? kitRows
            : group is not null ? rows.Where(r => r.Group == group).Concat(partnerRows.Where(r => !r.IsMonth))
            : filters.Tier is not null || filters.Region is not null ? partnerRows : dayRows;
        if (filters.Kit is not null && (filters.Tier is not null || filters.Region is not null))
            basis = []; // kit and tier together need rows per kit and partner, which are not kept: the page says so

        var totals = Counts.Sum(basis.Select(r => r.Counts));
        var weeks = basis.GroupBy(r => WeekStart(r.Day)).ToDictionary(g => g.Key, g => Counts.Sum(g.Select(r => r.Counts)));
        var weekList = new List<WeekCounts>();
        for (var w = WeekStart(period.From); w <= period.To; w = w.AddDays(7)) weekList.Add(new WeekCounts(w, weeks.GetValueOrDefault(w, Counts.Zero)));

        var kits = kitRows.GroupBy(r => (r.KitId!, r.Version ?? ""))
            .Select(g => new KitResult(g.Key.Item1, g.Key.Item2, Counts.Sum(g.Select(r => r.Counts))))
            .OrderByDescending(k => k.Counts[ActivityKind.LeadCaptured]).ThenByDescending(k => k.Counts[ActivityKind.Launched]).ThenBy(k => k.KitId, StringComparer.Ordinal).ToList();
        var partnerResults = partnerRows.GroupBy(r => r.PartnerId!)
            .Select(g => byId.TryGetValue(g.Key, out var p)
                ? new PartnerResult(p.Id, p.CompanyName, p.Tier, p.Region, Counts.Sum(g.Select(r => r.Counts)), g.Max(r => r.Day))
                : new PartnerResult(g.Key, g.Key == "-" ? "No partner (vendor's own)" : g.Key, "", "", Counts.Sum(g.Select(r => r.Counts)), g.Max(r => r.Day)))
            .OrderByDescending(p => p.Counts.Won).ThenByDescending(p => p.Counts[ActivityKind.LeadCaptured]).ThenBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();

        var active = directory.Count(p => p.Status == PartnerStatus.Active && p.Matches(filters.Tier, filters.Region, null));
        long Reaching(string step) => partnerResults.Count(p => p.PartnerId != "-" && Reached(p, step));
        var funnel = new List<FunnelStep>
        {
            new("Active partners", active, null),
            new("Invited to a campaign", Reaching("invited"), "invited"),
            new("…and opened the launch link", Reaching("opened"), "opened"),
            new("…and launched a campaign", Reaching("launched"), "launched"),
            new("…and sent an email", Reaching("sent"), "sent"),
            new("…and produced a lead", Reaching("lead"), "lead"),
            new("…and won revenue", Reaching("won"), "won"),
        };

        var results = partnerResults.ToDictionary(p => p.PartnerId, StringComparer.Ordinal);
        var o = options.Value;
        var scored = directory.Where(p => p.Status == PartnerStatus.Active && p.Matches(filters.Tier, filters.Region, null))
            .Select(p => (p, Score: EngagementScore.WithTrend(
                EngagementScore.For(results.GetValueOrDefault(p.Id)?.Counts ?? Counts.Zero, results.GetValueOrDefault(p.Id)?.LastActive, period.To, period.Days, weights, o.SilentDays),
                EngagementScore.For(before.TryGetValue(p.Id, out var b) ? b.Counts : Counts.Zero, before.TryGetValue(p.Id, out b) ? b.Last : null, previous.To, previous.Days, weights, o.SilentDays),
                period.Days)))
            .ToList();
        var scores = scored.ToDictionary(x => x.p.Id, x => x.Score.Value, StringComparer.Ordinal);
        partnerResults = partnerResults.Select(r => scores.TryGetValue(r.PartnerId, out var v) ? r with { Score = v } : r).ToList();
        var atRisk = scored
            .Where(x => x.Score.AtRisk)
            .Select(x => new AtRiskPartner(x.p.Id, x.p.CompanyName, x.p.Tier, x.Score.Value, x.Score.RiskReason!))
            .OrderBy(x => x.Score).ThenBy(x => x.Name, StringComparer.CurrentCultureIgnoreCase).ToList();

        return new DashboardView(period, filters, totals, weekList, funnel, kits, partnerResults,
            directory.Select(p => p.Tier).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList(),
            directory.Select(p => p.Region).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList(),
            rows.Where(r => r.KitId is not null).Select(r => r.KitId!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(),
            atRisk);
    }

    /// <summary>One partner's figures and score for the period; null when the vendor has no such partner.</summary>
    public async Task<Scorecard?> ScorecardAsync(string vendorId, string partnerId, DashboardPeriod period, CancellationToken ct)
    {
        if (await partners.GetAsync(vendorId, partnerId, ct) is not { } stored) return null;
        var rows = await counters.ReadPartnerAsync(vendorId, partnerId, period.From, period.To, ct);
        var weeks = rows.GroupBy(r => WeekStart(r.Day)).ToDictionary(g => g.Key, g => Counts.Sum(g.Select(r => r.Counts)));
        var weekList = new List<WeekCounts>();
        for (var w = WeekStart(period.From); w <= period.To; w = w.AddDays(7)) weekList.Add(new WeekCounts(w, weeks.GetValueOrDefault(w, Counts.Zero)));
        var counts = Counts.Sum(rows.Select(r => r.Counts));
        var o = options.Value;
        var (weights, _) = await WeightsAsync(vendorId, ct);
        var score = EngagementScore.For(counts, rows.Count == 0 ? null : rows.Max(r => r.Day), period.To, period.Days, weights, o.SilentDays);
        return new Scorecard(stored.Partner, period, counts, weekList, score);
    }

    /// <summary>
    /// Whether a partner reached a step of the funnel in the period, and every step before it (so each step is a part of
    /// the one before, as a funnel is), for the step's count and "the partners behind this number".
    /// </summary>
    public static bool Reached(PartnerResult p, string step)
    {
        var c = p.Counts;
        return step switch
        {
            // A partner that launched in the period was invited and opened its link, if perhaps before the period began.
            "invited" => c[ActivityKind.Invited] > 0 || Reached(p, "opened"),
            "opened" => c[ActivityKind.LaunchLinkOpened] > 0 || Reached(p, "launched"),
            "launched" => c[ActivityKind.Launched] > 0,
            "sent" => Reached(p, "launched") && c[ActivityKind.EmailSent] > 0,
            "lead" => Reached(p, "sent") && c[ActivityKind.LeadCaptured] > 0,
            "won" => Reached(p, "lead") && c[ActivityKind.LeadWon] > 0,
            _ => true,
        };
    }

    /// <summary>Weeks start on Monday, as ISO weeks do.</summary>
    public static DateOnly WeekStart(DateOnly d) => d.AddDays(-(((int)d.DayOfWeek + 6) % 7));

    private async Task<IReadOnlyList<Partner>> PartnersAsync(string vendorId, CancellationToken ct) =>
        (await cache.GetOrCreateAsync(("dashboard-partners", vendorId), async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = options.Value.PartnerCacheTime;
            return (IReadOnlyList<Partner>)(await partners.ListAsync(vendorId, ct: ct)).Select(p => p.Partner).ToList();
        }))!;
}
