namespace Tcma.Domain.Leads;

public enum SlaOutcome
{
    /// <summary>The event changed the state (or re-armed a timer that woke early).</summary>
    Applied,
    /// <summary>A duplicate or stale event: nothing changes, nothing is sent.</summary>
    NoOp,
    /// <summary>Not allowed; Reason says why, in words fit for the person who clicked.</summary>
    Refused,
}

public sealed record SlaStep(LeadRoutingState State, IReadOnlyList<LeadCommand> Commands, SlaOutcome Outcome, string? Reason = null)
{
    public void Deconstruct(out LeadRoutingState state, out IReadOnlyList<LeadCommand> commands) => (state, commands) = (State, Commands);
}

/// <summary>
/// The accept-or-lose-it SLA as a pure transition. Only the partner holding the lead can accept or reject it, and only
/// before the SLA ends; a lapse or a rejection re-routes the lead excluding everyone who had it, and after MaxHops offers
/// the lead goes to the vendor's pool. The engine's ETag on the state row makes two racing clicks sequential; this function
/// then lets exactly one of them win.
/// </summary>
public static class LeadSla
{
    public static SlaStep Apply(LeadRoutingState state, LeadEvent e, DateTimeOffset now, SlaSettings? settings = null)
    {
        settings ??= new SlaSettings();
        return e switch
        {
            LeadEvent.Assigned a => Assigned(state, a, now, settings),
            LeadEvent.Accepted a => Accepted(state, a, now),
            LeadEvent.Rejected r => Rejected(state, r, now, settings),
            LeadEvent.SlaReminderDue r => Reminder(state, r),
            LeadEvent.SlaExpired x => Expired(state, x, now, settings),
            LeadEvent.Recalled r => Recalled(state, r, now),
            LeadEvent.NoPartnerFound n => NoPartner(state, n, now),
            _ => Refuse(state, "unknown event"),
        };
    }

    public static string ExpiryTimer(string leadId, int hop) => $"lead-{leadId}-hop{hop}-sla";

    public static string ReminderTimer(string leadId, int hop, int reminder) => $"lead-{leadId}-hop{hop}-reminder{reminder}";

    private static SlaStep Assigned(LeadRoutingState s, LeadEvent.Assigned a, DateTimeOffset now, SlaSettings settings)
    {
        switch (s.Phase)
        {
            case RoutingPhase.AwaitingAcceptance when s.Holder == a.PartnerId:
                return NoOp(s, $"the lead is already offered to {a.PartnerId}");
            case RoutingPhase.AwaitingAcceptance:
                return Refuse(s, $"the lead is already offered to {s.Holder}");
            case RoutingPhase.Accepted:
                return Refuse(s, $"the lead was already accepted by {s.Holder}");
            case RoutingPhase.Unrouted or RoutingPhase.Rerouting when s.PartnersWhoHadIt.Contains(a.PartnerId):
                return Refuse(s, $"{a.PartnerId} already had this lead and is never offered it again automatically");
        }

        var hop = s.Hop + 1;
        var due = now + settings.Sla;
        var commands = new List<LeadCommand> { new LeadCommand.NotifyPartner(a.PartnerId, PartnerEmail.NewLead, due) };
        var armed = new List<int>();
        for (var i = 0; i < settings.RemindersBeforeEnd.Count; i++)
        {
            var at = due - settings.RemindersBeforeEnd[i];
            if (at <= now)
                continue;
            armed.Add(i);
            commands.Add(new LeadCommand.SetTimer(ReminderTimer(s.LeadId, hop, i), at, new LeadEvent.SlaReminderDue(hop, i)));
        }
        commands.Add(new LeadCommand.SetTimer(ExpiryTimer(s.LeadId, hop), due, new LeadEvent.SlaExpired(hop)));
        commands.Add(Crm(CrmEventTypes.Assigned, s, a.PartnerId, now));
        var next = s with
        {
            Phase = RoutingPhase.AwaitingAcceptance,
            Holder = a.PartnerId,
            Hop = hop,
            SlaDueAt = due,
            RemindersArmed = armed,
            RemindersSent = [],
            Offers = [.. s.Offers, new Offer(hop, a.PartnerId, now, due)],
        };
        return new(next, commands, SlaOutcome.Applied);
    }

