using Tcma.Domain.Deals;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Functions.Mdf;
using Tcma.Storage.Deals;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Deals;

/// <summary>What the deal pages and the read API show: the partner's registrations under the rules in force, and the attribution report.</summary>
public sealed class DealReports(DealRulesStore rules, DealList list, WorkflowEngine engine, AttributionStore attributions, RoiService mdf)
{
    public async Task<PartnerDealsView> PartnerAsync(string vendorId, string partnerId, CancellationToken ct)
    {
        var current = await rules.CurrentAsync(vendorId, ct);
        var summaries = await list.ListAsync(vendorId, partnerId, ct: ct);
        var states = await Task.WhenAll(summaries.Select(s => engine.GetDealAsync(s.RegistrationId, ct)));
        return new PartnerDealsView(current?.Version, current?.PlainWords() ?? [], current?.Products ?? [],
            current?.DealSizes.Select(d => d.Minimum.Currency.Code).ToList() ?? [],
            states.OfType<DealState>().Where(s => s.Registration is not null).Select(s => DealView.From(s, vendor: false)).ToList());
    }

    /// <summary>
    /// Registrations' records as stored, plus each won routed lead of the vendor, credited to its landing-page touches
    /// and the MDF request that linked that launch; under the vendor's first- or last-touch setting.
    /// </summary>
    public async Task<AttributionReport> AttributionAsync(string vendorId, string? partnerId, CancellationToken ct)
    {
        var model = (await rules.SettingsAsync(vendorId, ct)).Attribution;
        var records = (await attributions.ListAsync(vendorId, partnerId, ct: ct)).ToList();
        IReadOnlyList<RoiActivity>? activities = null;
        foreach (var lead in await mdf.LeadsAsync(vendorId, ct))
        {
            if (lead.Status is not LeadStatus.Won won || lead.PartnerId is null || (partnerId is not null && lead.PartnerId != partnerId)) continue;
            Currency currency;
            try { currency = Currency.Of(won.Currency); }
            catch (ArgumentException) { continue; }
            var (first, last) = Tcma.Domain.Deals.Attribution.TouchesOf(lead);
            activities ??= await mdf.ActivitiesAsync(vendorId, ct);
            var (firstMdf, lastMdf) = DealAttribution.MdfOf(activities, first, last);
            records.Add(new AttributionRecord(AttributionSource.Lead, lead.Id, lead.PartnerId, lead.Person.Company ?? "", AttributionStage.Won,
                Money.Of(decimal.Round(won.Amount, currency.MinorUnits, MidpointRounding.ToZero), currency), lead.LastActivityAt, first, last, firstMdf, lastMdf));
        }
        return Tcma.Domain.Deals.Attribution.Report(records, model);
    }
}
