using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class LeadSlaTests
{
    private readonly FakeTimeProvider _clock = new(Now);
    private static readonly SlaSettings Settings = new();

    private DateTimeOffset T => _clock.GetUtcNow();

    private SlaStep Apply(LeadRoutingState s, LeadEvent e) => LeadSla.Apply(s, e, T, Settings);

    private LeadRoutingState Offered(string partner = "partner-a") => Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.Assigned(partner)).State;

    [Fact]
    public void Assigning_emails_the_partner_and_arms_two_reminders_and_the_sla()
    {
        var (state, commands) = Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.Assigned("partner-a"));
        var due = Now.AddHours(48);
        Assert.Equal(
        [
            new LeadCommand.NotifyPartner("partner-a", PartnerEmail.NewLead, due),
            new LeadCommand.SetTimer("lead-lead-1-hop1-reminder0", Now.AddHours(24), new LeadEvent.SlaReminderDue(1, 0)),
            new LeadCommand.SetTimer("lead-lead-1-hop1-reminder1", Now.AddHours(44), new LeadEvent.SlaReminderDue(1, 1)),
            new LeadCommand.SetTimer("lead-lead-1-hop1-sla", due, new LeadEvent.SlaExpired(1)),
            new LeadCommand.NotifyCrm(new CrmChange("lead.assigned", "lead-1", "partner-a", Now)),
        ], commands);
        Assert.Equal((RoutingPhase.AwaitingAcceptance, "partner-a", 1, due), (state.Phase, state.Holder!, state.Hop, state.SlaDueAt!.Value));
    }

    [Fact]
    public void Accepting_in_time_cancels_the_timers_and_tells_the_crm()
    {
        var s = Offered();
        _clock.Advance(TimeSpan.FromHours(30));
        s = Apply(s, new LeadEvent.SlaReminderDue(1, 0)).State;
        var step = Apply(s, new LeadEvent.Accepted("partner-a", "sam@partner-a"));
        Assert.Equal(SlaOutcome.Applied, step.Outcome);
        Assert.Equal(RoutingPhase.Accepted, step.State.Phase);
        Assert.Equal(
        [
            new LeadCommand.CancelTimer("lead-lead-1-hop1-reminder1"),
            new LeadCommand.CancelTimer("lead-lead-1-hop1-sla"),
            // With when this partner was offered it: the dashboards' time to accept (30 hours here).
            new LeadCommand.NotifyCrm(new CrmChange("lead.accepted", "lead-1", "partner-a", T, "accepted by sam@partner-a", Now)),
        ], step.Commands);
    }

    [Fact]
    public void Lapses_reroute_excluding_everyone_who_had_it_and_the_third_lapse_goes_to_the_vendor_pool()
    {
        var s = Offered("partner-a");
        var excludedSoFar = new List<IReadOnlyList<string>>();
        foreach (var next in new[] { "partner-b", "partner-c", null })
        {
            _clock.Advance(TimeSpan.FromHours(24));
            var reminder = Apply(s, new LeadEvent.SlaReminderDue(s.Hop, 0));
            Assert.Equal([new LeadCommand.NotifyPartner(s.Holder!, PartnerEmail.Reminder, s.SlaDueAt!.Value)], reminder.Commands);
            s = reminder.State;
            _clock.Advance(TimeSpan.FromHours(24));
            var holder = s.Holder!;
            var expired = Apply(s, new LeadEvent.SlaExpired(s.Hop));
            Assert.Contains(new LeadCommand.NotifyPartner(holder, PartnerEmail.Withdrawn, T), expired.Commands);
            s = expired.State;
            if (next is null)
            {
                Assert.Equal(RoutingPhase.InVendorPool, s.Phase);
                Assert.Contains(new LeadCommand.MoveToVendorPool("offered to 3 partners, none accepted"), expired.Commands);
                Assert.DoesNotContain(expired.Commands, c => c is LeadCommand.Reroute);
                break;
            }
            var reroute = Assert.Single(expired.Commands.OfType<LeadCommand.Reroute>());
            excludedSoFar.Add(reroute.ExcludingPartners);
            Assert.Equal(RoutingPhase.Rerouting, s.Phase);
            s = Apply(s, new LeadEvent.Assigned(next)).State;
        }
        Assert.Equal([["partner-a"], ["partner-a", "partner-b"]], excludedSoFar);
        Assert.Equal(["lapsed", "lapsed", "lapsed"], s.Offers.Select(o => o.Ended));
        Assert.Equal(Now.AddHours(144), T);
    }

    [Fact]
    public void The_number_of_hops_before_the_pool_is_the_vendors_choice()
    {
        var oneHop = new SlaSettings { MaxHops = 1, Sla = TimeSpan.FromHours(8), RemindersBeforeEnd = [TimeSpan.FromHours(2)] };
        var s = LeadSla.Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.Assigned("partner-a"), T, oneHop).State;
        Assert.Equal(Now.AddHours(8), s.SlaDueAt);
        var step = LeadSla.Apply(s, new LeadEvent.SlaExpired(1), Now.AddHours(8), oneHop);
        Assert.Equal(RoutingPhase.InVendorPool, step.State.Phase);
    }

    [Fact]
    public void A_rejection_moves_the_lead_on_at_once()
    {
        var step = Apply(Offered(), new LeadEvent.Rejected("partner-a", "not our segment"));
        Assert.Equal(RoutingPhase.Rerouting, step.State.Phase);
        Assert.Null(step.State.Holder);
        Assert.Contains(new LeadCommand.NotifyCrm(new CrmChange("lead.rejected", "lead-1", "partner-a", T, "not our segment")), step.Commands);
        Assert.Contains(new LeadCommand.CancelTimer("lead-lead-1-hop1-sla"), step.Commands);
        Assert.Equal(["partner-a"], Assert.Single(step.Commands.OfType<LeadCommand.Reroute>()).ExcludingPartners);
    }

    [Fact]
    public void A_late_accept_after_the_lead_moved_on_is_refused_with_the_reason()
    {
        var s = Offered("partner-a");
        _clock.Advance(TimeSpan.FromHours(48));
        s = Apply(s, new LeadEvent.SlaExpired(1)).State;
        s = Apply(s, new LeadEvent.Assigned("partner-b")).State;
        _clock.Advance(TimeSpan.FromMinutes(5));
        var late = Apply(s, new LeadEvent.Accepted("partner-a", "sam@partner-a"));
        Assert.Equal(SlaOutcome.Refused, late.Outcome);
        Assert.Equal("the offer to partner-a ended at 2026-11-27 12:00 UTC without acceptance and the lead has moved on", late.Reason);
        Assert.Same(s, late.State);
        Assert.Empty(late.Commands);
    }

    [Fact]
    public void An_accept_at_the_deadline_but_before_the_expiry_timer_ran_is_refused_too()
    {
        var s = Offered();
        _clock.Advance(TimeSpan.FromHours(48));
        var step = Apply(s, new LeadEvent.Accepted("partner-a", "sam"));
        Assert.Equal(SlaOutcome.Refused, step.Outcome);
        Assert.StartsWith("the time to accept ended at 2026-11-27 12:00 UTC", step.Reason);
        var justInTime = LeadSla.Apply(s, new LeadEvent.Accepted("partner-a", "sam"), Now.AddHours(48).AddSeconds(-1), Settings);
        Assert.Equal(SlaOutcome.Applied, justInTime.Outcome);
    }

    [Fact]
    public void A_partner_who_does_not_hold_the_lead_cannot_accept_or_reject_it()
    {
        var s = Offered("partner-a");
        var forged = Apply(s, new LeadEvent.Accepted("partner-b", "eve"));
        Assert.Equal((SlaOutcome.Refused, "partner-b does not hold this lead"), (forged.Outcome, forged.Reason));
        Assert.Equal(SlaOutcome.Refused, Apply(s, new LeadEvent.Rejected("partner-b", "spite")).Outcome);
        Assert.Equal("partner-a", s.Holder);
    }

    [Fact]
    public void Two_partners_racing_only_the_holder_wins_and_the_loser_learns_why()
    {
        var s = Offered("partner-a");
        _clock.Advance(TimeSpan.FromHours(48));
        s = Apply(s, new LeadEvent.SlaExpired(1)).State;
        s = Apply(s, new LeadEvent.Assigned("partner-b")).State;
        // Both click at the same moment; the engine's ETag serialises them in some order. Either order: B wins, A is refused.
        foreach (var order in new[] { new[] { "partner-a", "partner-b" }, ["partner-b", "partner-a"] })
        {
            var state = s;
            var outcomes = new Dictionary<string, SlaOutcome>();
            foreach (var partner in order)
            {
                var step = Apply(state, new LeadEvent.Accepted(partner, partner));
                outcomes[partner] = step.Outcome;
                state = step.State;
            }
            Assert.Equal(SlaOutcome.Applied, outcomes["partner-b"]);
            Assert.Equal(SlaOutcome.Refused, outcomes["partner-a"]);
            Assert.Equal(("partner-b", RoutingPhase.Accepted), (state.Holder!, state.Phase));
        }
    }

    [Fact]
    public void Duplicate_events_are_no_ops()
    {
        var s = Offered();
        var reassigned = Apply(s, new LeadEvent.Assigned("partner-a"));
        Assert.Equal((SlaOutcome.NoOp, 0), (reassigned.Outcome, reassigned.Commands.Count));

        _clock.Advance(TimeSpan.FromHours(24));
        s = Apply(s, new LeadEvent.SlaReminderDue(1, 0)).State;
        Assert.Equal(SlaOutcome.NoOp, Apply(s, new LeadEvent.SlaReminderDue(1, 0)).Outcome);

        s = Apply(s, new LeadEvent.Accepted("partner-a", "sam")).State;
        var again = Apply(s, new LeadEvent.Accepted("partner-a", "sam"));
        Assert.Equal((SlaOutcome.NoOp, 0), (again.Outcome, again.Commands.Count));
        Assert.Same(s, again.State);
    }

    [Fact]
    public void A_duplicate_rejection_is_a_no_op()
    {
        var s = Apply(Offered(), new LeadEvent.Rejected("partner-a", "no")).State;
        var again = Apply(s, new LeadEvent.Rejected("partner-a", "no"));
        Assert.Equal((SlaOutcome.NoOp, 0), (again.Outcome, again.Commands.Count));
    }

    [Fact]
    public void Stale_timers_from_an_earlier_offer_do_nothing()
    {
        var s = Apply(Offered("partner-a"), new LeadEvent.Rejected("partner-a", "no")).State;
        s = Apply(s, new LeadEvent.Assigned("partner-b")).State;
        _clock.Advance(TimeSpan.FromHours(48));
        Assert.Equal(SlaOutcome.NoOp, Apply(s, new LeadEvent.SlaExpired(1)).Outcome);
        Assert.Equal(SlaOutcome.NoOp, Apply(s, new LeadEvent.SlaReminderDue(1, 1)).Outcome);
    }

    [Fact]
    public void An_expiry_timer_that_wakes_early_sleeps_again()
    {
        var s = Offered();
        _clock.Advance(TimeSpan.FromHours(47));
        var step = Apply(s, new LeadEvent.SlaExpired(1));
        Assert.Equal([new LeadCommand.SetTimer("lead-lead-1-hop1-sla", Now.AddHours(48), new LeadEvent.SlaExpired(1))], step.Commands);
        Assert.Equal(RoutingPhase.AwaitingAcceptance, step.State.Phase);
    }

    [Fact]
    public void A_partner_who_already_had_the_lead_is_not_offered_it_again_by_routing()
    {
        var s = Apply(Offered("partner-a"), new LeadEvent.Rejected("partner-a", "no")).State;
        Assert.Equal(SlaOutcome.Refused, Apply(s, new LeadEvent.Assigned("partner-a")).Outcome);
    }

    [Fact]
    public void Accepting_then_rejecting_is_refused_in_favour_of_lost()
    {
        var s = Apply(Offered(), new LeadEvent.Accepted("partner-a", "sam")).State;
        Assert.Equal("the lead was already accepted; mark it Lost instead", Apply(s, new LeadEvent.Rejected("partner-a", "oops")).Reason);
    }

    [Fact]
    public void A_vendor_recall_withdraws_the_offer()
    {
        var step = Apply(Offered(), new LeadEvent.Recalled("kim@vendor", "duplicate of a key account"));
        Assert.Equal(RoutingPhase.Recalled, step.State.Phase);
        Assert.Null(step.State.Holder);
        Assert.Contains(new LeadCommand.NotifyPartner("partner-a", PartnerEmail.Withdrawn, Now.AddHours(48)), step.Commands);
        Assert.Contains(new LeadCommand.CancelTimer("lead-lead-1-hop1-sla"), step.Commands);
        Assert.Equal("the vendor recalled this lead", Apply(step.State, new LeadEvent.Accepted("partner-a", "sam")).Reason);
        Assert.Equal(SlaOutcome.NoOp, Apply(step.State, new LeadEvent.Recalled("kim@vendor", "again")).Outcome);
    }

    [Fact]
    public void When_routing_finds_nobody_the_lead_goes_to_the_pool_once()
    {
        var step = Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.NoPartnerFound("no partner covers BR"));
        Assert.Equal(RoutingPhase.InVendorPool, step.State.Phase);
        Assert.Contains(new LeadCommand.MoveToVendorPool("no partner covers BR"), step.Commands);
        Assert.Equal(SlaOutcome.NoOp, Apply(step.State, new LeadEvent.NoPartnerFound("no partner covers BR")).Outcome);
    }

    [Fact]
    public void The_vendor_can_hand_a_pooled_lead_to_a_partner_by_hand()
    {
        var s = Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.NoPartnerFound("nobody")).State;
        var step = Apply(s, new LeadEvent.Assigned("partner-z"));
        Assert.Equal((RoutingPhase.AwaitingAcceptance, "partner-z"), (step.State.Phase, step.State.Holder!));
    }

    [Fact]
    public void Reminders_that_would_fall_in_the_past_for_a_short_sla_are_not_armed()
    {
        var shortSla = new SlaSettings { Sla = TimeSpan.FromHours(6) };
        var step = LeadSla.Apply(LeadRoutingState.Start("lead-1"), new LeadEvent.Assigned("partner-a"), T, shortSla);
        var timer = Assert.Single(step.Commands.OfType<LeadCommand.SetTimer>(), t => t.Name.Contains("reminder"));
        Assert.Equal(Now.AddHours(2), timer.DueAt);
    }
}
