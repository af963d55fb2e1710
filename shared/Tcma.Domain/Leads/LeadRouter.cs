namespace Tcma.Domain.Leads;

/// <summary>
/// Decides which partner gets a lead. Order: who can take a lead at all (not full, not opted out, not already had it);
/// source attribution; the vendor's chain (account owner, territory, product interest, tier, in the vendor's order);
/// then a fair weighted round-robin. No one left: the vendor's pool.
/// </summary>
public static class LeadRouter
{
    private const int NamesShown = 10;

    public static RoutingDecision Route(Lead lead, RoutingContext context)
    {
        var trail = new List<RoutingTrailEntry>();
        var product = lead.Person.ProductInterest?.Trim();
        var byId = context.Partners.ToDictionary(p => p.PartnerId, StringComparer.Ordinal);

        // Capacity, opt-outs and earlier holders are checked before any preference, so that a full Platinum partner
        // makes room for a Gold one instead of sending the lead to the pool.
        var eligible = Eligible(context, product, trail);

        if (lead.Source is LeadSource.LandingPage page)
        {
            const string rule = "Source";
            var owner = byId.GetValueOrDefault(page.PartnerId);
            if (owner is not null && eligible.Contains(owner))
            {
                trail.Add(new(rule, $"the lead came from {owner.Name}'s own campaign (launch {page.LaunchId}), so {owner.Name} gets it", Names([owner])));
                return Assign(owner, trail, context.RoundRobin);
            }
            var why = owner is null ? "is not an active partner of this vendor" : Ineligibility(owner, context, product);
            trail.Add(new(rule, $"the lead came from the campaign of {owner?.Name ?? page.PartnerId}, who {why}; the vendor's rules decide", Names(eligible)));
        }

        var candidates = eligible;
        foreach (var step in context.Chain.Distinct())
        {
            switch (step)
            {
                case RoutingStep.AccountOwner:
                    if (AccountOwner(lead, context, byId, eligible, trail) is { } claimant)
                        return Assign(claimant, trail, context.RoundRobin);
                    break;
                case RoutingStep.Territory:
                    candidates = Territory(lead.Person, candidates, trail);
                    break;
                case RoutingStep.ProductInterest:
                    candidates = ProductInterest(product, candidates, trail);
                    break;
                case RoutingStep.Tier:
                    candidates = Tier(context.TierOrder, candidates, trail);
                    break;
            }
            if (candidates.Count == 0)
                break;
        }

        if (candidates.Count == 0)
        {
            trail.Add(new("Vendor pool", "no partner is left to take the lead, so it waits in the vendor's pool", Names([])));
            return new RoutingDecision.VendorPool(trail);
        }

        var (winner, state) = RoundRobin.Pick(candidates, context.RoundRobin);
        trail.Add(new("Round robin", candidates.Count == 1
            ? $"{winner.Name} is the only partner left, so {winner.Name} gets the lead"
            : $"{candidates.Count} partners share leads by weight ({string.Join(", ", candidates.Take(NamesShown).Select(p => $"{p.Name} {Math.Max(1, p.Weight)}"))}); {winner.Name} was furthest behind its share, so {winner.Name} gets the lead",
            Names([winner])));
        return new RoutingDecision.AssignTo(winner.PartnerId, trail, state);
    }

    private static RoutingDecision Assign(RoutingPartner partner, List<RoutingTrailEntry> trail, RoundRobinState unchanged) =>
        new RoutingDecision.AssignTo(partner.PartnerId, trail, unchanged);

    private static List<RoutingPartner> Eligible(RoutingContext context, string? product, List<RoutingTrailEntry> trail)
    {
        var eligible = new List<RoutingPartner>();
        var left = new List<string>();
        foreach (var partner in context.Partners)
        {
            if (partner.IsActive && !context.ExcludedPartners.Contains(partner.PartnerId) && !partner.HasOptedOutOf(product) && !partner.IsFull)
                eligible.Add(partner);
            else
                left.Add($"{partner.Name} {Ineligibility(partner, context, product)}");
        }
        trail.Add(new("Eligibility", left.Count == 0
            ? $"all {eligible.Count} partners can take a lead"
            : $"{eligible.Count} of {context.Partners.Count} partners can take a lead; left out: {string.Join("; ", left.Take(NamesShown))}{More(left.Count)}",
            Names(eligible)));
        return eligible;
    }

