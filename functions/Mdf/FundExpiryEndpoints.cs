using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Functions.Identity;

namespace Tcma.Functions.Mdf;

public sealed record FundAtRiskView(string FundId, string PartnerId, string PartnerName, string ProgramId, string ProgramName, string Period, DateOnly LastDay, int DaysLeft, MoneyView Available);

/// <summary>The vendor's view of the unused-funds problem: money partners will lose within 30 days unless they propose.</summary>
public static class FundExpiryEndpoints
{
    public static WebApplication MapMdfExpiry(this WebApplication app)
    {
        app.MapGet("/api/vendors/{vendorId}/mdf/funds-at-risk", AtRisk).RequireVendorScope().RequireAuthorization(Policies.VendorUser).WithTags("MDF expiry");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<FundAtRiskView>>> AtRisk(string vendorId, FundExpiryRun expiry, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<FundAtRiskView>>((await expiry.AtRiskAsync(vendorId, ct)).Select(l => new FundAtRiskView(
            l.Schedule.FundId, l.Schedule.PartnerId, l.PartnerName, l.Schedule.ProgramId, l.Schedule.ProgramName, l.Schedule.Period.ToString(),
            l.Schedule.Period.End, l.Risk.DaysLeft, MoneyView.From(l.Risk.Available))).ToList());
}
