using Tcma.Domain.Kits;
using Tcma.Domain.Partners;
using Tcma.Domain.Portal;

namespace Tcma.UnitTests.Portal;

/// <summary>The campaign library: exactly the versions a partner may launch today, filtered, searched, paged, badged.</summary>
public sealed class LibraryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static readonly Partner Gold = new("harbour", "Harbour IT", "Gold", "North America", "US", ["Backup", "Managed services"],
        [new("Dana", "dana@harbour.example", "Owner", true)], PartnerStatus.Active);

    private static LibraryKit Kit(string id, KitTargeting? targeting = null, string[]? topics = null, string[]? channels = null, string[]? languages = null,
        DateTimeOffset? published = null, string? name = null, string description = "") =>
        new(id, "1.0.0", name ?? $"Kit {id}", description, "Northwind", languages ?? ["en"], topics ?? [], channels ?? ["Email"], "banner",
            targeting ?? new KitTargeting(), published ?? Now.AddDays(-30));

    [Fact]
    public void A_partner_sees_only_versions_aimed_at_its_tier_region_and_specialisations_that_are_open_today()
    {
        var kits = new[]
        {
            Kit("everyone"),
            Kit("gold", new KitTargeting { Tiers = ["gold", "Silver"] }),
            Kit("silver-only", new KitTargeting { Tiers = ["Silver"] }),
            Kit("emea", new KitTargeting { Regions = ["EMEA"] }),
            Kit("security", new KitTargeting { Specialisations = ["Security"] }),
            Kit("backup", new KitTargeting { Specialisations = ["Security", "Backup"] }),
            Kit("not-yet", new KitTargeting { PublishFrom = Now.AddDays(1) }),
            Kit("over", new KitTargeting { ExpiresAt = Now }),
        };

        Assert.Equal(["backup", "everyone", "gold"], Library.Visible(kits, Gold, Now).Select(k => k.KitId).Order());
        Assert.Equal("tier Gold is not one of Silver", Library.WhyNot(kits[2], Gold, Now));
        Assert.Equal("this kit expired on 2026-12-07", Library.WhyNot(kits[7], Gold, Now));
        Assert.Empty(Library.Visible(kits, Gold with { Status = PartnerStatus.Inactive }, Now));
        Assert.Equal("your partner account is not active", Library.WhyNot(kits[0], Gold with { Status = PartnerStatus.Inactive }, Now));
    }

    [Fact]
    public void Filters_search_and_facets_come_only_from_what_the_partner_may_see()
    {
        var visible = Library.Visible(
        [
            Kit("backup", topics: ["Backup"], channels: ["Email", "LinkedIn", "Landing page"], languages: ["en-US"], name: "Cloud backup nurture", description: "Free backup check"),
            Kit("webinar", topics: ["Webinar", "Security"], channels: ["Email", "X"], languages: ["de"], name: "Ransomware webinar"),
            Kit("hidden", new KitTargeting { Tiers = ["Platinum"] }, topics: ["Secret"], channels: ["Facebook"], languages: ["fr"]),
        ], Gold, Now);

        var all = Library.Find(visible, new LibraryQuery());
        Assert.Equal(["Backup", "Security", "Webinar"], all.Facets.Topics);
        Assert.Equal(["Email", "Landing page", "LinkedIn", "X"], all.Facets.Channels);
        Assert.DoesNotContain("fr", all.Facets.Languages);

        Assert.Equal(["webinar"], Library.Find(visible, new LibraryQuery(Topic: "security")).Kits.Select(k => k.KitId));
        Assert.Equal(["backup"], Library.Find(visible, new LibraryQuery(Channel: "LinkedIn")).Kits.Select(k => k.KitId));
        Assert.Equal(["backup"], Library.Find(visible, new LibraryQuery(Language: "en")).Kits.Select(k => k.KitId));
        Assert.Equal(["backup"], Library.Find(visible, new LibraryQuery(Search: "  FREE   check ")).Kits.Select(k => k.KitId));
        Assert.Empty(Library.Find(visible, new LibraryQuery(Search: "backup webinar")).Kits);
        Assert.Empty(Library.Find(visible, new LibraryQuery(Topic: "Secret")).Kits);
        Assert.Equal(0, Library.Find(visible, new LibraryQuery(Channel: "Facebook")).Total);
    }

    [Fact]
    public void A_thousand_kits_come_newest_first_a_page_at_a_time_and_a_page_past_the_end_shows_the_last()
    {
        var kits = Enumerable.Range(0, 1000).Select(i => Kit($"kit-{i:0000}", published: Now.AddMinutes(-i))).ToList();
        var visible = Library.Visible(kits, Gold, Now);

        var first = Library.Find(visible, new LibraryQuery());
        Assert.Equal(1000, first.Total);
        Assert.Equal(84, first.Pages);
        Assert.Equal(LibraryQuery.PageSize, first.Kits.Count);
        Assert.Equal("kit-0000", first.Kits[0].KitId);

        var last = Library.Find(visible, new LibraryQuery(Page: 5000));
        Assert.Equal(84, last.Page);
        Assert.Equal(1000 - 83 * LibraryQuery.PageSize, last.Kits.Count);
        Assert.Equal("kit-0999", last.Kits[^1].KitId);
        Assert.Equal(1, Library.Find(visible, new LibraryQuery(Page: -3)).Page);
        Assert.Equal(1000, Library.Find(visible, new LibraryQuery()).Kits.Concat(Enumerable.Range(2, 83)
            .SelectMany(p => Library.Find(visible, new LibraryQuery(Page: p)).Kits)).Select(k => k.KitId).Distinct().Count());
    }

    [Fact]
    public void Overlong_or_empty_query_text_is_trimmed_away_not_refused()
    {
        var q = new LibraryQuery("  ", " Email ", null, new string('x', 500)).Normalised();
        Assert.Null(q.Topic);
        Assert.Equal("Email", q.Channel);
        Assert.Equal(LibraryQuery.MaxSearchLength, q.Search!.Length);
    }

    [Fact]
    public void New_means_published_in_the_last_two_weeks_and_expiring_means_closing_within_two()
    {
        Assert.Equal([LibraryBadge.New], Library.Badges(Kit("a", published: Now.AddDays(-13)), Now));
        Assert.Empty(Library.Badges(Kit("b", published: Now.AddDays(-15)), Now));
        Assert.Equal([LibraryBadge.Expiring], Library.Badges(Kit("c", new KitTargeting { ExpiresAt = Now.AddDays(10) }), Now));
        Assert.Empty(Library.Badges(Kit("d", new KitTargeting { ExpiresAt = Now.AddDays(20) }), Now));
        Assert.Equal([LibraryBadge.New, LibraryBadge.Expiring], Library.Badges(Kit("e", new KitTargeting { ExpiresAt = Now.AddDays(1) }, published: Now.AddHours(-1)), Now));
    }
}
