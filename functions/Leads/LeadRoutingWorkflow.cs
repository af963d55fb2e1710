using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tcma.Domain.Leads;
using Tcma.Domain.Workflows;

namespace Tcma.Functions.Leads;

/// <summary>A partner's name and address as the offer emails need them.</summary>
public sealed record PartnerCard(string Name, string Email);

/// <summary>The signed links of the offer running now: each bound to the partner, the lead and the hop.</summary>
public sealed record OfferLinks(int Hop, string PartnerId, string Accept, string Reject, string Inbox);

/// <summary>What the offer emails say about the lead: no personal data, so the workflow's state and outbox survive an erasure clean.</summary>
public sealed record LeadBrief(string Country, string? ProductInterest, string? CompanySize);

/// <summary>One lead's routing workflow: the SLA's own state plus what the lead's status and the emails need.</summary>
public sealed record LeadWorkflowState
{
    public string VendorId { get; init; } = "";
    public LeadRoutingState Routing { get; init; } = LeadRoutingState.Start("");
    public SlaSettings Settings { get; init; } = new();
    public LeadBrief Brief { get; init; } = new("", null, null);
    /// <summary>The lead's status as the lead row shows it (the projection copies it there).</summary>
    public LeadStatus Status { get; init; } = new LeadStatus.New();
    public string? PartnerId { get; init; }
    public IReadOnlyDictionary<string, PartnerCard> Partners { get; init; } = new Dictionary<string, PartnerCard>();
    public OfferLinks? Links { get; init; }
    /// <summary>How many CRM notifications were sent: numbers each one's stable EventId.</summary>
    public int CrmEvents { get; init; }
    public bool Started { get; init; }
}

public static class LeadRoutingEvents
{
    public const string Start = "Start", Offer = "Offer", NoPartner = "NoPartner", Accept = "Accept", Reject = "Reject",
        Recall = "Recall", Progress = "Progress";

    public sealed record StartData(string VendorId, string LeadId, SlaSettings Settings, LeadBrief Brief);
    public sealed record OfferData(int Hop, string PartnerId, PartnerCard Partner, string AcceptUrl, string RejectUrl, string InboxUrl);
    public sealed record NoPartnerData(int Hop, string Reason);
    public sealed record AnswerData(string PartnerId, string By, string? Reason = null);
    public sealed record RecallData(string By, string Reason);
    public sealed record ProgressData(string PartnerId, LeadStatus Status);
}

/// <summary>Asks the router to choose a partner for the lead's next hop (<c>leads-route</c>).</summary>
public sealed record RouteRequest(string VendorId, string LeadId, int Hop);

/// <summary>Asks for the lead row to catch up with the workflow (<c>leads-sync</c>).</summary>
public sealed record LeadSyncRequest(string VendorId, string LeadId);

/// <summary>
/// The accept-or-lose-it SLA (<see cref="LeadSla"/>) on the workflow engine. Pure: the router's choice, the signed links and
/// the partner's address arrive in events, so every email, timer, re-route and CRM notification is decided here and leaves
/// through the engine's outbox in the same batch as the state.
/// </summary>
public sealed partial class LeadRoutingWorkflow : WorkflowDefinition<LeadWorkflowState>
{
    public const string TypeName = "LeadRouting";
    public const string RouteQueue = "leads-route";
    public const string SyncQueue = "leads-sync";

    public override string Type => TypeName;
    public override LeadWorkflowState Initial => new();

    public override WorkflowDecision<LeadWorkflowState> Decide(LeadWorkflowState state, WorkflowEvent e, DateTimeOffset now)
    {
        try
        {
            if (e.Name == LeadRoutingEvents.Start)
                return state.Started ? WorkflowDecision<LeadWorkflowState>.Unchanged(state) : Start(e.DataAs<LeadRoutingEvents.StartData>()!, now);
            if (!state.Started)
                return WorkflowDecision<LeadWorkflowState>.Unchanged(state);
            return e.Name switch
            {
                LeadRoutingEvents.Offer => Offer(state, e.DataAs<LeadRoutingEvents.OfferData>()!, now),
                LeadRoutingEvents.NoPartner when e.DataAs<LeadRoutingEvents.NoPartnerData>() is { } n && n.Hop == state.Routing.Hop + 1 =>
                    Sla(state, new LeadEvent.NoPartnerFound(n.Reason), now),
                LeadRoutingEvents.Accept when e.DataAs<LeadRoutingEvents.AnswerData>() is { } a => Sla(state, new LeadEvent.Accepted(a.PartnerId, a.By), now),
                LeadRoutingEvents.Reject when e.DataAs<LeadRoutingEvents.AnswerData>() is { } r => Sla(state, new LeadEvent.Rejected(r.PartnerId, r.Reason ?? ""), now),
                LeadRoutingEvents.Recall when e.DataAs<LeadRoutingEvents.RecallData>() is { } r && !state.Status.IsClosed =>
                    Sla(state, new LeadEvent.Recalled(r.By, r.Reason), now),
                LeadRoutingEvents.Progress when e.DataAs<LeadRoutingEvents.ProgressData>() is { } p => Progress(state, p, now),
                _ when TimerEvent(e) is { } timer => Sla(state, timer, now),
                _ => WorkflowDecision<LeadWorkflowState>.Unchanged(state),
            };
        }
        catch (JsonException)
        {
            // A malformed event changes nothing; the engine still records that it came.
            return WorkflowDecision<LeadWorkflowState>.Unchanged(state);
        }
    }

