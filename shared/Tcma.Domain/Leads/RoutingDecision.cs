namespace Tcma.Domain.Leads;

/// <summary>
/// Who was still in the running after a rule: how many, and the first names. Capped so a trail over hundreds of partners
/// still fits one table property (64 KiB).
/// </summary>
public sealed record RoutingCandidates(int Count, IReadOnlyList<string> FirstNames)
{
    public const int Kept = 25;
}

/// <summary>One line of the routing trail: the rule, what it did in the vendor's words, and who was still in the running after it.</summary>
public sealed record RoutingTrailEntry(string Rule, string Outcome, RoutingCandidates CandidatesAfter)
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
