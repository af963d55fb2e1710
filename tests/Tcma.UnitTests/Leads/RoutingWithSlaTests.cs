using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

/// <summary>The router and the SLA workflow driven together, the way the wiring will: Reroute commands feed the router's exclusions.</summary>
public sealed class RoutingWithSlaTests
{
    private static RoutingPartner P(string id) => new() { PartnerId = id, Name = id.ToUpperInvariant(), Territories = [new Territory("DE")] };

    [Fact]
    public void A_lead_nobody_accepts_visits_three_different_partners_then_lands_in_the_vendor_pool()
    {
        var clock = new FakeTimeProvider(Now);
        var lead = Lead() with { Source = new LeadSource.Api("crm") };
        var context = new RoutingContext { Partners = [P("a"), P("b"), P("c"), P("d")], Now = Now };
        var state = LeadRoutingState.Start(lead.Id);
        var offeredTo = new List<string>();
        IReadOnlyList<string> excluding = [];

        while (true)
        {
            var decision = LeadRouter.Route(lead, context with { ExcludedPartners = excluding.ToHashSet(), Now = clock.GetUtcNow() });
            var assign = Assert.IsType<RoutingDecision.AssignTo>(decision);
            context = context with { RoundRobin = assign.RoundRobin };
            offeredTo.Add(assign.PartnerId);
            state = LeadSla.Apply(state, new LeadEvent.Assigned(assign.PartnerId), clock.GetUtcNow()).State;

            clock.Advance(TimeSpan.FromHours(48));
            var expired = LeadSla.Apply(state, new LeadEvent.SlaExpired(state.Hop), clock.GetUtcNow());
            state = expired.State;
            if (expired.Commands.OfType<LeadCommand.Reroute>().SingleOrDefault() is not { } reroute)
            {
                Assert.Contains(expired.Commands, c => c is LeadCommand.MoveToVendorPool);
                break;
            }
            excluding = reroute.ExcludingPartners;
        }

        Assert.Equal(3, offeredTo.Distinct().Count());
        Assert.Equal(3, offeredTo.Count);
        Assert.Equal(RoutingPhase.InVendorPool, state.Phase);
    }

    [Fact]
    public void When_every_partner_has_had_the_lead_routing_reports_no_partner_and_the_workflow_pools_it()
    {
        var lead = Lead() with { Source = new LeadSource.Api("crm") };
        var context = new RoutingContext { Partners = [P("a")], Now = Now };
        var state = LeadSla.Apply(LeadRoutingState.Start(lead.Id), new LeadEvent.Assigned("a"), Now).State;
        var rejected = LeadSla.Apply(state, new LeadEvent.Rejected("a", "not for us"), Now);
        var reroute = Assert.Single(rejected.Commands.OfType<LeadCommand.Reroute>());

        var decision = LeadRouter.Route(lead, context with { ExcludedPartners = reroute.ExcludingPartners.ToHashSet() });
        var pool = Assert.IsType<RoutingDecision.VendorPool>(decision);
        var pooled = LeadSla.Apply(rejected.State, new LeadEvent.NoPartnerFound(pool.Trail[^1].Outcome), Now);
        Assert.Equal(RoutingPhase.InVendorPool, pooled.State.Phase);
    }
}