    private static SlaStep Accepted(LeadRoutingState s, LeadEvent.Accepted a, DateTimeOffset now)
    {
        if (s.Phase == RoutingPhase.Accepted && s.Holder == a.PartnerId)
            return NoOp(s, "already accepted");
        if (s.Phase != RoutingPhase.AwaitingAcceptance || s.Holder != a.PartnerId)
            return Refuse(s, NotHolder(s, a.PartnerId));
        if (now >= s.SlaDueAt)
            return Refuse(s, $"the time to accept ended at {s.SlaDueAt:yyyy-MM-dd HH:mm} UTC; the lead is being offered to another partner");

        var commands = CancelHopTimers(s);
        var offer = s.Offers.LastOrDefault(o => o.PartnerId == a.PartnerId && o.Ended is null);
        commands.Add(new LeadCommand.NotifyCrm(new CrmChange(CrmEventTypes.Accepted, s.LeadId, a.PartnerId, now, $"accepted by {a.By}", offer?.OfferedAt)));
        var next = EndOffer(s, "accepted", RoutingPhase.Accepted) with { Holder = a.PartnerId };
        return new(next, commands, SlaOutcome.Applied);
    }

    private static SlaStep Rejected(LeadRoutingState s, LeadEvent.Rejected r, DateTimeOffset now, SlaSettings settings)
    {
        if (s.Offers.Any(o => o.PartnerId == r.PartnerId && o.Ended == "rejected") && s.Holder != r.PartnerId)
            return NoOp(s, "already rejected");
        if (s.Phase == RoutingPhase.Accepted && s.Holder == r.PartnerId)
            return Refuse(s, "the lead was already accepted; mark it Lost instead");
        if (s.Phase != RoutingPhase.AwaitingAcceptance || s.Holder != r.PartnerId)
            return Refuse(s, NotHolder(s, r.PartnerId));
        if (string.IsNullOrWhiteSpace(r.Reason))
            return Refuse(s, "a rejection needs a reason");

        var commands = CancelHopTimers(s);
        commands.Add(Crm(CrmEventTypes.Rejected, s, r.PartnerId, now, r.Reason));
        return MoveOn(EndOffer(s, "rejected", RoutingPhase.Rerouting), commands, now, settings);
    }

    private static SlaStep Reminder(LeadRoutingState s, LeadEvent.SlaReminderDue r)
    {
        if (s.Phase != RoutingPhase.AwaitingAcceptance || s.Hop != r.Hop || s.RemindersSent.Contains(r.Reminder))
            return NoOp(s, "stale or repeated reminder");
        return new(s with { RemindersSent = [.. s.RemindersSent, r.Reminder] },
            [new LeadCommand.NotifyPartner(s.Holder!, PartnerEmail.Reminder, s.SlaDueAt!.Value)], SlaOutcome.Applied);
    }

    private static SlaStep Expired(LeadRoutingState s, LeadEvent.SlaExpired x, DateTimeOffset now, SlaSettings settings)
    {
        if (s.Phase != RoutingPhase.AwaitingAcceptance || s.Hop != x.Hop)
            return NoOp(s, "stale timer: the offer it was set for has ended");
        var due = s.SlaDueAt!.Value;
        // Timers may wake early (queue visibility is capped at days, clocks differ): sleep again rather than act early.
        if (now < due)
            return new(s, [new LeadCommand.SetTimer(ExpiryTimer(s.LeadId, s.Hop), due, x)], SlaOutcome.Applied);

        var commands = CancelHopTimers(s, includeExpiry: false);
        commands.Add(new LeadCommand.NotifyPartner(s.Holder!, PartnerEmail.Withdrawn, due));
        commands.Add(Crm(CrmEventTypes.SlaExpired, s, s.Holder, now, $"not accepted within {settings.Sla.TotalHours:0.#} hours"));
        return MoveOn(EndOffer(s, "lapsed", RoutingPhase.Rerouting), commands, now, settings);
    }

