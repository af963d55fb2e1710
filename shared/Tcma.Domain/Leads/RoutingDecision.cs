namespace Tcma.Domain.Leads;

/// <summary>One line of the routing trail: the rule, what it did in the vendor's words, and who was still in the running after it.</summary>
public sealed record RoutingTrailEntry(string Rule, string Outcome, IReadOnlyList<string> CandidatesAfter)
{
    public override string ToString() => $"{Rule}: {Outcome}";
}

/// <summary>Where the lead goes and why. The trail is stored with the lead to answer "why did this lead go there?".</summary>
public abstract record RoutingDecision(IReadOnlyList<RoutingTrailEntry> Trail)
{
    public sealed record AssignTo(string PartnerId, IReadOnlyList<RoutingTrailEntry> Trail, RoundRobinState RoundRobin) : RoutingDecision(Trail);

    /// <summary>No partner can take the lead: it waits in the vendor's pool for a person to decide.</summary>
    public sealed record VendorPool(IReadOnlyList<RoutingTrailEntry> Trail) : RoutingDecision(Trail);

    public string Explain() => string.Join(Environment.NewLine, Trail);
}
