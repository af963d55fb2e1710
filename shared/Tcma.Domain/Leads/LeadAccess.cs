namespace Tcma.Domain.Leads;

/// <summary>
/// Who may see a lead: the vendor that owns it, and the partner holding it right now. A partner whose offer ended
/// (rejected, lapsed, recalled) no longer sees it; the platform sees everything.
/// </summary>
public static class LeadAccess
{
    public static bool CanSee(LeadActor actor, Lead lead) => actor switch
    {
        LeadActor.Vendor v => v.VendorId == lead.VendorId,
        LeadActor.Partner p => lead.PartnerId is not null && p.PartnerId == lead.PartnerId,
        LeadActor.Platform => true,
        _ => false,
    };

    /// <summary>The leads an actor's inbox or console shows, whatever the query that loaded them returned.</summary>
    public static IEnumerable<Lead> Visible(LeadActor actor, IEnumerable<Lead> leads) => leads.Where(l => CanSee(actor, l));
}
