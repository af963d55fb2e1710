using Tcma.Domain.Leads;
using static Tcma.UnitTests.Leads.LeadsTestData;

namespace Tcma.UnitTests.Leads;

public sealed class LeadAccessTests
{
    private static readonly Lead Held = Lead() with { Status = new LeadStatus.Accepted(), PartnerId = "partner-a" };

    [Fact]
    public void A_partner_sees_only_the_leads_it_holds()
    {
        Assert.True(LeadAccess.CanSee(new LeadActor.Partner("partner-a", "sam"), Held));
        Assert.False(LeadAccess.CanSee(new LeadActor.Partner("partner-b", "eve"), Held));
        Assert.False(LeadAccess.CanSee(new LeadActor.Partner("partner-a", "sam"), Held with { PartnerId = null, Status = new LeadStatus.Rejected("no") }));
    }

    [Fact]
    public void A_vendor_sees_only_its_own_leads()
    {
        Assert.True(LeadAccess.CanSee(new LeadActor.Vendor("vendor-1", "kim"), Held));
        Assert.False(LeadAccess.CanSee(new LeadActor.Vendor("vendor-2", "max"), Held));
    }

    [Fact]
    public void An_inbox_filters_out_what_a_query_returned_by_mistake()
    {
        var leads = new[] { Held, Held with { Id = "lead-2", PartnerId = "partner-b" }, Held with { Id = "lead-3", VendorId = "vendor-2" } };
        Assert.Equal(["lead-1", "lead-3"], LeadAccess.Visible(new LeadActor.Partner("partner-a", "sam"), leads).Select(l => l.Id));
        Assert.Equal(["lead-1", "lead-2"], LeadAccess.Visible(new LeadActor.Vendor("vendor-1", "kim"), leads).Select(l => l.Id));
    }
}
