using Tcma.Domain.Launches;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.Domain.Portal;
using Tcma.Domain.Rendering;
using Tcma.Functions.Launches;
using Tcma.Functions.Leads;
using Tcma.Functions.Mdf;
using Tcma.Functions.Kits;
using Tcma.Rendering.Images;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;
using Tcma.Storage.Syndication;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Portal;

/// <summary>One of the partner's launches as the portal lists it.</summary>
public sealed record PortalLaunch(string LaunchId, string KitId, string Version, string KitName, LaunchStatus Status, DateTimeOffset CreatedAt,
    DateOnly StartDate, string TimeZone, int Contacts, bool Email, IReadOnlyList<Tcma.Domain.SocialNetwork> Networks, DateTimeOffset? NextTouchUtc);

/// <summary>A kit version's card in the library: what it is, its badges, this partner's launch of it, and its co-branded preview.</summary>
public sealed record LibraryCard(LibraryKit Kit, IReadOnlyList<LibraryBadge> Badges, PortalLaunch? Launch, string? ThumbnailUrl);

public sealed record LibraryView(LibraryPage Page, IReadOnlyList<LibraryCard> Cards, LibraryQuery Query, bool HasBrand);

/// <summary>Something waiting for the partner, most urgent first: what the portal's home page opens with.</summary>
public sealed record AttentionItem(string Kind, string Title, string Detail, string Href, DateTimeOffset? Due);

