using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.Domain.Workflows;
using Tcma.Functions.Mdf;
using Tcma.Storage;
using Tcma.Storage.Deals;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Deals;

/// <summary>An event for a registration as the engine records it: the domain event and the ids the first one needs.</summary>
public sealed record DealEventData(string VendorId, string RegistrationId, string PartnerId, DealEvent Event);

/// <summary>
/// The wiring of registrations: the rules in force, the partner's card, the conflict check on the claim rows and the
/// customer index, then the workflow. "First registered" is decided by storage: a registration the rules let through
/// writes itself into the claim row of each exact customer key in one entity-group transaction under the ETags it
/// read; of two at the same moment one write fails (409/412), and that one checks again and finds the other there.
/// </summary>
public sealed class DealService(
    WorkflowEngine engine, DealRulesStore rulesStore, ClaimStore claims, CustomerIndex index, DealList list, PartnerDirectory partners,
    TimeProvider clock, ILogger<DealService> logger)
{
    /// <summary>
    /// A claim holder whose workflow is not (yet) started is another submission between its claim write and its start:
    /// it counts for this long, then it is a crash's leftover and is dropped from the row by the next writer.
    /// </summary>
    public static readonly TimeSpan ClaimGrace = TimeSpan.FromMinutes(2);
    private const int MaxAttempts = 12;

    public async Task<MdfOutcome<DealState>> SubmitAsync(string vendorId, string partnerId, RegistrationInput input, Actor by, string? idempotencyKey, CancellationToken ct)
    {
        var rules = await rulesStore.CurrentAsync(vendorId, ct);
        if (rules is null) return No(409, "deal.no_rules", "The vendor has not published its rules of engagement yet, so deals cannot be registered.");
        var stored = await partners.GetAsync(vendorId, partnerId, ct);
        if (stored is null || stored.Partner.Status != PartnerStatus.Active)
            return No(403, "deal.not_a_partner", "Only an active partner of this vendor can register deals.");
        var partner = stored.Partner;
        var now = clock.GetUtcNow();
        var checkd = RegistrationCheck.Validate(input, rules, partner.Tier, now);
        if (!checkd.IsValid) return new(null, checkd.Refusals, checkd.Refusals.Any(r => r.Code == "deal.tier_not_allowed") ? 403 : 400);
        var registration = checkd.Value!;
        var id = DealWorkflowTypes.StableId(vendorId, partnerId, idempotencyKey ?? MdfJson.Write(registration));
        if (await engine.GetDealAsync(id, ct) is { Status: not DealStatus.Draft } existing)
            return MdfOutcome<DealState>.Ok(existing, 200, "This registration was already submitted; here it is.");

        var card = new DealPartner(partner.CompanyName, partner.PrimaryContact.Email, partner.Tier);
        var verdict = await ClaimAsync(vendorId, id, partnerId, registration, rules, now, ct);
        var submit = new SubmitDeal(registration, rules, card, verdict, by);
        var t = DealWorkflow.Apply(DealState.New(id, vendorId, partnerId), submit, now);
        if (t.IsRefused)
        {
            await claims.ReleaseAsync(vendorId, CustomerKeys.Exact(registration), id, ct);
            return new(null, t.Refusals, 400);
        }
        await engine.StartAsync(DealWorkflowTypes.Registration, id, Event("submit", new DealEventData(vendorId, id, partnerId, submit)), ct);
        if (verdict is not ConflictVerdict.Refuse)
            await index.AddAsync(vendorId, CustomerKeys.All(registration),
                new IndexEntry("", IndexEntry.Registration, id, partnerId, registration.Customer.CompanyName, registration.Domains, now), ct);
        var after = await ProjectAsync(id, ct) ?? throw new InvalidOperationException($"registration {id} did not start");
        return after.Status == DealStatus.Refused
            ? new(after, [new Refusal(verdict is ConflictVerdict.Refuse r ? r.Reason.Code : "deal.refused", after.Reason ?? "Refused under the rules.")], 409)
            : MdfOutcome<DealState>.Ok(after, 201);
    }

    /// <summary>
    /// Decides the conflict verdict and, when it lets the registration through, takes the claim rows; repeated until the
    /// write goes in under the ETags it read, so the verdict always stands on what storage holds.
    /// </summary>
    private async Task<ConflictVerdict> ClaimAsync(string vendorId, string id, string partnerId, DealRegistration registration, RulesOfEngagement rules,
        DateTimeOffset now, CancellationToken ct)
    {
        var exact = CustomerKeys.Exact(registration);
        for (var attempt = 1; ; attempt++)
        {
            var rows = await claims.ReadAsync(vendorId, exact, ct);
            var (candidates, gone) = await CandidatesAsync(vendorId, id, registration, rows, now, ct);
            var verdict = ConflictCheck.Decide(registration, partnerId, rules, candidates);
            if (verdict is not ConflictVerdict.Clear) return verdict;
            var me = new ClaimHolder(id, partnerId, registration.Products, now);
            var changes = rows.Select(r => (r, (IReadOnlyList<ClaimHolder>)r.Holders.Where(h => h.RegistrationId != id && !gone.Contains(h.RegistrationId)).Append(me).ToList())).ToList();
            if (await claims.WriteAsync(vendorId, changes, ct)) return verdict;
            if (attempt >= MaxAttempts) throw new ConcurrencyConflictException($"the claim rows of registration {id} kept changing", new InvalidOperationException());
            await OptimisticConcurrency.BackoffAsync(attempt, ct);
        }
    }

    /// <summary>The verdict the rules give a registration now, without claiming anything (the benchmark's measure of the check).</summary>
    public async Task<ConflictVerdict> CheckAsync(string vendorId, string id, string partnerId, DealRegistration registration, RulesOfEngagement rules, CancellationToken ct)
    {
        var rows = await claims.ReadAsync(vendorId, CustomerKeys.Exact(registration), ct);
        var (candidates, _) = await CandidatesAsync(vendorId, id, registration, rows, clock.GetUtcNow(), ct);
        return ConflictCheck.Decide(registration, partnerId, rules, candidates);
    }

    /// <summary>
    /// What the registration may collide with: the holders of its exact keys' claim rows, and whatever the customer
    /// index finds under all its keys (open registrations, open routed leads, won customers). Holders whose
    /// registration is closed, or never started within <see cref="ClaimGrace"/>, are returned as gone.
    /// </summary>
    private async Task<(List<Candidate> Candidates, HashSet<string> Gone)> CandidatesAsync(string vendorId, string id, DealRegistration registration,
        IReadOnlyList<ClaimRow> rows, DateTimeOffset now, CancellationToken ct)
    {
        var entries = await index.FindAsync(vendorId, CustomerKeys.All(registration), ct);
        var holders = rows.SelectMany(r => r.Holders).Where(h => h.RegistrationId != id).GroupBy(h => h.RegistrationId).Select(g => g.First()).ToList();
        var registrationIds = holders.Select(h => h.RegistrationId)
            .Concat(entries.Where(e => e.Kind == IndexEntry.Registration && e.Id != id).Select(e => e.Id)).Distinct().ToList();
        var states = (await Task.WhenAll(registrationIds.Select(async r => (Id: r, State: await engine.GetDealAsync(r, ct))))).ToDictionary(x => x.Id, x => x.State);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        var candidates = new List<Candidate>();
        foreach (var h in holders)
        {
            var s = states[h.RegistrationId];
            if (s is { Registration: not null, Status: not DealStatus.Draft })
            {
                if (!s.IsOpen) { gone.Add(h.RegistrationId); continue; }
                candidates.Add(FromState(s) with { HoldsClaim = true });
            }
            else if (now - h.At < ClaimGrace)
                // Between its claim write and its start: it came first, whatever it turns out to be.
                candidates.Add(new Candidate(CandidateKind.Registration, h.RegistrationId, h.PartnerId, registration.Customer.CompanyName, registration.Domains, h.At)
                    { Status = DealStatus.PendingApproval, Products = h.Products, HoldsClaim = true });
            else gone.Add(h.RegistrationId);
        }
        foreach (var e in entries.GroupBy(e => (e.Kind, e.Id)).Select(g => g.First()))
        {
            if (e.Kind == IndexEntry.Registration)
            {
                if (e.Id == id || candidates.Any(c => c.Id == e.Id) || states.GetValueOrDefault(e.Id) is not { Registration: not null, IsOpen: true } s) continue;
                candidates.Add(FromState(s));
            }
            else candidates.Add(new Candidate(e.CandidateKind, e.Id, e.PartnerId, e.CompanyName, e.Domains, e.At) { SourcePartnerId = e.SourcePartnerId });
        }
        return (candidates, gone);
    }

    private static Candidate FromState(DealState s) =>
        new(CandidateKind.Registration, s.RegistrationId, s.PartnerId, s.Registration!.Customer.CompanyName, s.Registration.Domains, s.SubmittedAt ?? default)
        {
            Status = s.Status, ProtectedUntil = s.ProtectedUntil, Products = s.Registration.Products,
        };

    /// <summary>
    /// A queued registration looked at again (what it waited behind was decided): by the rules version it was submitted
    /// under, never the one in force now. A registration no longer queued is left alone.
    /// </summary>
    public async Task RecheckAsync(string vendorId, string id, CancellationToken ct)
    {
        if (await engine.GetDealWithVersionAsync(id, ct) is not { State: { Status: DealStatus.Queued, Registration: not null, Rules: not null } s, Version: var version }
            || s.VendorId != vendorId)
            return;
        var verdict = await ClaimAsync(vendorId, id, s.PartnerId, s.Registration, s.Rules, clock.GetUtcNow(), ct);
        var e = new RecheckDeal(verdict, Actor.System("conflict-check"));
        await engine.RaiseAsync(DealWorkflowTypes.Registration, id, Event($"recheck:{version}", new DealEventData(vendorId, id, s.PartnerId, e)), ct);
        var after = await ProjectAsync(id, ct);
        if (after is { Status: not DealStatus.PendingApproval } && verdict is ConflictVerdict.Clear)
            // Someone else's event landed first and it is no longer going ahead: the claim it just took goes back.
            await claims.ReleaseAsync(vendorId, CustomerKeys.Exact(s.Registration), id, ct);
    }

    /// <summary>Any person's action on a registration (an approver, the partner) or a message from another registration.</summary>
    public async Task<MdfOutcome<DealState>> ActAsync(string vendorId, string id, DealEvent e, string eventId, CancellationToken ct)
    {
        var state = await engine.GetDealAsync(id, ct);
        if (state is null || state.VendorId != vendorId || state.Status == DealStatus.Draft) return No(404, "deal.not_found", $"No registration {id}.");
        var t = DealWorkflow.Apply(state, e, clock.GetUtcNow());
        if (t.IsRefused) return new(state, t.Refusals, StatusFor(t.Refusals));
        if (t.IsNoOp) return MdfOutcome<DealState>.Ok(state, 200, t.NoOpReason);
        await engine.RaiseAsync(DealWorkflowTypes.Registration, id, Event(eventId, new DealEventData(vendorId, id, state.PartnerId, e)), ct);
        var after = (await ProjectAsync(id, ct))!;
        if (!after.History.Skip(state.History.Count).Any(h => h.By == e.By))
        {
            // Another action landed first (two approvers' emails at once): ours is decided again on what is there now.
            var again = DealWorkflow.Apply(after, e, clock.GetUtcNow());
            return again.IsRefused ? new(after, again.Refusals, StatusFor(again.Refusals)) : MdfOutcome<DealState>.Ok(after, 200, again.NoOpReason ?? "Someone else acted first.");
        }
        return MdfOutcome<DealState>.Ok(after);
    }

    /// <summary>The list row follows the workflow; its version guard keeps an older copy from overwriting a newer one.</summary>
    public async Task<DealState?> ProjectAsync(string id, CancellationToken ct)
    {
        if (await engine.GetDealWithVersionAsync(id, ct) is not { } found) return null;
        await list.ProjectAsync(found.State, found.Version, ct);
        return found.State;
    }

    public async Task<RulesPublishOutcome> PublishAsync(string vendorId, RulesOfEngagement rules, int basedOn, string by, CancellationToken ct)
    {
        var outcome = await rulesStore.PublishAsync(vendorId, rules, basedOn, by, clock.GetUtcNow(), ct);
        if (outcome.Kind == RulesPublishKind.Published) logger.LogInformation("Rules of engagement v{Version} of {Vendor} published by {By}", outcome.Current!.Version, vendorId, by);
        return outcome;
    }

    public async Task<Currency?> CurrencyOfAsync(string vendorId, string id, CancellationToken ct) =>
        DealWorkflowTypes.IsValidId(id) && await engine.GetDealAsync(id, ct) is { Registration: { } r } s && s.VendorId == vendorId ? r.EstimatedValue.Currency : null;

    public static WorkflowEvent Event(string id, DealEventData data) =>
        new(id, data.Event.GetType().Name, data.Event.By.UserId, MdfJson.Write(data));

    /// <summary>Who may not act: 403; the registration moved on: 409; anything else is the input: 400.</summary>
    public static int StatusFor(IReadOnlyList<Refusal> refusals) =>
        refusals.Any(r => r.Code is "approval.wrong_approver" or "approval.backup_not_escalated" or "deal.not_your_registration") ? 403
        : refusals.Any(r => r.Code is "approval.step_already_decided" or "deal.not_pending" or "deal.waiting_for_partner" or "deal.not_approved" or "deal.closed"
            or "deal.no_question" or "deal.extension_used" or "deal.no_extensions" or "deal.no_extension" or "deal.protection_ended") ? 409
        : 400;

    private static MdfOutcome<DealState> No(int status, string code, string message) => new(null, [new Refusal(code, message)], status);
}
