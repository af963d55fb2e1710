using System.Net;
using System.Text;
using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Domain.Workflows;
using Tcma.Functions.Hosting;
using Tcma.Functions.Mdf;
using Tcma.Storage.Deals;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Deals;

/// <summary>
/// The consumer of <c>deal-commands</c>. Every kind is idempotent, so a redelivery (or a message that arrives after a
/// later one) changes nothing: the list projection is version-guarded, claims and index entries are removed or added
/// as sets, emails keep their Message-ID, events to other registrations carry a stable event id, and attribution
/// records only move forward. A malformed message throws and ends in <c>deal-commands-poison</c>.
/// </summary>
public static class DealCommandFunctions
{
    public const string Name = "DealCommands";

    public static async Task HandleAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var m = invocation.ReadMessage<DealCommandMessage>(MdfJson.Options)
            ?? throw new InvalidDataException("a deal command is a JSON object");
        if (string.IsNullOrEmpty(m.Kind) || string.IsNullOrEmpty(m.VendorId) || !DealWorkflowTypes.IsValidId(m.RegistrationId))
            throw new InvalidDataException("a deal command names its kind, vendor and registration");
        var engine = services.GetRequiredService<WorkflowEngine>();
        var deals = services.GetRequiredService<DealService>();
        var state = await engine.GetDealAsync(m.RegistrationId, ct);
        if (state is null || state.VendorId != m.VendorId || state.Registration is null)
            throw new InvalidDataException($"registration {m.RegistrationId} of {m.VendorId} does not exist");
        var r = state.Registration;
        switch (m.Kind)
        {
            case DealCommandMessage.Project:
                await deals.ProjectAsync(m.RegistrationId, ct);
                break;
            case DealCommandMessage.PartnerEmail:
                await EmailPartnerAsync(services, state, m, ct);
                break;
            case DealCommandMessage.Release:
                await services.GetRequiredService<ClaimStore>().ReleaseAsync(m.VendorId, CustomerKeys.Exact(r), m.RegistrationId, ct);
                break;
            case DealCommandMessage.CloseIndex:
                var index = services.GetRequiredService<CustomerIndex>();
                var keys = CustomerKeys.All(r);
                await index.RemoveAsync(m.VendorId, keys, IndexEntry.Registration, m.RegistrationId, ct);
                if (m.Won)
                    await index.AddAsync(m.VendorId, keys, new IndexEntry("", IndexEntry.Won, m.RegistrationId, state.PartnerId, r.Customer.CompanyName, r.Domains,
                        state.History.LastOrDefault()?.At ?? default), ct);
                break;
            case DealCommandMessage.Wake:
                await deals.RecheckAsync(m.VendorId, Other(m), ct);
                break;
            case DealCommandMessage.WaitBehind:
                var waited = await engine.RaiseAsync(DealWorkflowTypes.Registration, Other(m), DealService.Event($"waiter:{m.RegistrationId}",
                    new DealEventData(m.VendorId, Other(m), state.PartnerId, new WaiterQueued(m.RegistrationId, Actor.System("conflict-check")))), ct);
                // Not started yet (between its claim and its start): the host retries; a crash's leftover claim expires meanwhile.
                if (waited.Outcome == WorkflowOutcome.UnknownInstance) throw new InvalidOperationException($"registration {Other(m)} is not started yet");
                break;
            case DealCommandMessage.Supersede:
                await deals.ActAsync(m.VendorId, Other(m), new SupersedeDeal(m.Text ?? "Under the rules this customer goes to another partner.", Actor.System("conflict-check")),
                    $"superseded-by:{m.RegistrationId}", ct);
                break;
            case DealCommandMessage.Attribution:
                await services.GetRequiredService<DealAttribution>().RecordAsync(state, m.Stage ?? throw new InvalidDataException("an attribution names its stage"), ct);
                break;
            default:
                throw new InvalidDataException($"unknown deal command '{m.Kind}'");
        }
    }

    private static string Other(DealCommandMessage m) =>
        DealWorkflowTypes.IsValidId(m.Other) ? m.Other! : throw new InvalidDataException($"a {m.Kind} command names the other registration");

    /// <summary>What changed, the rules the registration is judged by in plain words, and a fresh link to the partner's deals page.</summary>
    private static async Task EmailPartnerAsync(IServiceProvider services, DealState state, DealCommandMessage m, CancellationToken ct)
    {
        if (state.Partner is null) return;
        var link = services.GetRequiredService<DealLinks>().PartnerUrl(state.VendorId, state.PartnerId);
        var text = new StringBuilder().AppendLine($"Hello {state.Partner.Name},").AppendLine().AppendLine(m.Text).AppendLine()
            .AppendLine($"Registration {state.RegistrationId}. See it, update its stage or ask for the extension: {link}");
        var html = new StringBuilder($"<p>Hello {WebUtility.HtmlEncode(state.Partner.Name)},</p><p>{WebUtility.HtmlEncode(m.Text)}</p>")
            .Append($"<p>Registration {WebUtility.HtmlEncode(state.RegistrationId)}. <a href=\"{WebUtility.HtmlEncode(link)}\">See it, update its stage or ask for the extension</a></p>");
        DealRegistrationDefinition.AppendRules(state.Rules!, text, html);
        await services.GetRequiredService<IWorkflowEmailSender>().SendAsync(
            new OutboxEmail(state.Partner.Email, m.Subject ?? $"Your registration {state.RegistrationId}", text.ToString(), html.ToString()) { ToName = state.Partner.Name },
            "deal-partner/" + (m.Key ?? m.RegistrationId), ct);
    }
}

