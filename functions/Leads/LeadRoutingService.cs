using System.Text.Json;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.Domain.Workflows;
using Tcma.Functions.Identity;
using Tcma.Storage.Leads;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Leads;

/// <summary>Where emailed links point and how long a partner's inbox link lasts.</summary>
public sealed class LeadRoutingOptions
{
    public const string Section = "Leads";
    /// <summary>The address partners reach the app at, e.g. https://tcma.example.com/.</summary>
    public string PublicBaseUrl { get; set; } = "http://localhost:7071/";
    public TimeSpan InboxLinkLifetime { get; set; } = TimeSpan.FromDays(30);
    /// <summary>
    /// How long routing reuses a vendor's partner list. Reading 500 partners for every lead would dominate routing; the price
    /// is that a partner deactivated or re-tiered a moment ago may still get a lead for this long. Zero: always read.
    /// </summary>
    public TimeSpan PartnerCacheTime { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>An accept or reject link, read back: who, which lead, which offer, which answer.</summary>
public sealed record AnswerLink(string VendorId, string PartnerId, string LeadId, int Hop, bool Accept, string Nonce)
{
    public static AnswerLink? Parse(SignedToken token)
    {
        var parts = token.Subject.Split('|');
        if (parts.Length != 4 || parts[0] is not ("accept" or "reject") || !int.TryParse(parts[3], out var hop)) return null;
        return new(token.VendorId, parts[1], parts[2], hop, parts[0] == "accept", token.Nonce);
    }

    public static string Subject(bool accept, string partnerId, string leadId, int hop) => $"{(accept ? "accept" : "reject")}|{partnerId}|{leadId}|{hop}";
}

public abstract record LeadAnswer
{
    private LeadAnswer() { }

    public sealed record Done(string LeadId, LeadWorkflowState State) : LeadAnswer;

    /// <summary>Not allowed, with the reason in words for the person who clicked.</summary>
    public sealed record Refused(string Reason) : LeadAnswer;

    /// <summary>Forged, replayed, unknown or not this partner's: the person learns nothing more than that.</summary>
    public sealed record Invalid : LeadAnswer;
}

/// <summary>
/// Wires the pure routing and SLA rules to storage: starts a lead's workflow, chooses partners (once per hop), turns
/// clicks from links, the inbox and the console into workflow events, and keeps the lead row in step with the workflow.
/// </summary>
public sealed class LeadRoutingService(
    WorkflowEngine engine,
    LeadStore leads,
    LeadRoutingStore routing,
    PartnerDirectory directory,
    LinkTokens tokens,
    TimeProvider clock,
    IOptions<LeadRoutingOptions> options,
    IMemoryCache cache,
    ILogger<LeadRoutingService> logger,
    Tcma.Storage.Deals.CustomerIndex customers)
{
    public const string AnswerPurpose = TokenPurposes.Accept;
    /// <summary>The partner's lead inbox link.</summary>
    public const string InboxPurpose = "leads";
    public const string AnswerPath = "partner/leads/answer";
    public const string InboxPath = "partner/leads";

    private const string Type = LeadRoutingWorkflow.TypeName;

    /// <summary>Starts the lead's workflow (once, however often called) and routes it at once.</summary>
    public async Task StartAndRouteAsync(Lead lead, CancellationToken ct)
    {
        var (rules, _) = await routing.GetRulesAsync(lead.VendorId, ct);
        var start = new LeadRoutingEvents.StartData(lead.VendorId, lead.Id, rules.ToSla(),
            new LeadBrief(lead.Person.Country, lead.Person.ProductInterest, lead.Person.CompanySize));
        await engine.StartAsync(Type, lead.Id, new WorkflowEvent("start", LeadRoutingEvents.Start, "system:capture", Json(start)), ct);
        await RouteAsync(lead.VendorId, lead.Id, 0, (lead, rules), ct);
    }

    public async Task<(LeadWorkflowState State, long Version)?> GetAsync(string vendorId, string leadId, CancellationToken ct)
    {
        if (!Storage.TableKeys.IsValid(leadId) || leadId.Length > 200) return null;
        var instance = await engine.GetAsync(Type, leadId, ct);
        if (instance?.StateJson is null) return null;
        var state = JsonSerializer.Deserialize<LeadWorkflowState>(instance.StateJson, WorkflowJson.Options)!;
        return state.VendorId == vendorId ? (state, instance.Version) : null;
    }

    /// <summary>
    /// Chooses the partner for the hop after <paramref name="afterHop"/>, if routing still waits for one. The decision is
    /// stored once per hop (with the round-robin credit it used), so a redelivered request re-sends the same offer, which
    /// the workflow recognises by its event id.
    /// </summary>
    public Task RouteAsync(string vendorId, string leadId, int afterHop, CancellationToken ct) => RouteAsync(vendorId, leadId, afterHop, null, ct);

    /// <param name="known">The lead and rules when the caller has just read them (capture): two reads fewer per lead.</param>
    private async Task RouteAsync(string vendorId, string leadId, int afterHop, (Lead Lead, LeadRoutingRules Rules)? known, CancellationToken ct)
    {
        if (await GetAsync(vendorId, leadId, ct) is not { } current) return;
        var (state, _) = current;
        if (state.Routing.Phase is not (RoutingPhase.Unrouted or RoutingPhase.Rerouting) || state.Routing.Hop != afterHop) return;
        var lead = known?.Lead ?? await leads.GetAsync(vendorId, leadId, ct) ?? throw new InvalidOperationException($"lead {leadId} has a workflow but no row yet");
        var rules = known?.Rules ?? (await routing.GetRulesAsync(vendorId, ct)).Rules;
        var hop = afterHop + 1;
        var now = clock.GetUtcNow();
        var decision = await routing.DecideOnceAsync(vendorId, leadId, hop, now, async credit =>
        {
            var partners = await PartnersAsync(vendorId, ct);
            var load = partners.Any(p => p.Partner.LeadRouting?.MaxOpenUnaccepted is not null)
                ? await leads.OpenUnacceptedAsync(vendorId, ct)
                : new Dictionary<string, int>();
            return LeadRouter.Route(lead, new RoutingContext
            {
                Partners = [.. partners.Select(p => ToRouting(p.Partner, load))],
                Chain = rules.Chain,
                TierOrder = rules.TierOrder,
                ExcludedPartners = state.Routing.PartnersWhoHadIt.ToHashSet(StringComparer.Ordinal),
                RoundRobin = credit,
                Now = now,
            });
        }, ct);

        if (decision.PartnerId is null)
        {
            var reason = decision.Trail.LastOrDefault()?.Outcome ?? "no partner can take the lead";
            await engine.RaiseAsync(Type, leadId, new WorkflowEvent($"nopartner:{hop}", LeadRoutingEvents.NoPartner, "system:routing",
                Json(new LeadRoutingEvents.NoPartnerData(hop, reason))), ct);
        }
        else
        {
            // The partner list routing chose from (cached) has the contact too: no read of the partner's row per lead.
            var chosen = (await PartnersAsync(vendorId, ct)).FirstOrDefault(p => p.Partner.Id == decision.PartnerId)?.Partner
                ?? (await directory.GetAsync(vendorId, decision.PartnerId, ct))?.Partner;
            await OfferAsync(vendorId, leadId, hop, decision.PartnerId, chosen, state.Settings.Sla, $"offer:{hop}", "system:routing", ct);
        }
        await SyncAsync(vendorId, leadId, ct);
    }

    /// <summary>The vendor hands a lead in its pool (or recalled) to a partner of its choice.</summary>
    public async Task<LeadAnswer> AssignAsync(string vendorId, string leadId, string partnerId, string by, CancellationToken ct)
    {
        if (await GetAsync(vendorId, leadId, ct) is not { } current) return new LeadAnswer.Invalid();
        var (state, _) = current;
        if (state.Routing.Phase is not (RoutingPhase.InVendorPool or RoutingPhase.Recalled))
            return new LeadAnswer.Refused($"only a lead in your pool or recalled can be assigned by hand; this one is {state.Status}");
        var partner = await directory.GetAsync(vendorId, partnerId, ct);
        if (partner is null || partner.Partner.Status != PartnerStatus.Active)
            return new LeadAnswer.Refused($"{partnerId} is not an active partner of yours");
        var hop = state.Routing.Hop + 1;
        await OfferAsync(vendorId, leadId, hop, partnerId, partner.Partner, state.Settings.Sla, $"assign:{hop}", by, ct);
        return await DoneAsync(vendorId, leadId, s => s.Routing.Holder == partnerId && s.Routing.Hop == hop, "someone else changed the lead meanwhile", ct);
    }

    public async Task<LeadAnswer> RecallAsync(string vendorId, string leadId, string by, string reason, CancellationToken ct)
    {
        if (await GetAsync(vendorId, leadId, ct) is not { } current) return new LeadAnswer.Invalid();
        var (state, version) = current;
        if (state.Status.IsClosed) return new LeadAnswer.Refused($"the lead is already {state.Status}; {state.Status} is final");
        var preview = LeadRoutingWorkflow.Preview(state, new LeadEvent.Recalled(by, reason), clock.GetUtcNow());
        if (preview.Outcome != SlaOutcome.Applied) return new LeadAnswer.Refused(preview.Reason ?? "nothing to recall");
        await engine.RaiseAsync(Type, leadId, new WorkflowEvent($"recall:{version}", LeadRoutingEvents.Recall, by, Json(new LeadRoutingEvents.RecallData(by, reason))), ct);
        return await DoneAsync(vendorId, leadId, s => s.Routing.Phase == RoutingPhase.Recalled, "someone else changed the lead meanwhile", ct);
    }

    /// <summary>Accept or Reject from the partner's inbox (the partner's identity comes from its inbox link).</summary>
    public async Task<LeadAnswer> AnswerFromInboxAsync(string vendorId, string partnerId, string leadId, bool accept, string? reason, CancellationToken ct)
    {
        if (await GetAsync(vendorId, leadId, ct) is not { } current || current.State.PartnerId != partnerId) return new LeadAnswer.Invalid();
        return await AnswerAsync(vendorId, partnerId, leadId, accept, reason, $"inbox:{current.Version}:{(accept ? "accept" : "reject")}:{partnerId}", ct);
    }

    /// <summary>Reads an emailed link without acting on it (the confirm page): the link's answer, or why it cannot be used.</summary>
    public async Task<(AnswerLink? Link, LeadAnswer? Problem)> ReadLinkAsync(string? token, CancellationToken ct)
    {
        var verified = tokens.Verify(token, AnswerPurpose);
        if (verified.Failure == TokenFailure.Expired)
            return (null, new LeadAnswer.Refused("The time to answer this offer has ended: the lead has gone back to the vendor or to another partner."));
        if (!verified.IsValid || AnswerLink.Parse(verified.Token!) is not { } link) return (null, new LeadAnswer.Invalid());
        if (await GetAsync(link.VendorId, link.LeadId, ct) is not { } current) return (null, new LeadAnswer.Invalid());
        var state = current.State;
        if (!state.Routing.Offers.Any(o => o.Hop == link.Hop && o.PartnerId == link.PartnerId)) return (null, new LeadAnswer.Invalid());
        // The offer this link was made for has ended: say why before the partner presses anything.
        if (state.Routing.Hop != link.Hop)
            return (link, new LeadAnswer.Refused("This offer has ended: the lead has moved on since this email was sent."));
        LeadEvent e = link.Accept ? new LeadEvent.Accepted(link.PartnerId, link.PartnerId) : new LeadEvent.Rejected(link.PartnerId, "(reason to come)");
        var preview = LeadRoutingWorkflow.Preview(state, e, clock.GetUtcNow());
        return (link, preview.Outcome == SlaOutcome.Refused ? new LeadAnswer.Refused(Sentence(preview.Reason)) : null);
    }

    /// <summary>Acts on an emailed Accept or Reject link: single use, for the partner, lead and offer it was made for.</summary>
    public async Task<LeadAnswer> AnswerByLinkAsync(string? token, string? reason, CancellationToken ct)
    {
        var (link, problem) = await ReadLinkAsync(token, ct);
        if (link is null || problem is not null) return problem!;
        // Used once: a replay (or a second tab) finds the token spent and learns nothing.
        var consumed = await tokens.ConsumeAsync(token, AnswerPurpose, ct);
        if (!consumed.IsValid) return new LeadAnswer.Invalid();
        return await AnswerAsync(link.VendorId, link.PartnerId, link.LeadId, link.Accept, reason, $"link:{link.Nonce}", ct);
    }

    private async Task<LeadAnswer> AnswerAsync(string vendorId, string partnerId, string leadId, bool accept, string? reason, string eventId, CancellationToken ct)
    {
        var (state, _) = (await GetAsync(vendorId, leadId, ct))!.Value;
        LeadEvent e = accept ? new LeadEvent.Accepted(partnerId, partnerId) : new LeadEvent.Rejected(partnerId, reason?.Trim() ?? "");
        var preview = LeadRoutingWorkflow.Preview(state, e, clock.GetUtcNow());
        if (preview.Outcome == SlaOutcome.Refused) return new LeadAnswer.Refused(Sentence(preview.Reason));
        var data = new LeadRoutingEvents.AnswerData(partnerId, partnerId, reason?.Trim());
        await engine.RaiseAsync(Type, leadId, new WorkflowEvent(eventId, accept ? LeadRoutingEvents.Accept : LeadRoutingEvents.Reject, $"partner:{partnerId}", Json(data)), ct);
        // The engine serialised racing clicks on the state row's ETag; what is stored now says who won.
        return await DoneAsync(vendorId, leadId,
            s => accept
                ? s.Routing.Phase == RoutingPhase.Accepted && s.Routing.Holder == partnerId
                : s.Routing.Offers.Any(o => o.PartnerId == partnerId && o.Ended == "rejected"),
            $"the lead is no longer offered to {partnerId}", ct);
    }

    /// <summary>Working, Won or Lost from the inbox, by the partner holding the accepted lead.</summary>
    public async Task<LeadAnswer> ProgressAsync(string vendorId, string partnerId, string leadId, LeadStatus status, CancellationToken ct)
    {
        if (await GetAsync(vendorId, leadId, ct) is not { } current || current.State.PartnerId != partnerId) return new LeadAnswer.Invalid();
        var (state, version) = current;
        switch (LeadLifecycle.Move(LeadRoutingWorkflow.Shadow(state), status, new LeadActor.Partner(partnerId, partnerId)))
        {
            case StatusChange.Refused r:
                return new LeadAnswer.Refused(Sentence(r.Reason));
            case StatusChange.Unchanged:
                return new LeadAnswer.Done(leadId, state);
        }
        await engine.RaiseAsync(Type, leadId, new WorkflowEvent($"progress:{version}:{status}", LeadRoutingEvents.Progress, $"partner:{partnerId}",
            Json(new LeadRoutingEvents.ProgressData(partnerId, status))), ct);
        return await DoneAsync(vendorId, leadId, s => s.Status == status, "someone else changed the lead meanwhile", ct);
    }

    /// <summary>Copies the workflow's status and holder onto the lead row (newer versions only).</summary>
    public async Task SyncAsync(string vendorId, string leadId, CancellationToken ct)
    {
        var instance = await engine.GetAsync(Type, leadId, ct);
        if (instance?.StateJson is null) return;
        var state = JsonSerializer.Deserialize<LeadWorkflowState>(instance.StateJson, WorkflowJson.Options)!;
        if (state.VendorId != vendorId) return;
        // A lead a partner holds is in the customer index deal registrations are checked against (and a won one stays there).
        if (await leads.ProjectRoutingAsync(vendorId, leadId, state.Status, state.PartnerId, instance.Version, ct) is { } lead)
            await Tcma.Storage.Deals.LeadCustomers.SyncAsync(customers, lead, ct);
    }

    public string InboxLink(string vendorId, string partnerId) =>
        Url(InboxPath, tokens.Create(InboxPurpose, partnerId, vendorId, options.Value.InboxLinkLifetime));

    private async Task<IReadOnlyList<StoredPartner>> PartnersAsync(string vendorId, CancellationToken ct)
    {
        var ttl = options.Value.PartnerCacheTime;
        if (ttl <= TimeSpan.Zero) return await directory.ListAsync(vendorId, ct: ct);
        return (await cache.GetOrCreateAsync("lead-routing-partners:" + vendorId, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = ttl;
            return await directory.ListAsync(vendorId, ct: ct);
        }))!;
    }

    private async Task OfferAsync(string vendorId, string leadId, int hop, string partnerId, Partner? partner, TimeSpan sla, string eventId, string actor, CancellationToken ct)
    {
        var contact = partner?.Contacts.Count > 0 ? partner.PrimaryContact : null;
        var card = new PartnerCard(contact?.Name ?? partner?.CompanyName ?? partnerId, contact?.Email ?? "");
        var offer = new LeadRoutingEvents.OfferData(hop, partnerId, card,
            Url(AnswerPath, tokens.Create(AnswerPurpose, AnswerLink.Subject(true, partnerId, leadId, hop), vendorId, sla)),
            Url(AnswerPath, tokens.Create(AnswerPurpose, AnswerLink.Subject(false, partnerId, leadId, hop), vendorId, sla)),
            InboxLink(vendorId, partnerId));
        var result = await engine.RaiseAsync(Type, leadId, new WorkflowEvent(eventId, LeadRoutingEvents.Offer, actor, Json(offer)), ct);
        logger.LogInformation("Lead {LeadId} of {VendorId}: hop {Hop} offered to {PartnerId} ({Outcome})", leadId, vendorId, hop, partnerId, result.Outcome);
    }

    private async Task<LeadAnswer> DoneAsync(string vendorId, string leadId, Func<LeadWorkflowState, bool> succeeded, string otherwise, CancellationToken ct)
    {
        await SyncAsync(vendorId, leadId, ct);
        var (state, _) = (await GetAsync(vendorId, leadId, ct))!.Value;
        return succeeded(state) ? new LeadAnswer.Done(leadId, state) : new LeadAnswer.Refused(Sentence(otherwise));
    }

    private string Url(string path, string token) =>
        new Uri(new Uri(options.Value.PublicBaseUrl), $"{path}?{Schemes.LinkQuery}={Uri.EscapeDataString(token)}").ToString();

    private static RoutingPartner ToRouting(Partner p, IReadOnlyDictionary<string, int> load) => new()
    {
        PartnerId = p.Id,
        Name = p.CompanyName,
        Tier = p.Tier,
        Weight = p.LeadRouting?.Weight ?? 1,
        // Without routing settings a partner covers its own country, the one territory the directory knows.
        Territories = p.LeadRouting?.Territories ?? (p.Country is { } c ? [new Territory(c)] : []),
        Specialisations = p.Specialisations,
        OptedOutProducts = p.LeadRouting?.OptedOutProducts ?? [],
        MaxOpenUnaccepted = p.LeadRouting?.MaxOpenUnaccepted,
        OpenUnaccepted = load.GetValueOrDefault(p.Id),
        IsActive = p.Status == PartnerStatus.Active,
    };

    private static string Sentence(string? reason) =>
        string.IsNullOrEmpty(reason) ? "This cannot be done now." : char.ToUpperInvariant(reason[0]) + reason[1..] + (reason.EndsWith('.') ? "" : ".");

    private static string Json<T>(T value) => JsonSerializer.Serialize(value, WorkflowJson.Options);
}