    /// <summary>What the SLA would say to this event now, without changing anything: the reason shown to the person who clicked.</summary>
    public static SlaStep Preview(LeadWorkflowState state, LeadEvent e, DateTimeOffset now) => LeadSla.Apply(state.Routing, e, now, state.Settings);

    private static WorkflowDecision<LeadWorkflowState> Start(LeadRoutingEvents.StartData data, DateTimeOffset now)
    {
        var state = new LeadWorkflowState
        {
            VendorId = data.VendorId,
            Routing = LeadRoutingState.Start(data.LeadId),
            Settings = data.Settings,
            Brief = data.Brief,
            Started = true,
        };
        var commands = new List<WorkflowCommand>();
        state = Crm(state, new CrmChange(CrmEventTypes.Created, data.LeadId, null, now), commands);
        // No routing request here: the capture function routes at once, and should it die first, its own message is
        // delivered again and routes (the start is then a no-op). A second message would cost every lead a queue round trip.
        return new(state, commands);
    }

    private static WorkflowDecision<LeadWorkflowState> Offer(LeadWorkflowState state, LeadRoutingEvents.OfferData offer, DateTimeOffset now)
    {
        // Offers are numbered by hop: one for an older hop (a slow duplicate) is stale.
        if (offer.Hop != state.Routing.Hop + 1)
            return WorkflowDecision<LeadWorkflowState>.Unchanged(state);
        var withCard = state with
        {
            Partners = new Dictionary<string, PartnerCard>(state.Partners) { [offer.PartnerId] = offer.Partner },
            Links = new OfferLinks(offer.Hop, offer.PartnerId, offer.AcceptUrl, offer.RejectUrl, offer.InboxUrl),
        };
        return Sla(withCard, new LeadEvent.Assigned(offer.PartnerId), now, keepOn: state);
    }

    private static WorkflowDecision<LeadWorkflowState> Progress(LeadWorkflowState state, LeadRoutingEvents.ProgressData p, DateTimeOffset now)
    {
        if (state.Routing.Phase != RoutingPhase.Accepted || state.Routing.Holder != p.PartnerId)
            return WorkflowDecision<LeadWorkflowState>.Unchanged(state);
        if (LeadLifecycle.Move(Shadow(state), p.Status, new LeadActor.Partner(p.PartnerId, p.PartnerId)) is not StatusChange.Moved)
            return WorkflowDecision<LeadWorkflowState>.Unchanged(state);
        var type = p.Status switch
        {
            LeadStatus.Working => CrmEventTypes.Working,
            LeadStatus.Won => CrmEventTypes.Won,
            _ => CrmEventTypes.Lost,
        };
        var reason = p.Status switch
        {
            LeadStatus.Won w => $"{w.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture)} {w.Currency}",
            LeadStatus.Lost l => l.Reason,
            _ => null,
        };
        var commands = new List<WorkflowCommand>();
        var next = Crm(state with { Status = p.Status }, new CrmChange(type, state.Routing.LeadId, p.PartnerId, now, reason), commands);
        commands.Add(Message(SyncQueue, new LeadSyncRequest(state.VendorId, state.Routing.LeadId)));
        return new(next, commands);
    }

