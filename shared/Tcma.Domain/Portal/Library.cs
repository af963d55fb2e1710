using Tcma.Domain.Kits;
using Tcma.Domain.Launches;
using Tcma.Domain.Partners;

namespace Tcma.Domain.Portal;

/// <summary>One published kit version as the partner portal's campaign library knows it.</summary>
public sealed record LibraryKit(
    string KitId, string Version, string Name, string Description, string VendorName,
    IReadOnlyList<string> Languages, IReadOnlyList<string> Topics, IReadOnlyList<string> Channels, string? CardImage,
    KitTargeting Targeting, DateTimeOffset PublishedAt);

/// <summary>What the partner asked the library for. Everything is optional; text is trimmed and bounded.</summary>
public sealed record LibraryQuery(string? Topic = null, string? Channel = null, string? Language = null, string? Search = null, int Page = 1)
{
    public const int PageSize = 12;
    public const int MaxSearchLength = 100;

    public LibraryQuery Normalised() => new(Clean(Topic), Clean(Channel), Clean(Language), Clean(Search, MaxSearchLength), Math.Clamp(Page, 1, 10_000));

    private static string? Clean(string? s, int max = 60)
    {
        var t = s?.Trim();
        if (string.IsNullOrEmpty(t)) return null;
        return t.Length > max ? t[..max] : t;
    }
}

public enum LibraryBadge { New, Expiring }

/// <summary>The filter values the partner can pick from: those of the kits open to this partner, never of others.</summary>
public sealed record LibraryFacets(IReadOnlyList<string> Topics, IReadOnlyList<string> Channels, IReadOnlyList<string> Languages);

public sealed record LibraryPage(IReadOnlyList<LibraryKit> Kits, int Total, int Page, int Pages, LibraryFacets Facets);

/// <summary>
/// The campaign library's rules: a partner sees exactly the published versions it may launch today (the kit's targeting
/// by tier, region and specialisation, and its publish window), newest first, filtered and paged.
/// </summary>
public static class Library
{
    /// <summary>Published this recently: "new".</summary>
    public static readonly TimeSpan NewFor = TimeSpan.FromDays(14);
    /// <summary>Closing this soon: "expiring".</summary>
    public static readonly TimeSpan ExpiringWithin = TimeSpan.FromDays(14);

    /// <summary>Why the partner may not launch this version now, in the partner's words; null when it may.</summary>
    public static string? WhyNot(LibraryKit kit, Partner partner, DateTimeOffset now) =>
        partner.Status != PartnerStatus.Active ? "your partner account is not active"
        : LaunchTargeting.Closed(kit.Targeting, now) ?? LaunchTargeting.Excludes(kit.Targeting, partner);

    public static IReadOnlyList<LibraryKit> Visible(IEnumerable<LibraryKit> published, Partner partner, DateTimeOffset now) =>
        published.Where(k => WhyNot(k, partner, now) is null)
            .OrderByDescending(k => k.PublishedAt).ThenBy(k => k.Name, StringComparer.CurrentCultureIgnoreCase).ThenBy(k => k.Version, StringComparer.Ordinal)
            .ToList();

    public static LibraryPage Find(IReadOnlyList<LibraryKit> visible, LibraryQuery query)
    {
        var q = query.Normalised();
        var facets = new LibraryFacets(Distinct(visible.SelectMany(k => k.Topics)), Distinct(visible.SelectMany(k => k.Channels)), Distinct(visible.SelectMany(k => k.Languages)));
        var words = (q.Search ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var found = visible.Where(k =>
                (q.Topic is null || k.Topics.Contains(q.Topic, StringComparer.OrdinalIgnoreCase)) &&
                (q.Channel is null || k.Channels.Contains(q.Channel, StringComparer.OrdinalIgnoreCase)) &&
                (q.Language is null || k.Languages.Any(l => l.Equals(q.Language, StringComparison.OrdinalIgnoreCase) || l.StartsWith(q.Language + "-", StringComparison.OrdinalIgnoreCase))) &&
                words.All(w => Text(k).Contains(w, StringComparison.CurrentCultureIgnoreCase)))
            .ToList();
        var pages = Math.Max(1, (found.Count + LibraryQuery.PageSize - 1) / LibraryQuery.PageSize);
        var page = Math.Min(q.Page, pages);
        return new LibraryPage(found.Skip((page - 1) * LibraryQuery.PageSize).Take(LibraryQuery.PageSize).ToList(), found.Count, page, pages, facets);
    }

    public static IReadOnlyList<LibraryBadge> Badges(LibraryKit kit, DateTimeOffset now)
    {
        var badges = new List<LibraryBadge>();
        if (now - kit.PublishedAt < NewFor) badges.Add(LibraryBadge.New);
        if (kit.Targeting.ExpiresAt is { } end && end > now && end - now <= ExpiringWithin) badges.Add(LibraryBadge.Expiring);
        return badges;
    }

    private static string Text(LibraryKit k) => $"{k.Name} {k.Description} {string.Join(' ', k.Topics)} {k.VendorName}";

    private static IReadOnlyList<string> Distinct(IEnumerable<string> values) =>
        values.GroupBy(v => v, StringComparer.OrdinalIgnoreCase).Select(g => g.First()).Order(StringComparer.CurrentCultureIgnoreCase).ToList();
}
