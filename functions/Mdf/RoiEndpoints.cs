using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;

namespace Tcma.Functions.Mdf;

public sealed record RoiLineView(string RequestId, string? ClaimId, string PartnerId, string ActivityTypeId, MoneyView Cost, MoneyView Reimbursed, int Leads, MoneyView Pipeline, MoneyView WonRevenue)
{
    public static RoiLineView From(RoiLine l) => new(l.RequestId, l.ClaimId, l.PartnerId, l.ActivityTypeId, MoneyView.From(l.Cost), MoneyView.From(l.Reimbursed),
        l.Leads, MoneyView.From(l.Pipeline), MoneyView.From(l.WonRevenue));
}

/// <summary>Totals for a partner or an activity type in one currency; a ratio is null when there is nothing to divide by.</summary>
public sealed record RoiSummaryView(string Key, string Currency, int Activities, MoneyView Cost, MoneyView Reimbursed, int Leads, MoneyView Pipeline, MoneyView WonRevenue,
    decimal? PipelinePerMdf, decimal? RevenuePerMdf, MoneyView? MdfPerLead)
{
    public static RoiSummaryView From(RoiSummary s) => new(s.Key, s.Currency.Code, s.Activities, MoneyView.From(s.Cost), MoneyView.From(s.Reimbursed), s.Leads,
        MoneyView.From(s.Pipeline), MoneyView.From(s.WonRevenue), s.PipelinePerMdf, s.RevenuePerMdf, s.MdfPerLead is { } m ? MoneyView.From(m) : null);
}

public sealed record RoiView(IReadOnlyList<RoiLineView> Activities, IReadOnlyList<RoiSummaryView> ByPartner, IReadOnlyList<RoiSummaryView> ByActivityType);

/// <summary>What the vendor's MDF returned: per approved activity, per partner and per activity type.</summary>
public static class RoiEndpoints
{
    public static WebApplicationBuilder AddMdfRoi(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<RoiService>();
        return builder;
    }

    public static WebApplication MapMdfRoi(this WebApplication app)
    {
        app.MapGet("/api/vendors/{vendorId}/mdf/roi", Get).RequireVendorScope().RequireAuthorization(Policies.VendorUser).WithTags("MDF ROI");
        return app;
    }

    /// <summary>Optional <c>partner</c> narrows the report to one partner (400 when it is not an id).</summary>
    private static async Task<Results<Ok<RoiView>, ProblemHttpResult>> Get(string vendorId, string? partner, RoiService roi, CancellationToken ct)
    {
        if (partner is not null && (partner.Length is 0 or > 100 || !Tcma.Storage.TableKeys.IsValid(partner)))
            return PayoutEndpoints.Problem(new(StatusCodes.Status400BadRequest, "roi.partner", "partner must be a partner id (at most 100 characters)."));
        var report = await roi.BuildAsync(vendorId, ct);
        if (partner is not null)
        {
            var lines = report.Lines.Where(l => l.PartnerId == partner).ToList();
            report = new RoiReport(lines, Roi.ByPartner(lines), Roi.ByActivityType(lines));
        }
        return TypedResults.Ok(new RoiView(report.Lines.Select(RoiLineView.From).ToList(),
            report.ByPartner.Select(RoiSummaryView.From).ToList(), report.ByActivityType.Select(RoiSummaryView.From).ToList()));
    }
}