    private static SlaStep Recalled(LeadRoutingState s, LeadEvent.Recalled r, DateTimeOffset now)
    {
        if (s.Phase is RoutingPhase.Recalled or RoutingPhase.InVendorPool)
            return NoOp(s, "the lead is already with the vendor");
        var commands = new List<LeadCommand>();
        if (s.Phase == RoutingPhase.AwaitingAcceptance)
            commands.AddRange(CancelHopTimers(s));
        if (s.Phase is RoutingPhase.AwaitingAcceptance or RoutingPhase.Accepted)
            commands.Add(new LeadCommand.NotifyPartner(s.Holder!, PartnerEmail.Withdrawn, s.SlaDueAt ?? now));
        commands.Add(Crm(CrmEventTypes.Recalled, s, s.Holder, now, $"recalled by {r.By}: {r.Reason}"));
        var ended = s.Phase == RoutingPhase.AwaitingAcceptance ? EndOffer(s, "recalled", RoutingPhase.Recalled) : s with { Phase = RoutingPhase.Recalled };
        return new(ended with { Holder = null }, commands, SlaOutcome.Applied);
    }

    private static SlaStep NoPartner(LeadRoutingState s, LeadEvent.NoPartnerFound n, DateTimeOffset now)
    {
        if (s.Phase is not (RoutingPhase.Unrouted or RoutingPhase.Rerouting))
            return NoOp(s, "routing is not waiting for a partner");
        return ToPool(s, [], now, n.Reason);
    }

    /// <summary>After an offer ends without acceptance: the next partner, or the pool once MaxHops partners have had it.</summary>
    private static SlaStep MoveOn(LeadRoutingState s, List<LeadCommand> commands, DateTimeOffset now, SlaSettings settings)
    {
        if (s.Hop >= settings.MaxHops)
            return ToPool(s, commands, now, $"offered to {s.Hop} partners, none accepted");
        commands.Add(new LeadCommand.Reroute(s.PartnersWhoHadIt));
        return new(s, commands, SlaOutcome.Applied);
    }

    private static SlaStep ToPool(LeadRoutingState s, List<LeadCommand> commands, DateTimeOffset now, string reason)
    {
        commands.Add(new LeadCommand.MoveToVendorPool(reason));
        commands.Add(Crm(CrmEventTypes.VendorPool, s, null, now, reason));
        return new(s with { Phase = RoutingPhase.InVendorPool, Holder = null }, commands, SlaOutcome.Applied);
    }

    private static LeadRoutingState EndOffer(LeadRoutingState s, string how, RoutingPhase phase) => s with
    {
        Phase = phase,
        Holder = phase == RoutingPhase.Accepted ? s.Holder : null,
        Offers = [.. s.Offers.Select(o => o.Hop == s.Hop && o.Ended is null ? o with { Ended = how } : o)],
    };

    private static List<LeadCommand> CancelHopTimers(LeadRoutingState s, bool includeExpiry = true)
    {
        var commands = new List<LeadCommand>();
        foreach (var i in s.RemindersArmed.Except(s.RemindersSent))
            commands.Add(new LeadCommand.CancelTimer(ReminderTimer(s.LeadId, s.Hop, i)));
        if (includeExpiry)
            commands.Add(new LeadCommand.CancelTimer(ExpiryTimer(s.LeadId, s.Hop)));
        return commands;
    }

    private static string NotHolder(LeadRoutingState s, string partnerId)
    {
        var earlier = s.Offers.LastOrDefault(o => o.PartnerId == partnerId);
        return earlier switch
        {
            { Ended: "lapsed" } => $"the offer to {partnerId} ended at {earlier.DueAt:yyyy-MM-dd HH:mm} UTC without acceptance and the lead has moved on",
            { Ended: "rejected" } => $"{partnerId} rejected this lead",
            { Ended: "recalled" } => "the vendor recalled this lead",
            { Ended: "accepted" } => $"{partnerId} accepted this lead earlier, but it has moved on",
            _ => $"{partnerId} does not hold this lead",
        };
    }

    private static LeadCommand Crm(string type, LeadRoutingState s, string? partnerId, DateTimeOffset now, string? reason = null) =>
        new LeadCommand.NotifyCrm(new CrmChange(type, s.LeadId, partnerId, now, reason));

    private static SlaStep NoOp(LeadRoutingState s, string reason) => new(s, [], SlaOutcome.NoOp, reason);

    private static SlaStep Refuse(LeadRoutingState s, string reason) => new(s, [], SlaOutcome.Refused, reason);
}
