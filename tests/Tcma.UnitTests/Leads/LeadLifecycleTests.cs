using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class LeadLifecycleTests
{
    private static readonly LeadActor.Partner Holder = new("partner-a", "sam@partner-a");
    private static readonly LeadActor.Partner Stranger = new("partner-b", "eve@partner-b");
    private static readonly LeadActor.Vendor Vendor = new("vendor-1", "kim@vendor");

    private static Lead Held(LeadStatus status) => Lead() with { Status = status, PartnerId = "partner-a" };

    private static Lead Moved(StatusChange change) => Assert.IsType<StatusChange.Moved>(change).Lead;

    private static string Refused(StatusChange change) => Assert.IsType<StatusChange.Refused>(change).Reason;

    [Fact]
    public void The_happy_path_runs_new_assigned_accepted_working_won()
    {
        var lead = Moved(LeadLifecycle.Assign(Lead(), "partner-a", new LeadActor.Platform()));
        Assert.Equal(("partner-a", new LeadStatus.Assigned()), (lead.PartnerId!, lead.Status));
        lead = Moved(LeadLifecycle.Move(lead, new LeadStatus.Accepted(), Holder));
        lead = Moved(LeadLifecycle.Move(lead, new LeadStatus.Working(), Holder));
        lead = Moved(LeadLifecycle.Move(lead, new LeadStatus.Won(25_000m, "EUR"), Holder));
        Assert.Equal(new LeadStatus.Won(25_000m, "EUR"), lead.Status);
    }

    [Fact]
    public void Won_only_from_accepted_or_working()
    {
        Assert.Equal("only an Accepted or Working lead can be Won; this one is Assigned",
            Refused(LeadLifecycle.Move(Held(new LeadStatus.Assigned()), new LeadStatus.Won(1m, "EUR"), Holder)));
        Moved(LeadLifecycle.Move(Held(new LeadStatus.Accepted()), new LeadStatus.Won(1m, "EUR"), Holder));
    }

    [Fact]
    public void A_partner_may_only_move_its_own_lead()
    {
        Assert.Equal("partner partner-b does not hold this lead", Refused(LeadLifecycle.Move(Held(new LeadStatus.Assigned()), new LeadStatus.Accepted(), Stranger)));
        Assert.Equal("partner partner-b does not hold this lead", Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Lost("x"), Stranger)));
        Assert.Equal("partner partner-b does not hold this lead", Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Working(), Stranger)));
    }

    [Fact]
    public void Another_vendor_cannot_touch_the_lead()
    {
        Assert.Equal("vendor vendor-2 does not own this lead",
            Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Recalled(), new LeadActor.Vendor("vendor-2", "x"))));
    }

    [Fact]
    public void Partners_cannot_assign_or_recall_and_vendors_cannot_accept_for_them()
    {
        Refused(LeadLifecycle.Assign(Lead(), "partner-a", Holder));
        Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Recalled(), Holder));
        Assert.Equal("only the partner holding the lead can mark it Accepted", Refused(LeadLifecycle.Move(Held(new LeadStatus.Assigned()), new LeadStatus.Accepted(), Vendor)));
    }

    [Fact]
    public void Rejecting_needs_a_reason_and_takes_the_lead_out_of_the_partners_hands()
    {
        Assert.Equal("a rejection needs a reason", Refused(LeadLifecycle.Move(Held(new LeadStatus.Assigned()), new LeadStatus.Rejected(" "), Holder)));
        var rejected = Moved(LeadLifecycle.Move(Held(new LeadStatus.Assigned()), new LeadStatus.Rejected("outside our region"), Holder));
        Assert.Null(rejected.PartnerId);
        Assert.Equal(new LeadStatus.Rejected("outside our region"), rejected.Status);
    }

    [Fact]
    public void Lost_needs_a_reason_and_won_a_sensible_amount()
    {
        Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Lost(""), Holder));
        Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Won(-1m, "EUR"), Holder));
        Refused(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Won(10m, "euro"), Holder));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Won_and_lost_are_final(bool won)
    {
        LeadStatus closed = won ? new LeadStatus.Won(5m, "USD") : new LeadStatus.Lost("went elsewhere");
        var reason = Refused(LeadLifecycle.Move(Held(closed), new LeadStatus.Working(), Holder));
        Assert.EndsWith("is final", reason);
        Refused(LeadLifecycle.Move(Held(closed), new LeadStatus.Recalled(), Vendor));
        Refused(LeadLifecycle.Assign(Held(closed), "partner-b", Vendor));
    }

    [Fact]
    public void Moving_to_the_status_the_lead_already_has_is_a_no_op()
    {
        Assert.IsType<StatusChange.Unchanged>(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Working(), Holder));
        Assert.IsType<StatusChange.Unchanged>(LeadLifecycle.Assign(Held(new LeadStatus.Assigned()), "partner-a", new LeadActor.Platform()));
    }

    [Fact]
    public void Working_only_after_accepting()
    {
        Assert.Equal("only an Accepted lead can be Working; this one is Assigned", Refused(LeadLifecycle.Move(Held(new LeadStatus.Assigned()), new LeadStatus.Working(), Holder)));
    }

    [Fact]
    public void The_vendor_can_recall_an_open_lead_and_routing_can_assign_it_again()
    {
        var recalled = Moved(LeadLifecycle.Move(Held(new LeadStatus.Working()), new LeadStatus.Recalled(), Vendor));
        Assert.Null(recalled.PartnerId);
        var reassigned = Moved(LeadLifecycle.Assign(recalled, "partner-b", new LeadActor.Platform()));
        Assert.Equal("partner-b", reassigned.PartnerId);
    }

    [Fact]
    public void An_accepted_lead_cannot_be_reassigned_without_a_recall()
    {
        Assert.Equal("a lead that is Accepted cannot be assigned; recall it first", Refused(LeadLifecycle.Assign(Held(new LeadStatus.Accepted()), "partner-b", Vendor)));
    }
}
