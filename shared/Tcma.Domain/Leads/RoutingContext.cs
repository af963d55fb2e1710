namespace Tcma.Domain.Leads;

/// <summary>The steps of a vendor's routing chain. Source attribution always comes first and the round-robin always decides last.</summary>
public enum RoutingStep
{
    /// <summary>An open deal registration or the existing customer owner wins.</summary>
    AccountOwner,
    /// <summary>Keeps the partners covering the lead's country, region or postal code, the most specific match first.</summary>
    Territory,
    /// <summary>Prefers partners specialised in the product the person is interested in.</summary>
    ProductInterest,
    /// <summary>Prefers the best partner tier present, in the vendor's order.</summary>
    Tier,
}

/// <summary>Everything routing needs besides the lead, loaded by the caller; routing itself reads nothing.</summary>
public sealed record RoutingContext
{
    public static readonly IReadOnlyList<RoutingStep> DefaultChain =
        [RoutingStep.AccountOwner, RoutingStep.Territory, RoutingStep.ProductInterest, RoutingStep.Tier];

    public required IReadOnlyList<RoutingPartner> Partners { get; init; }
    public IReadOnlyList<RoutingStep> Chain { get; init; } = DefaultChain;
    /// <summary>The vendor's tiers, best first, e.g. Platinum, Gold, Silver.</summary>
    public IReadOnlyList<string> TierOrder { get; init; } = [];
    public IReadOnlyList<AccountClaim> AccountClaims { get; init; } = [];
    /// <summary>Partners that already had this lead (rejected it or let the SLA lapse): never chosen again.</summary>
    public IReadOnlySet<string> ExcludedPartners { get; init; } = new HashSet<string>();
    public RoundRobinState RoundRobin { get; init; } = RoundRobinState.Empty;
    public required DateTimeOffset Now { get; init; }
}
