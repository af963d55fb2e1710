namespace Tcma.Domain.Leads;

/// <summary>Who asks for a status change: a user of a partner, a user of the vendor, or the platform itself (routing, SLA).</summary>
public abstract record LeadActor
{
    private LeadActor() { }

    public sealed record Partner(string PartnerId, string User) : LeadActor;
    public sealed record Vendor(string VendorId, string User) : LeadActor;
    public sealed record Platform : LeadActor;
}

public abstract record StatusChange
{
    private StatusChange() { }

    public sealed record Moved(Lead Lead) : StatusChange;

    /// <summary>The lead already had that status (a double click, a redelivered message): nothing to write, nothing to notify.</summary>
    public sealed record Unchanged(Lead Lead) : StatusChange;

    public sealed record Refused(string Reason) : StatusChange;
}

/// <summary>
/// The status lifecycle: New → Assigned → Accepted → Working → Won or Lost; Assigned → Rejected; anything open → Recalled.
/// Partners move only the leads they hold; routing and the vendor assign and recall.
/// </summary>
public static class LeadLifecycle
{
    /// <summary>Hands the lead to a partner: from New, Rejected, Recalled, or from another partner when the SLA moves it on.</summary>
    public static StatusChange Assign(Lead lead, string partnerId, LeadActor actor)
    {
        if (Refusal(lead, actor, partnerAllowed: false) is { } refused)
            return new StatusChange.Refused(refused);
        if (lead.Status is LeadStatus.Assigned && lead.PartnerId == partnerId)
            return new StatusChange.Unchanged(lead);
        if (lead.Status is not (LeadStatus.New or LeadStatus.Assigned or LeadStatus.Rejected or LeadStatus.Recalled))
            return new StatusChange.Refused($"a lead that is {lead.Status} cannot be assigned; recall it first");
        return new StatusChange.Moved(lead with { Status = new LeadStatus.Assigned(), PartnerId = partnerId });
    }

    public static StatusChange Move(Lead lead, LeadStatus to, LeadActor actor)
    {
        if (to == lead.Status)
        {
            var partnerMove = to is not (LeadStatus.New or LeadStatus.Assigned or LeadStatus.Recalled);
            return Refusal(lead, actor, partnerMove) is { } refusedAgain
                ? new StatusChange.Refused(refusedAgain)
                : new StatusChange.Unchanged(lead);
        }
        if (lead.Status.IsClosed)
            return new StatusChange.Refused($"the lead is already {lead.Status}; {lead.Status} is final");

        switch (to)
        {
            case LeadStatus.New:
                return new StatusChange.Refused("a lead never goes back to New");
            case LeadStatus.Assigned:
                return new StatusChange.Refused("a lead is assigned by routing, to a named partner");
            case LeadStatus.Accepted or LeadStatus.Rejected:
                if (actor is not LeadActor.Partner)
                    return new StatusChange.Refused($"only the partner holding the lead can mark it {to}");
                if (Refusal(lead, actor, partnerAllowed: true) is { } refusedAnswer)
                    return new StatusChange.Refused(refusedAnswer);
                if (lead.Status is not LeadStatus.Assigned)
                    return new StatusChange.Refused($"only an Assigned lead can be {to}; this one is {lead.Status}");
                if (to is LeadStatus.Rejected { Reason: var why } && string.IsNullOrWhiteSpace(why))
                    return new StatusChange.Refused("a rejection needs a reason");
                // A rejected lead leaves the partner's inbox at once: it is routed again, excluding that partner.
                return new StatusChange.Moved(lead with { Status = to, PartnerId = to is LeadStatus.Rejected ? null : lead.PartnerId });
            case LeadStatus.Working:
                if (actor is not LeadActor.Partner)
                    return new StatusChange.Refused("only the partner holding the lead can mark it Working");
                if (Refusal(lead, actor, partnerAllowed: true) is { } refusedWork)
                    return new StatusChange.Refused(refusedWork);
                if (lead.Status is not LeadStatus.Accepted)
                    return new StatusChange.Refused($"only an Accepted lead can be Working; this one is {lead.Status}");
                return new StatusChange.Moved(lead with { Status = to });
            case LeadStatus.Won or LeadStatus.Lost:
                if (Refusal(lead, actor, partnerAllowed: true) is { } refusedClose)
                    return new StatusChange.Refused(refusedClose);
                if (lead.Status is not (LeadStatus.Accepted or LeadStatus.Working))
                    return new StatusChange.Refused($"only an Accepted or Working lead can be {to}; this one is {lead.Status}");
                if (to is LeadStatus.Won won && (won.Amount < 0 || won.Currency.Length != 3 || !won.Currency.All(char.IsAsciiLetterUpper)))
                    return new StatusChange.Refused("Won needs an amount of zero or more and a three-letter currency such as EUR");
                if (to is LeadStatus.Lost { Reason: var lostWhy } && string.IsNullOrWhiteSpace(lostWhy))
                    return new StatusChange.Refused("Lost needs a reason");
                return new StatusChange.Moved(lead with { Status = to });
            case LeadStatus.Recalled:
                if (Refusal(lead, actor, partnerAllowed: false) is { } refusedRecall)
                    return new StatusChange.Refused(refusedRecall);
                return new StatusChange.Moved(lead with { Status = to, PartnerId = null });
            default:
                return new StatusChange.Refused($"unknown status {to}");
        }
    }

    /// <summary>Why this actor may not touch this lead at all, or null when it may.</summary>
    private static string? Refusal(Lead lead, LeadActor actor, bool partnerAllowed) => actor switch
    {
        LeadActor.Partner p when !partnerAllowed => $"partner {p.PartnerId} cannot do this; only the vendor or routing can",
        LeadActor.Partner p when p.PartnerId != lead.PartnerId => $"partner {p.PartnerId} does not hold this lead",
        LeadActor.Vendor v when v.VendorId != lead.VendorId => $"vendor {v.VendorId} does not own this lead",
        _ => null,
    };
}