    private static string Ineligibility(RoutingPartner partner, RoutingContext context, string? product) =>
        !partner.IsActive ? "is inactive"
        : context.ExcludedPartners.Contains(partner.PartnerId) ? "already had this lead"
        : partner.HasOptedOutOf(product) ? $"opted out of {product}"
        : partner.IsFull ? $"is full ({partner.OpenUnaccepted} of {partner.MaxOpenUnaccepted} open unaccepted leads)"
        : "can take it";

    private static RoutingPartner? AccountOwner(Lead lead, RoutingContext context, Dictionary<string, RoutingPartner> byId, List<RoutingPartner> eligible, List<RoutingTrailEntry> trail)
    {
        const string rule = "Deal registration or customer owner";
        var domain = lead.Person.Email[(lead.Person.Email.LastIndexOf('@') + 1)..];
        var company = lead.Person.Company is { } c ? LeadNormalisation.Company(c) : null;
        var claims = context.AccountClaims
            .Where(a => a.Kind == AccountClaimKind.CustomerOwner || a.ExpiresAt is null || a.ExpiresAt > context.Now)
            .Where(a => (a.EmailDomain is { } d && string.Equals(d.Trim(), domain, StringComparison.OrdinalIgnoreCase))
                     || (a.Company is { } n && company is not null && string.Equals(LeadNormalisation.Company(n), company, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(a => a.Kind)
            .ThenBy(a => a.RegisteredAt)
            .ToList();
        // The trail outlives an erasure, so it names the registered account, never the person's own domain or company.
        if (claims.Count == 0)
        {
            trail.Add(new(rule, "none for the person's email domain or company", Names(eligible)));
            return null;
        }
        var passedOver = new List<string>();
        foreach (var claim in claims)
        {
            var holder = byId.GetValueOrDefault(claim.PartnerId);
            var account = string.Join(" / ", new[] { claim.EmailDomain?.Trim(), claim.Company is { } n ? LeadNormalisation.Company(n) : null }.Where(x => x is { Length: > 0 }));
            var what = claim.Kind == AccountClaimKind.DealRegistration
                ? $"an open deal registration for {account} (registered {claim.RegisteredAt:yyyy-MM-dd})"
                : $"{account} as an existing customer";
            if (holder is not null && eligible.Contains(holder))
            {
                trail.Add(new(rule, $"{holder.Name} holds {what}, so {holder.Name} gets the lead{(passedOver.Count > 0 ? $" ({string.Join("; ", passedOver)})" : "")}", Names([holder])));
                return holder;
            }
            passedOver.Add($"{holder?.Name ?? claim.PartnerId} holds {what} but {(holder is null ? "is not an active partner" : Ineligibility(holder, context, lead.Person.ProductInterest?.Trim()))}");
        }
        trail.Add(new(rule, $"{string.Join("; ", passedOver)}; the next rules decide", Names(eligible)));
        return null;
    }

    private static List<RoutingPartner> Territory(LeadPerson person, List<RoutingPartner> candidates, List<RoutingTrailEntry> trail)
    {
        const string rule = "Territory";
        // 3 = postal prefix, 2 = region, 1 = whole country: the most specific cover wins, so a city partner beats a national one.
        int Fit(Territory t)
        {
            if (!string.Equals(t.Country, person.Country, StringComparison.OrdinalIgnoreCase)) return 0;
            if (t.PostalPrefix is { Length: > 0 } prefix)
                return person.PostalCode?.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) == true ? 3 : 0;
            if (t.Region is { Length: > 0 } region)
                return string.Equals(region, person.Region?.Trim(), StringComparison.OrdinalIgnoreCase) ? 2 : 0;
            return 1;
        }
        var scored = candidates.Select(p => (Partner: p, Fit: p.Territories.Select(Fit).DefaultIfEmpty(0).Max())).Where(x => x.Fit > 0).ToList();
        if (scored.Count == 0)
        {
            trail.Add(new(rule, $"no remaining partner covers country {person.Country}{Where(person)}", Names([])));
            return [];
        }
        var best = scored.Max(x => x.Fit);
        var kept = scored.Where(x => x.Fit == best).Select(x => x.Partner).ToList();
        var level = best switch
        {
            3 => $"postal code prefix {string.Join(" / ", kept.SelectMany(p => p.Territories).Where(t => Fit(t) == 3).Select(t => t.PostalPrefix).Distinct())}",
            2 => $"region {person.Region}",
            _ => $"country {person.Country}",
        };
        var broader = scored.Where(x => x.Fit < best).Select(x => x.Partner).ToList();
        trail.Add(new(rule, $"{level} matched {Count(kept)}: {NameList(kept)}{(broader.Count > 0 ? $" (preferred over {NameList(broader)}, who cover a wider area)" : "")}", Names(kept)));
        return kept;
    }

    private static List<RoutingPartner> ProductInterest(string? product, List<RoutingPartner> candidates, List<RoutingTrailEntry> trail)
    {
        const string rule = "Specialisation";
        if (string.IsNullOrEmpty(product))
        {
            trail.Add(new(rule, $"the lead names no product; kept {Count(candidates)}", Names(candidates)));
            return candidates;
        }
        var specialists = candidates.Where(p => p.Specialisations.Contains(product, StringComparer.OrdinalIgnoreCase)).ToList();
        if (specialists.Count == 0)
        {
            trail.Add(new(rule, $"none of the remaining partners specialises in {product}; kept {Count(candidates)}", Names(candidates)));
            return candidates;
        }
        trail.Add(new(rule, $"{specialists.Count} of {candidates.Count} partners specialise in {product}: {NameList(specialists)}", Names(specialists)));
        return specialists;
    }

    private static List<RoutingPartner> Tier(IReadOnlyList<string> order, List<RoutingPartner> candidates, List<RoutingTrailEntry> trail)
    {
        const string rule = "Tier";
        if (order.Count == 0)
        {
            trail.Add(new(rule, $"the vendor ranks no tiers; kept {Count(candidates)}", Names(candidates)));
            return candidates;
        }
        var ranks = order.Select((tier, i) => (tier, i)).DistinctBy(x => x.tier, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(x => x.tier, x => x.i, StringComparer.OrdinalIgnoreCase);
        int Rank(RoutingPartner p) => ranks.GetValueOrDefault(p.Tier, order.Count);
        var best = candidates.Min(Rank);
        var kept = candidates.Where(p => Rank(p) == best).ToList();
        var tierName = best < order.Count ? order[best] : "unranked";
        trail.Add(new(rule, kept.Count == candidates.Count
            ? $"all {Count(candidates)} are {tierName}; kept all"
            : $"kept the best tier present, {tierName}: {NameList(kept)}", Names(kept)));
        return kept;
    }

    private static string Where(LeadPerson p) =>
        // The full postal code stays out of the trail: it is personal data and the trail outlives an erasure.
        p.Region is { Length: > 0 } ? $", region {p.Region}" : "";

    private static string Count(IReadOnlyCollection<RoutingPartner> ps) => ps.Count == 1 ? "1 partner" : $"{ps.Count} partners";

    private static string NameList(IReadOnlyCollection<RoutingPartner> ps) => string.Join(", ", ps.Take(NamesShown).Select(p => p.Name)) + More(ps.Count);

    private static string More(int count) => count > NamesShown ? $" and {count - NamesShown} more" : "";

    private static RoutingCandidates Names(IReadOnlyCollection<RoutingPartner> ps) =>
        new(ps.Count, ps.Take(RoutingCandidates.Kept).Select(p => p.Name).ToList());
}