/// <summary>
/// Where a registration's pipeline and revenue came from: the launch it was found through (or the landing pages of the
/// routed lead it came from), that launch's kit, and the approved MDF request that linked the launch.
/// </summary>
public sealed class DealAttribution(AttributionStore store, LaunchStore launches, LeadStore leads, RoiService mdf, TimeProvider clock)
{
    public async Task RecordAsync(DealState s, AttributionStage stage, CancellationToken ct)
    {
        var r = s.Registration!;
        Touch? first = null, last = null;
        if (r.Origin is { Via: FoundVia.CampaignLaunch, LaunchId: { } launchId } && TableKeysValid(launchId) && await launches.LaunchAsync(s.VendorId, launchId, ct) is { } launch)
            first = last = new Touch(launch.LaunchId, launch.KitId, launch.CreatedAt);
        else if (r.Origin is { Via: FoundVia.RoutedLead, LeadId: { } leadId } && TableKeysValid(leadId) && await leads.GetAsync(s.VendorId, leadId, ct) is { } lead)
            (first, last) = Tcma.Domain.Deals.Attribution.TouchesOf(lead);
        var (firstMdf, lastMdf) = await MdfOfAsync(s.VendorId, first, last, ct);
        var amount = stage == AttributionStage.Won ? s.WonAmount ?? r.EstimatedValue : r.EstimatedValue;
        var at = stage == AttributionStage.Pipeline ? s.ApprovedAt ?? clock.GetUtcNow() : s.History.LastOrDefault()?.At ?? clock.GetUtcNow();
        await store.SaveAsync(s.VendorId, new AttributionRecord(AttributionSource.Registration, s.RegistrationId, s.PartnerId, r.Customer.CompanyName, stage, amount, at,
            first, last, firstMdf, lastMdf), ct);
    }

    public async Task<(MdfLink? First, MdfLink? Last)> MdfOfAsync(string vendorId, Touch? first, Touch? last, CancellationToken ct) =>
        first is null && last is null ? (null, null) : MdfOf(await mdf.ActivitiesAsync(vendorId, ct), first, last);

    /// <summary>The approved MDF requests that named each touch's launch (the MDF request linked to the launch).</summary>
    public static (MdfLink? First, MdfLink? Last) MdfOf(IReadOnlyList<RoiActivity> activities, Touch? first, Touch? last)
    {
        MdfLink? Of(Touch? t) => t is null ? null : activities.Where(a => a.Request.Proposal?.LaunchIds.Contains(t.LaunchId) == true)
            .Select(a => new MdfLink(a.Request.RequestId, FundKey.Parse(a.Request.FundId).ProgramId)).FirstOrDefault();
        return (Of(first), Of(last));
    }

    private static bool TableKeysValid(string id) => id.Length is > 0 and <= 200 && Tcma.Storage.TableKeys.IsValid(id);
}