    /// <summary>
    /// The lead as far as the lifecycle rules look at it. The lifecycle's rules need a Lead; the workflow keeps no personal
    /// data, so the parts those rules never read stay empty.
    /// </summary>
    internal static Lead Shadow(LeadWorkflowState s) => new()
    {
        Id = s.Routing.LeadId,
        VendorId = s.VendorId,
        Person = new LeadPerson { Email = "", Country = s.Brief.Country },
        Consent = new Consent("", default, "", ""),
        Source = new LeadSource.Api(""),
        Status = s.Status,
        PartnerId = s.PartnerId,
        CreatedAt = default,
        LastActivityAt = default,
    };

    /// <summary>Runs the SLA transition and turns its commands into the engine's: emails, timers, messages.</summary>
    private static WorkflowDecision<LeadWorkflowState> Sla(LeadWorkflowState state, LeadEvent e, DateTimeOffset now, LeadWorkflowState? keepOn = null)
    {
        var step = LeadSla.Apply(state.Routing, e, now, state.Settings);
        if (step.Outcome != SlaOutcome.Applied)
            return WorkflowDecision<LeadWorkflowState>.Unchanged(keepOn ?? state);

        var commands = new List<WorkflowCommand>();
        var next = state with { Routing = step.State };
        foreach (var command in step.Commands)
        {
            switch (command)
            {
                case LeadCommand.NotifyPartner n when next.Partners.GetValueOrDefault(n.PartnerId) is { } card:
                    commands.Add(new SendEmail(PartnerEmails.Build(n.Email, card, next, n.SlaDueAt)));
                    break;
                case LeadCommand.NotifyPartner:
                    break; // a partner chosen by hand without an address on file: the console shows the assignment
                case LeadCommand.SetTimer t:
                    commands.Add(new SetTimer(TimerName(t.OnDue), t.DueAt));
                    break;
                case LeadCommand.CancelTimer c when ShortTimerName(c.Name) is { } name:
                    commands.Add(new CancelTimer(name));
                    break;
                case LeadCommand.Reroute:
                    commands.Add(Message(RouteQueue, new RouteRequest(next.VendorId, next.Routing.LeadId, next.Routing.Hop)));
                    break;
                case LeadCommand.NotifyCrm crm:
                    next = Crm(next, crm.Change, commands);
                    break;
            }
        }
        var (status, holder) = StatusOf(next);
        next = next with { Status = status, PartnerId = holder };
        if (next.Status != state.Status || next.PartnerId != state.PartnerId)
            commands.Add(Message(SyncQueue, new LeadSyncRequest(next.VendorId, next.Routing.LeadId)));
        return new(next, commands);
    }

    /// <summary>The lead's status for where routing stands; once accepted, the partner's own progress (Working, Won, Lost) stands.</summary>
    private static (LeadStatus, string?) StatusOf(LeadWorkflowState s) => s.Routing.Phase switch
    {
        RoutingPhase.Unrouted => (new LeadStatus.New(), null),
        RoutingPhase.AwaitingAcceptance => (new LeadStatus.Assigned(), s.Routing.Holder),
        RoutingPhase.Accepted => (s.Status is LeadStatus.Working or LeadStatus.Won or LeadStatus.Lost ? s.Status : new LeadStatus.Accepted(), s.Routing.Holder),
        RoutingPhase.Rerouting when s.Routing.Offers.LastOrDefault() is { Ended: "rejected" } =>
            (new LeadStatus.Rejected(LastRejection(s) ?? "rejected"), null),
        // Lapsed and on its way to the next partner, in the pool, or recalled: back with the vendor.
        _ => (new LeadStatus.Recalled(), null),
    };

    private static string? LastRejection(LeadWorkflowState s) => s.Status is LeadStatus.Rejected r ? r.Reason : null;

    private static LeadWorkflowState Crm(LeadWorkflowState s, CrmChange change, List<WorkflowCommand> commands)
    {
        var n = s.CrmEvents + 1;
        var notification = new CrmNotification(s.VendorId, $"{change.LeadId}-{n:D4}", change);
        commands.Add(Message(CrmNotification.Queue, notification));
        // A rejection's reason is kept for the lead's status until the next offer replaces it.
        var status = change.EventType == CrmEventTypes.Rejected ? new LeadStatus.Rejected(change.Reason ?? "") : s.Status;
        return s with { CrmEvents = n, Status = status };
    }

    private static SendMessage Message<T>(string queue, T body) => new(queue, JsonSerializer.Serialize(body, JsonSerializerOptions.Web));

    // Engine timer names are at most 40 characters and unique within the instance, so the lead id stays out of them.
    private static string TimerName(LeadEvent onDue) => onDue switch
    {
        LeadEvent.SlaExpired x => $"h{x.Hop}-sla",
        LeadEvent.SlaReminderDue r => $"h{r.Hop}-r{r.Reminder}",
        _ => throw new ArgumentException($"no timer for {onDue.GetType().Name}"),
    };

