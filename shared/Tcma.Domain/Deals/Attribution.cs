using System.Text.Json.Serialization;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;

namespace Tcma.Domain.Deals;

public enum AttributionSource { Registration, Lead }

/// <summary>Which campaign touch gets the credit for an amount: the first that brought the customer (the default) or the last before the deal.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AttributionModel>))]
public enum AttributionModel { FirstTouch, LastTouch }

/// <summary>A campaign reaching the customer: the partner's launch of a kit, whose landing page (or tracked link to it) produced the lead.</summary>
public sealed record Touch(string LaunchId, string KitId, DateTimeOffset At);

/// <summary>The MDF request that funded a launch, and its program.</summary>
public sealed record MdfLink(string RequestId, string ProgramId);

/// <summary>
/// Where one amount came from: a registration's pipeline (approved, open) or won revenue, or a routed lead's won
/// revenue; the partner; the first and last campaign touches, and the MDF request linked to each touch's launch.
/// Both touches are kept, so the vendor's attribution setting can change without rewriting history.
/// </summary>
public sealed record AttributionRecord(
    AttributionSource Source, string SubjectId, string PartnerId, string CustomerName, AttributionStage Stage, Money Amount, DateTimeOffset At,
    Touch? FirstTouch, Touch? LastTouch, MdfLink? FirstMdf, MdfLink? LastMdf)
{
    public Touch? TouchBy(AttributionModel model) => model == AttributionModel.LastTouch ? LastTouch ?? FirstTouch : FirstTouch ?? LastTouch;
    /// <summary>The MDF request behind the touch the model credits.</summary>
    public MdfLink? MdfBy(AttributionModel model) => model == AttributionModel.LastTouch
        ? (LastTouch is not null ? LastMdf : FirstMdf)
        : (FirstTouch is not null ? FirstMdf : LastMdf);
}

/// <summary>Revenue and pipeline for one kit, program or partner, in one currency: amounts in different currencies are never added up.</summary>
public sealed record AttributionTotal(string Key, Currency Currency, int WonCount, Money Revenue, int OpenCount, Money Pipeline);

public sealed record AttributionReport(
    AttributionModel Model, string Rule, IReadOnlyList<AttributionTotal> ByKit, IReadOnlyList<AttributionTotal> ByProgram,
    IReadOnlyList<AttributionTotal> ByPartner, IReadOnlyList<AttributionTotal> BySource);

public static class Attribution
{
    public const string NoCampaign = "(no campaign)";
    public const string NoMdf = "(no MDF)";

    public static string Rule(AttributionModel model) => model == AttributionModel.LastTouch
        ? "Last touch: each amount counts for the campaign that last reached the customer before the deal, and the MDF request that funded that campaign's launch."
        : "First touch: each amount counts for the campaign that first brought the customer, and the MDF request that funded that campaign's launch.";

    /// <summary>A lead's campaign touches: its landing-page submissions in time order (the first is where it was captured).</summary>
    public static (Touch? First, Touch? Last) TouchesOf(Lead lead)
    {
        var touches = lead.Activities
            .Select(a => a.Source is LeadSource.LandingPage p ? new Touch(p.LaunchId, p.KitId, a.At) : null)
            .OfType<Touch>()
            .OrderBy(t => t.At)
            .ToList();
        if (touches.Count == 0 && lead.Source is LeadSource.LandingPage page) touches.Add(new Touch(page.LaunchId, page.KitId, lead.CreatedAt));
        return (touches.FirstOrDefault(), touches.LastOrDefault());
    }

    /// <summary>
    /// The report for a period (by the day each amount was won or became pipeline): won revenue, and the pipeline of
    /// approved registrations still open; dropped pipeline (lost, expired, withdrawn) counts nowhere.
    /// </summary>
    public static AttributionReport Report(IEnumerable<AttributionRecord> records, AttributionModel model, DateTimeOffset? from = null, DateTimeOffset? to = null)
    {
        var counted = records.Where(r => r.Stage != AttributionStage.Dropped && (from is null || r.At >= from) && (to is null || r.At < to)).ToList();
        return new AttributionReport(model, Rule(model),
            Totals(counted, r => r.TouchBy(model)?.KitId ?? NoCampaign),
            Totals(counted, r => r.MdfBy(model)?.ProgramId ?? NoMdf),
            Totals(counted, r => r.PartnerId),
            Totals(counted, r => r.Source == AttributionSource.Registration ? "deal registrations" : "routed leads"));
    }

    public static IReadOnlyList<AttributionTotal> Totals(IEnumerable<AttributionRecord> records, Func<AttributionRecord, string> key) =>
        records.GroupBy(r => (Key: key(r), r.Amount.Currency.Code))
            .Select(g =>
            {
                var currency = g.First().Amount.Currency;
                var zero = Money.Zero(currency);
                var won = g.Where(r => r.Stage == AttributionStage.Won).ToList();
                var open = g.Where(r => r.Stage == AttributionStage.Pipeline).ToList();
                return new AttributionTotal(g.Key.Key, currency, won.Count, won.Aggregate(zero, (t, r) => t + r.Amount), open.Count, open.Aggregate(zero, (t, r) => t + r.Amount));
            })
            .OrderByDescending(t => t.Revenue.Amount).ThenBy(t => t.Key, StringComparer.Ordinal).ThenBy(t => t.Currency.Code, StringComparer.Ordinal)
            .ToList();
}