/// <summary>
/// The partner portal's reads: the campaign library (exactly the versions this partner may launch, each card with its
/// co-branded preview), the partner's launches, and what needs the partner now. Every read is scoped to the one
/// partner of the signed-in user.
/// </summary>
public sealed class PartnerPortal(
    PortalCatalog catalog, PartnerDirectory partners, BrandProfileStore brands, LaunchStore launches, LaunchService launchService,
    KitIndex kitIndex, KitVersionFiles kitFiles, LaunchPreviews previews, RenderStore renders,
    LeadStore leads, LeadRoutingService routing, SocialAccountStore social,
    MdfProgramStore programs, MdfRequestIndex mdfIndex, WorkflowEngine engine, FundLedgerStore ledger, TimeProvider clock)
{
    /// <summary>Library cards show previews this wide (twice a phone card's CSS width, for sharp screens).</summary>
    public const int ThumbnailWidth = 480;

    /// <param name="launched">The partner's launches when the caller has them already (the home page), else they are read.</param>
    public async Task<LibraryView?> LibraryAsync(string vendorId, string partnerId, LibraryQuery query, CancellationToken ct, IReadOnlyList<PortalLaunch>? launched = null)
    {
        var partnerTask = partners.GetAsync(vendorId, partnerId, ct);
        var brandTask = brands.GetAsync(vendorId, partnerId, ct);
        var publishedTask = catalog.PublishedAsync(vendorId, ct);
        var launchedTask = launched is null ? LaunchesAsync(vendorId, partnerId, ct) : Task.FromResult(launched);
        if (await partnerTask is not { } partner) return null;
        var now = clock.GetUtcNow();
        var page = Library.Find(Library.Visible(await publishedTask, partner.Partner, now), query);
        var brand = await brandTask;
        var fingerprint = brand is null ? null : RenderKey.BrandFingerprint(brand);
        var partnerLaunches = await launchedTask;
        var cards = page.Kits.Select(k => new LibraryCard(k, Library.Badges(k, now),
            partnerLaunches.Where(l => l.KitId == k.KitId && l.Version == k.Version).OrderByDescending(l => l.CreatedAt).FirstOrDefault(),
            k.CardImage is null || fingerprint is null ? null : ThumbnailPath(k.KitId, k.Version, fingerprint))).ToList();
        return new LibraryView(page, cards, query.Normalised(), brand is not null);
    }

    public static string ThumbnailPath(string kitId, string version, string fingerprint) =>
        $"/partner/library/{Uri.EscapeDataString(kitId)}/{Uri.EscapeDataString(version)}/preview.jpg?b={fingerprint}";

    private static string ThumbnailKey(string vendorId, string kitId, string version, string fingerprint) =>
        $"library/{vendorId}/{kitId}/{version}/{fingerprint}-{ThumbnailWidth}.jpg";

    /// <summary>
    /// The card preview of a kit version for this partner: its first image with the kit's own texts and the partner's
    /// brand, scaled down, stored under the brand's fingerprint so the next view is one blob read. Null when the
    /// partner may not see the version (not published, not aimed at it, closed), or has no brand yet.
    /// </summary>
    public async Task<byte[]?> ThumbnailAsync(string vendorId, string partnerId, string kitId, string version, string? fingerprint, CancellationToken ct)
    {
        var partnerTask = partners.GetAsync(vendorId, partnerId, ct);
        var rowTask = kitIndex.GetAsync(vendorId, kitId, version, ct);
        var kit = (await catalog.PublishedAsync(vendorId, ct)).FirstOrDefault(k => k.KitId == kitId && k.Version == version);
        if (kit?.CardImage is null || await partnerTask is not { } partner || Library.WhyNot(kit, partner.Partner, clock.GetUtcNow()) is not null
            || await rowTask is not { KitStatus: Tcma.Domain.Kits.KitStatus.Published })
            return null;
        if (fingerprint is { Length: 32 } && fingerprint.All(char.IsAsciiHexDigitLower)
            && await renders.GetAsync(ThumbnailKey(vendorId, kitId, version, fingerprint), ct) is { } stored)
            return stored;
        if (await brands.GetAsync(vendorId, partnerId, ct) is not { } brand) return null;
        var key = ThumbnailKey(vendorId, kitId, version, RenderKey.BrandFingerprint(brand));
        if (await renders.GetAsync(key, ct) is { } cached) return cached;
        if (await kitFiles.GetAsync(vendorId, kitId, version, ct) is not { } files) return null;
        if (previews.Draft(files, brand, kit.CardImage, ct, thumbnailWidth: ThumbnailWidth).Result?.Bytes is not { } thumbnail) return null;
        await renders.PutAsync(key, thumbnail, "image/jpeg", ct);
        return thumbnail;
    }

    /// <summary>The partner's launches, newest first, each with its status from its workflow.</summary>
    public async Task<IReadOnlyList<PortalLaunch>> LaunchesAsync(string vendorId, string partnerId, CancellationToken ct)
    {
        var ids = await launches.PartnerLaunchesAsync(vendorId, partnerId, ct);
        if (ids.Count == 0) return [];
        var names = (await catalog.PublishedAsync(vendorId, ct)).GroupBy(k => k.KitId).ToDictionary(g => g.Key, g => g.First().Name);
        var now = clock.GetUtcNow();
        var found = await Task.WhenAll(ids.Select(async id =>
        {
            var record = await launches.LaunchAsync(vendorId, id.LaunchId, ct);
            var state = await launchService.StateAsync(vendorId, id.LaunchId, ct);
            if (record is null) return null;
            var next = state?.AllTouches.Where(t => t.State is TouchState.Scheduled && t.DueUtc > now).Select(t => (DateTimeOffset?)t.DueUtc).Min();
            return new PortalLaunch(record.LaunchId, record.KitId, record.Version, names.GetValueOrDefault(record.KitId, record.KitId),
                state?.Status ?? LaunchStatus.NotStarted, record.CreatedAt, record.StartDate, record.TimeZone, record.Contacts, record.Email, record.Networks, next);
        }));
        return found.OfType<PortalLaunch>().OrderByDescending(l => l.CreatedAt).ToList();
    }

    /// <summary>
    /// What needs the partner now, most urgent first: leads waiting to be accepted (with the time left), MDF questions
    /// to answer and claims to make before their deadline, broken social connections, and paused launches.
    /// </summary>
    public async Task<IReadOnlyList<AttentionItem>> AttentionAsync(string vendorId, string partnerId, IReadOnlyList<PortalLaunch> partnerLaunches, CancellationToken ct)
    {
        var items = new List<AttentionItem>();
        var now = clock.GetUtcNow();

        var waiting = (await leads.ListAsync(vendorId, partnerId, 500, ct)).Where(l => l.Status is LeadStatus.Assigned).Take(20).ToList();
        foreach (var lead in waiting)
        {
            var due = (await routing.GetAsync(vendorId, lead.Id, ct))?.State.Routing is { Holder: var holder, SlaDueAt: { } at } && holder == partnerId ? at : (DateTimeOffset?)null;
            if (due is { } d && d <= now) continue;
            var who = string.Join(" ", new[] { lead.Person.FirstName, lead.Person.LastName }.Where(s => !string.IsNullOrWhiteSpace(s)));
            items.Add(new AttentionItem("lead", $"Accept or reject the lead from {(who.Length > 0 ? who : "a new contact")}{(lead.Person.Company is { Length: > 0 } c ? $", {c}" : "")}",
                due is { } left ? $"{TimeLeft(left - now)} left, then it goes to another partner" : "Waiting for your answer", "/partner/leads", due));
        }

        var mdf = await MdfRequestEndpoints.OverviewAsync(vendorId, partnerId, programs, mdfIndex, engine, ledger, ct);
        foreach (var r in mdf.Requests)
        {
            if (r.Status == FundRequestStatus.InformationRequested)
                items.Add(new AttentionItem("mdf", $"Answer your vendor's question about “{Short(r.Proposal?.Description)}”", r.Question ?? "", "/partner/mdf", null));
            if (r.Status == FundRequestStatus.Approved && r.ClaimId is null && r.ClaimDeadline is { } deadline && Days.EndOf(deadline) > now)
                items.Add(new AttentionItem("mdf", $"Claim {r.Amount} for “{Short(r.Proposal?.Description)}”",
                    $"Claim with your proof by {deadline:d MMM yyyy} ({TimeLeft(Days.EndOf(deadline) - now)} left)", "/partner/mdf", Days.EndOf(deadline)));
        }

        foreach (var account in (await social.ListAsync(vendorId, partnerId, ct)).Where(a => a.NeedsReconnect))
            items.Add(new AttentionItem("social", $"Reconnect your {account.Network} account ({account.DisplayName})",
                "Scheduled posts to it cannot go out until you reconnect.", "/partner/social", null));

        foreach (var launch in partnerLaunches.Where(l => l.Status == LaunchStatus.Paused))
            items.Add(new AttentionItem("launch", $"“{launch.KitName}” is paused", "Nothing more is sent until you resume it.",
                $"/partner/launches/{Uri.EscapeDataString(launch.LaunchId)}", null));

        return items.OrderBy(i => i.Due ?? DateTimeOffset.MaxValue).ToList();
    }

    public static string TimeLeft(TimeSpan left) =>
        left.TotalHours < 1 ? $"{Math.Max(1, (int)left.TotalMinutes)} min"
        : left.TotalHours < 48 ? $"{(int)left.TotalHours} h"
        : $"{(int)left.TotalDays} days";

    private static string Short(string? s) => string.IsNullOrEmpty(s) ? "your activity" : s.Length <= 60 ? s : s[..57] + "…";
}