    private static string? ShortTimerName(string slaTimer) =>
        SlaTimer().Match(slaTimer) is { Success: true } m
            ? m.Groups["reminder"].Success ? $"h{m.Groups["hop"].Value}-r{m.Groups["reminder"].Value}" : $"h{m.Groups["hop"].Value}-sla"
            : null;

    private static LeadEvent? TimerEvent(WorkflowEvent e)
    {
        if (!e.Name.StartsWith(WorkflowEvent.TimerPrefix, StringComparison.Ordinal)) return null;
        var m = EngineTimer().Match(e.Name[WorkflowEvent.TimerPrefix.Length..]);
        if (!m.Success) return null;
        var hop = int.Parse(m.Groups["hop"].Value, System.Globalization.CultureInfo.InvariantCulture);
        return m.Groups["reminder"].Success
            ? new LeadEvent.SlaReminderDue(hop, int.Parse(m.Groups["reminder"].Value, System.Globalization.CultureInfo.InvariantCulture))
            : new LeadEvent.SlaExpired(hop);
    }

    [GeneratedRegex(@"-hop(?<hop>\d+)-(sla|reminder(?<reminder>\d+))$")]
    private static partial Regex SlaTimer();

    [GeneratedRegex(@"^h(?<hop>\d+)-(sla|r(?<reminder>\d+))$")]
    private static partial Regex EngineTimer();
}

/// <summary>The three emails a partner gets about a lead. All text is encoded; links are the signed ones made for this offer.</summary>
internal static class PartnerEmails
{
    public static OutboxEmail Build(PartnerEmail kind, PartnerCard card, LeadWorkflowState s, DateTimeOffset due)
    {
        var what = Describe(s.Brief);
        var deadline = $"{due:yyyy-MM-dd HH:mm} UTC";
        var links = s.Links is { } l && l.PartnerId == s.Routing.Holder ? l : null;
        return kind switch
        {
            PartnerEmail.NewLead when links is not null => new OutboxEmail(card.Email,
                $"New lead for you: {what}",
                $"Hello {card.Name},\n\nYou have a new lead: {what}.\nAccept it by {deadline}, or it goes to another partner.\n\n" +
                $"Accept: {links.Accept}\nReject: {links.Reject}\nYour leads: {links.Inbox}\n",
                $"<p>Hello {H(card.Name)},</p><p>You have a new lead: <strong>{H(what)}</strong>.</p>" +
                $"<p>Accept it by <strong>{H(deadline)}</strong>, or it goes to another partner.</p>" +
                $"<p><a href=\"{H(links.Accept)}\">Accept the lead</a> · <a href=\"{H(links.Reject)}\">Reject it</a></p>" +
                $"<p><a href=\"{H(links.Inbox)}\">Open your leads</a></p>") { ToName = card.Name },
            PartnerEmail.Reminder when links is not null => new OutboxEmail(card.Email,
                $"Reminder: accept your lead by {deadline}",
                $"Hello {card.Name},\n\nThe lead ({what}) is still waiting. Accept it by {deadline}, or it goes to another partner.\n\n" +
                $"Accept: {links.Accept}\nReject: {links.Reject}\n",
                $"<p>Hello {H(card.Name)},</p><p>The lead ({H(what)}) is still waiting. Accept it by <strong>{H(deadline)}</strong>, or it goes to another partner.</p>" +
                $"<p><a href=\"{H(links.Accept)}\">Accept the lead</a> · <a href=\"{H(links.Reject)}\">Reject it</a></p>") { ToName = card.Name },
            _ => new OutboxEmail(card.Email,
                $"A lead was taken back: {what}",
                $"Hello {card.Name},\n\nThe lead ({what}) is no longer yours: it was not accepted in time or the vendor took it back.\n",
                $"<p>Hello {H(card.Name)},</p><p>The lead ({H(what)}) is no longer yours: it was not accepted in time or the vendor took it back.</p>") { ToName = card.Name },
        };
    }

    private static string Describe(LeadBrief b) =>
        string.Join(", ", new[] { b.ProductInterest is { Length: > 0 } p ? $"interested in {p}" : null, $"in {b.Country}", b.CompanySize is { Length: > 0 } c ? $"company size {c}" : null }.OfType<string>());

    private static string H(string s) => WebUtility.HtmlEncode(s);
}
