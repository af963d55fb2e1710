using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class LeadRouterTests
{
    private static RoutingPartner Partner(string id, string name, params Territory[] territories) => new()
    {
        PartnerId = id,
        Name = name,
        Territories = territories.Length == 0 ? [new Territory("DE")] : territories,
        Tier = "Gold",
    };

    private static readonly RoutingPartner A = Partner("partner-a", "Alpha");
    private static readonly RoutingPartner B = Partner("partner-b", "Bravo");
    private static readonly RoutingPartner C = Partner("partner-c", "Charlie");
    private static readonly RoutingPartner F = Partner("partner-f", "Foxtrot", new Territory("FR"));

    /// <summary>A lead from the vendor's API, so source attribution does not apply.</summary>
    private static Lead ApiLead(Func<LeadPerson, LeadPerson>? person = null)
    {
        var lead = Lead() with { Source = new LeadSource.Api("crm-sync") };
        return person is null ? lead : lead with { Person = person(lead.Person) };
    }

    private static RoutingContext Context(params RoutingPartner[] partners) => new() { Partners = partners, Now = Now };

    private static RoutingDecision.AssignTo Assigned(RoutingDecision d) => Assert.IsType<RoutingDecision.AssignTo>(d);

    private static string Line(RoutingDecision d, string rule) => d.Trail.Single(t => t.Rule == rule).ToString();

    [Fact]
    public void Territory_names_the_country_and_the_partners_it_matched()
    {
        var d = LeadRouter.Route(ApiLead(p => p with { PostalCode = null }), Context(A, B, C, F));
        Assert.Equal("Territory: country DE matched 3 partners: Alpha, Bravo, Charlie", Line(d, "Territory"));
        Assert.Contains(Assigned(d).PartnerId, new[] { "partner-a", "partner-b", "partner-c" });
    }

    [Fact]
    public void The_whole_trail_reads_as_an_answer_to_why_did_this_lead_go_there()
    {
        var d = LeadRouter.Route(ApiLead(p => p with { PostalCode = null }), Context(A, B, C, F) with { TierOrder = ["Platinum", "Gold"] });
        Assert.Equal(
        [
            "Eligibility: all 4 partners can take a lead",
            "Deal registration or customer owner: none for the person's email domain or company",
            "Territory: country DE matched 3 partners: Alpha, Bravo, Charlie",
            "Specialisation: the lead names no product; kept 3 partners",
            "Tier: all 3 partners are Gold; kept all",
            "Round robin: 3 partners share leads by weight (Alpha 1, Bravo 1, Charlie 1); Alpha was furthest behind its share, so Alpha gets the lead",
        ], d.Trail.Select(t => t.ToString()));
    }

    [Fact]
    public void A_lead_from_a_partners_own_campaign_goes_to_that_partner_whatever_the_territory()
    {
        var own = Lead() with { Source = new LeadSource.LandingPage("partner-f", "launch-9", "kit-1") };
        var d = LeadRouter.Route(own, Context(A, B, F));
        Assert.Equal("partner-f", Assigned(d).PartnerId);
        Assert.Equal("Source: the lead came from Foxtrot's own campaign (launch launch-9), so Foxtrot gets it", Line(d, "Source"));
        Assert.Equal(RoundRobinState.Empty, Assigned(d).RoundRobin);
    }

    [Fact]
    public void Source_attribution_yields_when_the_partner_is_full()
    {
        var full = A with { MaxOpenUnaccepted = 5, OpenUnaccepted = 5 };
        var d = LeadRouter.Route(Lead(), Context(full, B));
        Assert.Equal("partner-b", Assigned(d).PartnerId);
        Assert.Equal("Source: the lead came from the campaign of Alpha, who is full (5 of 5 open unaccepted leads); the vendor's rules decide", Line(d, "Source"));
    }

    [Fact]
    public void Source_attribution_yields_when_the_partner_opted_out_of_the_product()
    {
        var optedOut = A with { OptedOutProducts = ["Firewall"] };
        var lead = Lead() with { Person = Lead().Person with { ProductInterest = "firewall" } };
        var d = LeadRouter.Route(lead, Context(optedOut, B));
        Assert.Equal("partner-b", Assigned(d).PartnerId);
        Assert.Contains("who opted out of firewall", Line(d, "Source"));
    }

    [Fact]
    public void An_open_deal_registration_wins_over_territory()
    {
        var claims = new[] { new AccountClaim("partner-f", AccountClaimKind.DealRegistration, Now.AddDays(-20), EmailDomain: "Example.com", ExpiresAt: Now.AddDays(60)) };
        var d = LeadRouter.Route(ApiLead(), Context(A, B, F) with { AccountClaims = claims });
        Assert.Equal("partner-f", Assigned(d).PartnerId);
        Assert.Equal("Deal registration or customer owner: Foxtrot holds an open deal registration for Example.com (registered 2026-11-05), so Foxtrot gets the lead", Line(d, "Deal registration or customer owner"));
    }

    [Fact]
    public void An_expired_deal_registration_counts_for_nothing_but_the_customer_owner_does()
    {
        var claims = new[]
        {
            new AccountClaim("partner-f", AccountClaimKind.DealRegistration, Now.AddDays(-100), EmailDomain: "example.com", ExpiresAt: Now.AddDays(-1)),
            new AccountClaim("partner-b", AccountClaimKind.CustomerOwner, Now.AddYears(-2), Company: "ACME   GmbH"),
        };
        var d = LeadRouter.Route(ApiLead(), Context(A, B, F) with { AccountClaims = claims });
        Assert.Equal("partner-b", Assigned(d).PartnerId);
        Assert.Contains("Bravo holds ACME GmbH as an existing customer", Line(d, "Deal registration or customer owner"));
    }

    [Fact]
    public void A_deal_registration_beats_a_customer_owner()
    {
        var claims = new[]
        {
            new AccountClaim("partner-b", AccountClaimKind.CustomerOwner, Now.AddYears(-2), EmailDomain: "example.com"),
            new AccountClaim("partner-c", AccountClaimKind.DealRegistration, Now.AddDays(-1), EmailDomain: "example.com"),
        };
        Assert.Equal("partner-c", Assigned(LeadRouter.Route(ApiLead(), Context(A, B, C) with { AccountClaims = claims })).PartnerId);
    }

    [Fact]
    public void A_claim_holder_who_already_had_the_lead_is_passed_over_with_the_reason()
    {
        var claims = new[] { new AccountClaim("partner-b", AccountClaimKind.CustomerOwner, Now.AddYears(-2), EmailDomain: "example.com") };
        var d = LeadRouter.Route(ApiLead(), Context(A, B) with { AccountClaims = claims, ExcludedPartners = new HashSet<string> { "partner-b" } });
        Assert.Equal("partner-a", Assigned(d).PartnerId);
        Assert.Equal("Deal registration or customer owner: Bravo holds example.com as an existing customer but already had this lead; the next rules decide", Line(d, "Deal registration or customer owner"));
    }

    [Fact]
    public void The_most_specific_territory_wins_postal_prefix_over_region_over_country()
    {
        var berlin = Partner("partner-p", "Papa", new Territory("DE", PostalPrefix: "10"));
        var bavaria = Partner("partner-r", "Romeo", new Territory("DE", Region: "BY"));
        var lead = ApiLead(p => p with { PostalCode = "10115" });
        var d = LeadRouter.Route(lead, Context(A, berlin, bavaria));
        Assert.Equal("partner-p", Assigned(d).PartnerId);
        Assert.Equal("Territory: postal code prefix 10 matched 1 partner: Papa (preferred over Alpha, who cover a wider area)", Line(d, "Territory"));

        var munich = ApiLead(p => p with { PostalCode = "80331", Region = "by" });
        var m = LeadRouter.Route(munich, Context(A, berlin, bavaria));
        Assert.Equal("partner-r", Assigned(m).PartnerId);
        Assert.StartsWith("Territory: region by matched 1 partner: Romeo", Line(m, "Territory"));
    }

    [Fact]
    public void No_partner_in_the_territory_sends_the_lead_to_the_vendor_pool_and_keeps_the_postal_code_out_of_the_trail()
    {
        var d = LeadRouter.Route(ApiLead(p => p with { Country = "BR", Region = "SP", PostalCode = "01001-000" }), Context(A, F));
        var pool = Assert.IsType<RoutingDecision.VendorPool>(d);
        Assert.Equal("Territory: no remaining partner covers country BR, region SP", Line(pool, "Territory"));
        Assert.Equal("Vendor pool: no partner is left to take the lead, so it waits in the vendor's pool", pool.Trail[^1].ToString());
        Assert.DoesNotContain("01001", pool.Explain());
    }

    [Fact]
    public void Specialists_in_the_product_are_preferred_and_without_any_everyone_stays()
    {
        var specialist = B with { Specialisations = ["Firewall", "VPN"] };
        var d = LeadRouter.Route(ApiLead(p => p with { ProductInterest = "vpn" }), Context(A, specialist, C));
        Assert.Equal("partner-b", Assigned(d).PartnerId);
        Assert.Equal("Specialisation: 1 of 3 partners specialise in vpn: Bravo", Line(d, "Specialisation"));

        var none = LeadRouter.Route(ApiLead(p => p with { ProductInterest = "Cloud" }), Context(A, specialist, C));
        Assert.Equal("Specialisation: none of the remaining partners specialises in Cloud; kept 3 partners", Line(none, "Specialisation"));
    }

    [Fact]
    public void The_best_tier_present_is_kept_and_a_full_platinum_partner_makes_room_for_gold()
    {
        var platinum = A with { Tier = "Platinum" };
        var silver = C with { Tier = "Silver" };
        var context = Context(platinum, B, silver) with { TierOrder = ["Platinum", "Gold", "Silver"] };
        var d = LeadRouter.Route(ApiLead(), context);
        Assert.Equal("partner-a", Assigned(d).PartnerId);
        Assert.Equal("Tier: kept the best tier present, Platinum: Alpha", Line(d, "Tier"));

        var full = LeadRouter.Route(ApiLead(), context with { Partners = [platinum with { MaxOpenUnaccepted = 3, OpenUnaccepted = 3 }, B, silver] });
        Assert.Equal("partner-b", Assigned(full).PartnerId);
        Assert.Equal("Eligibility: 2 of 3 partners can take a lead; left out: Alpha is full (3 of 3 open unaccepted leads)", Line(full, "Eligibility"));
    }

    [Fact]
    public void Partners_who_already_had_the_lead_are_never_chosen()
    {
        var partners = Enumerable.Range(0, 12).Select(i => Partner($"p{i:00}", $"Partner {i:00}") with { Weight = 1 + i % 3 }).ToArray();
        var random = new Random(7);
        var state = RoundRobinState.Empty;
        for (var run = 0; run < 2_000; run++)
        {
            var excluded = partners.Where(_ => random.Next(3) == 0).Select(p => p.PartnerId).ToHashSet();
            var d = LeadRouter.Route(ApiLead(), Context(partners) with { ExcludedPartners = excluded, RoundRobin = state });
            if (excluded.Count == partners.Length)
            {
                Assert.IsType<RoutingDecision.VendorPool>(d);
                continue;
            }
            var chosen = Assigned(d);
            Assert.DoesNotContain(chosen.PartnerId, excluded);
            state = chosen.RoundRobin;
        }
    }

    [Fact]
    public void With_every_partner_excluded_the_lead_goes_to_the_vendor_pool()
    {
        var d = LeadRouter.Route(Lead(), Context(A, B) with { ExcludedPartners = new HashSet<string> { "partner-a", "partner-b" } });
        var pool = Assert.IsType<RoutingDecision.VendorPool>(d);
        Assert.Equal("Eligibility: 0 of 2 partners can take a lead; left out: Alpha already had this lead; Bravo already had this lead", pool.Trail[0].ToString());
        Assert.Contains("who already had this lead", Line(pool, "Source"));
    }

    [Fact]
    public void Inactive_partners_are_left_out()
    {
        var d = LeadRouter.Route(ApiLead(), Context(A with { IsActive = false }, B));
        Assert.Equal("partner-b", Assigned(d).PartnerId);
        Assert.Contains("Alpha is inactive", Line(d, "Eligibility"));
    }

    [Fact]
    public void The_vendor_decides_the_order_of_the_chain()
    {
        var platinumInFrance = F with { Tier = "Platinum" };
        var tierFirst = Context(A, platinumInFrance) with { TierOrder = ["Platinum", "Gold"], Chain = [RoutingStep.Tier, RoutingStep.Territory] };
        var d = LeadRouter.Route(ApiLead(), tierFirst);
        Assert.IsType<RoutingDecision.VendorPool>(d);
        Assert.Equal(["Eligibility", "Tier", "Territory", "Vendor pool"], d.Trail.Select(t => t.Rule));

        var territoryFirst = tierFirst with { Chain = [RoutingStep.Territory, RoutingStep.Tier] };
        Assert.Equal("partner-a", Assigned(LeadRouter.Route(ApiLead(), territoryFirst)).PartnerId);
    }

    [Fact]
    public void A_vendor_with_an_empty_chain_still_pools_a_lead_nobody_can_take()
    {
        var d = LeadRouter.Route(ApiLead(), Context(A with { IsActive = false }) with { Chain = [] });
        Assert.Equal(["Eligibility", "Vendor pool"], Assert.IsType<RoutingDecision.VendorPool>(d).Trail.Select(t => t.Rule));
    }

    [Fact]
    public void Routing_is_deterministic_given_the_round_robin_state()
    {
        var context = Context(A, B, C);
        var first = Assigned(LeadRouter.Route(ApiLead(), context));
        var again = Assigned(LeadRouter.Route(ApiLead(), context));
        Assert.Equal(first.PartnerId, again.PartnerId);
        var next = Assigned(LeadRouter.Route(ApiLead(), context with { RoundRobin = first.RoundRobin }));
        Assert.NotEqual(first.PartnerId, next.PartnerId);
    }

    [Fact]
    public void Long_candidate_lists_are_shortened_in_the_words_but_kept_whole_in_the_data()
    {
        var many = Enumerable.Range(1, 500).Select(i => Partner($"p{i:000}", $"P{i:000}")).ToArray();
        var d = LeadRouter.Route(ApiLead(p => p with { PostalCode = null }), Context(many));
        var territory = d.Trail.Single(t => t.Rule == "Territory");
        Assert.EndsWith("P010 and 490 more", territory.Outcome);
        Assert.Equal(500, territory.CandidatesAfter.Count);
        Assert.Equal(RoutingCandidates.Kept, territory.CandidatesAfter.FirstNames.Count);
        Assert.InRange(System.Text.Json.JsonSerializer.Serialize(d.Trail).Length, 1, 16 * 1024);
    }
}
