using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Portal;
using Tcma.Functions.Web;
using Tcma.Storage.Dashboards;

namespace Tcma.Functions.Dashboards;

/// <summary>The vendor's dashboards: the counters the producing functions feed, the console home (Web/Pages/Dashboards) and its CSV tables.</summary>
public static class DashboardApp
{
    public static WebApplicationBuilder AddDashboards(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>().BindConfiguration(DashboardOptions.Section);
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton(sp => new DashboardCounterStore(sp.GetRequiredService<Tcma.Storage.StorageAccount>())
        {
            ClosedMonthCacheTime = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<DashboardOptions>>().Value.ClosedMonthCacheTime,
        });
        builder.Services.AddSingleton<DashboardSettingsStore>();
        builder.Services.AddSingleton<DashboardService>();
        builder.Services.AddSingleton<DashboardDemo>();
        builder.Services.AddSingleton<DashboardRebuild>();
        builder.Services.AddSingleton<DashboardMoney>();
        builder.Services.AddSingleton<DashboardFirstLaunch>();
        builder.Services.AddSingleton<MdfDemo>();
        builder.Services.AddSingleton<DashboardReport>();
        return builder;
    }

    public static WebApplication MapDashboards(this WebApplication app)
    {
        app.MapGet("/console/dashboard/{table}.csv", Csv).RequireAuthorization(Policies.VendorUser).WithTags("Dashboards");
        app.MapPost("/api/vendors/{vendorId}/dashboard/rebuild", Rebuild).RequireVendorScope().RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery().WithTags("Dashboards");
        app.MapGet("/console/dashboard/report.pdf", Report).RequireAuthorization(Policies.VendorUser).WithTags("Dashboards");
        var weights = app.MapGroup("/api/vendors/{vendorId}/dashboard/score-weights").RequireVendorScope().WithTags("Dashboards");
        weights.MapGet("/", GetWeights).RequireAuthorization(Policies.VendorUser);
        weights.MapPut("/", PutWeights).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        app.MapPost("/console/dashboard/score-weights", ConsoleWeights).RequireAuthorization(Policies.VendorAdmin).WithTags("Dashboards");
        return app;
    }

    private static readonly JsonSerializerOptions WeightsJson = new(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow };

    public sealed record WeightsView(int Launching, int Reach, int Engagement, int Acceptance, int Wins, int Recency, bool Own)
    {
        public static WeightsView Of((ScoreWeights W, bool Own) x) => new(x.W.Launching, x.W.Reach, x.W.Engagement, x.W.Acceptance, x.W.Wins, x.W.Recency, x.Own);
    }

    /// <summary>The weights the vendor's scores are made with; <c>own</c> false while it keeps the deployment's defaults.</summary>
    private static async Task<Ok<WeightsView>> GetWeights(string vendorId, DashboardService dashboards, CancellationToken ct) =>
        TypedResults.Ok(WeightsView.Of(await dashboards.WeightsAsync(vendorId, ct)));

    /// <summary>
    /// Replaces the weights (every part; one left out weighs its default, an unknown one is refused). <c>If-Match</c>
    /// applies them only over the version read. Scores are made at each view, so every page shows them at once.
    /// </summary>
    private static async Task<Results<Ok<WeightsView>, ValidationProblem, ProblemHttpResult>> PutWeights(
        string vendorId, HttpRequest request, DashboardService dashboards, CancellationToken ct)
    {
        var (weights, bad) = await JsonBody.ReadAsync<ScoreWeights>(request, 4 * 1024, WeightsJson,
            "score weights as JSON (whole numbers named launching, reach, engagement, acceptance, wins, recency)", ct);
        if (weights is null) return bad!;
        if (weights.Problems() is { Count: > 0 } problems) return TypedResults.ValidationProblem(problems, title: "The weights have problems; nothing was changed.");
        var ifMatch = request.Headers.IfMatch.ToString();
        var (saved, etag) = await dashboards.SaveWeightsAsync(vendorId, weights, ifMatch.Length > 0 ? ifMatch : null, ct);
        if (!saved) return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The weights changed since you read them; read them again.");
        request.HttpContext.Response.Headers.ETag = etag.ToString();
        return TypedResults.Ok(WeightsView.Of((weights, true)));
    }

    /// <summary>The console's weights form (antiforgery checked): back to the page, saved or with what was wrong.</summary>
    private static async Task<RedirectHttpResult> ConsoleWeights(HttpContext http, IFormCollection form, DashboardService dashboards, CancellationToken ct)
    {
        int? Field(string name) => int.TryParse(form[name].ToString().Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
        var values = new[] { "launching", "reach", "engagement", "acceptance", "wins", "recency" }.Select(Field).ToArray();
        var weights = values.All(v => v is not null)
            ? new ScoreWeights { Launching = values[0]!.Value, Reach = values[1]!.Value, Engagement = values[2]!.Value, Acceptance = values[3]!.Value, Wins = values[4]!.Value, Recency = values[5]!.Value }
            : null;
        if (weights is null || weights.Problems().Count > 0) return TypedResults.Redirect("/console/dashboard/weights?problem=weights");
        await dashboards.SaveWeightsAsync(http.User.VendorId()!, weights, null, ct);
        return TypedResults.Redirect("/console/dashboard/weights?saved=1");
    }

    /// <summary>A table of the home page as CSV, for the same period and filters; 400 for a period that is not one, 404 for a table that is not one.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, NotFound>> Csv(
        string table, string? period, string? from, string? to, string? tier, string? region, string? kit, string? step,
        ClaimsPrincipal user, DashboardService dashboards, CancellationToken ct)
    {
        if (table is not ("kits" or "partners" or "weeks")) return TypedResults.NotFound();
        var (p, problem) = DashboardPeriod.Parse(period, from, to, dashboards.Today);
        if (p is null) return TypedResults.Problem(statusCode: 400, title: problem);
        var view = await dashboards.HomeAsync(user.VendorId()!, p, Filters(tier, region, kit), ct);
        var csv = new StringBuilder();
        string N(long n) => n.ToString(CultureInfo.InvariantCulture);
        string M(decimal m) => m.ToString("0.00", CultureInfo.InvariantCulture);
        IEnumerable<string> Figures(Counts c) =>
        [
            N(c[ActivityKind.Launched]), N(c[ActivityKind.EmailSent]), N(c[ActivityKind.EmailOpened]), N(c[ActivityKind.EmailClicked]),
            N(c[ActivityKind.Unsubscribed]), N(c[ActivityKind.PostPublished]), N(c[ActivityKind.LeadCaptured]), N(c[ActivityKind.LeadAccepted]), N(c[ActivityKind.LeadWon]), M(c.Won),
        ];
        string[] figureNames = ["Launches", "Emails sent", "Opened", "Clicked", "Unsubscribed", "Posts published", "Leads", "Accepted", "Won", "Won amount"];
        switch (table)
        {
            case "kits":
                csv.Append(CsvText.Line(["Kit", "Version", .. figureNames]));
                foreach (var k in view.Kits) csv.Append(CsvText.Line([k.KitId, k.Version, .. Figures(k.Counts)]));
                break;
            case "partners":
                csv.Append(CsvText.Line(["Partner", "Company", "Tier", "Region", .. figureNames, "Score"]));
                foreach (var x in view.Partners.Where(x => DashboardService.Reached(x, step ?? "")))
                    csv.Append(CsvText.Line([x.PartnerId, x.Name, x.Tier, x.Region, .. Figures(x.Counts), x.Score?.ToString(CultureInfo.InvariantCulture) ?? ""]));
                break;
            default:
                csv.Append(CsvText.Line(["Week of", .. figureNames]));
                foreach (var w in view.Weeks) csv.Append(CsvText.Line([w.Start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), .. Figures(w.Counts)]));
                break;
        }
        return TypedResults.File(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(csv.ToString())).ToArray(), "text/csv; charset=utf-8",
            $"tcma-{table}-{p.From:yyyyMMdd}-{p.To:yyyyMMdd}.csv");
    }

    public sealed record RebuildRequest(string? FromMonth, string? ToMonth);

    /// <summary>
    /// Recounts months of the vendor's dashboards from the source records (after a fix to a counting function, or to
    /// check the counters): months as "yyyy-MM", this month at the latest, at most <see cref="DashboardRebuild.MaxMonths"/>.
    /// </summary>
    private static async Task<Results<Ok<DashboardRebuildResult>, ProblemHttpResult>> Rebuild(
        string vendorId, RebuildRequest? request, DashboardService dashboards, DashboardRebuild rebuild, CancellationToken ct)
    {
        static DateOnly? Month(string? s) => DateOnly.TryParseExact(s?.Trim() + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        var thisMonth = new DateOnly(dashboards.Today.Year, dashboards.Today.Month, 1);
        if (Month(request?.FromMonth) is not { } from || Month(request?.ToMonth ?? request?.FromMonth) is not { } to)
            return TypedResults.Problem(statusCode: 400, title: "Give the months to rebuild as fromMonth and toMonth, like \"2026-10\".");
        if (from > to) return TypedResults.Problem(statusCode: 400, title: $"fromMonth ({from:yyyy-MM}) is after toMonth ({to:yyyy-MM}).");
        if (to > thisMonth) return TypedResults.Problem(statusCode: 400, title: $"{to:yyyy-MM} has not started yet; nothing to rebuild.");
        if (from < new DateOnly(2020, 1, 1)) return TypedResults.Problem(statusCode: 400, title: "There is nothing to rebuild before 2020.");
        if ((to.Year - from.Year) * 12 + to.Month - from.Month + 1 > DashboardRebuild.MaxMonths)
            return TypedResults.Problem(statusCode: 400, title: $"A rebuild covers at most {DashboardRebuild.MaxMonths} months; split it.");
        return TypedResults.Ok(await rebuild.RebuildAsync(vendorId, from, to, ct));
    }

    /// <summary>The home page as a one-page PDF (<see cref="DashboardReport"/>), for the same period and filters; 400 for a period that is not one.</summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Report(
        string? period, string? from, string? to, string? tier, string? region, string? kit,
        ClaimsPrincipal user, DashboardService dashboards, DashboardMoney money, DashboardReport report, PortalCatalog catalog, TimeProvider clock, CancellationToken ct)
    {
        var (p, problem) = DashboardPeriod.Parse(period, from, to, dashboards.Today);
        if (p is null) return TypedResults.Problem(statusCode: 400, title: problem);
        var vendorId = user.VendorId()!;
        var mdf = money.HomeAsync(vendorId, p, ct);
        var view = await dashboards.HomeAsync(vendorId, p, Filters(tier, region, kit), ct);
        // The name partners know the vendor by (its kits' manifests), as the partner sign-in email uses it; else its id.
        var pdf = report.Render(view, await catalog.VendorNameAsync(vendorId, ct), TimeZoneInfo.ConvertTime(clock.GetUtcNow(), dashboards.Zone), await mdf);
        return TypedResults.File(pdf, "application/pdf", $"tcma-report-{p.From:yyyyMMdd}-{p.To:yyyyMMdd}.pdf");
    }

    /// <summary>Filter values as asked, blank ones dropped; a value that matches nothing simply matches nothing.</summary>
    public static DashboardFilters Filters(string? tier, string? region, string? kit)
    {
        static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim().Length > 100 ? s.Trim()[..100] : s.Trim();
        return new DashboardFilters(Clean(tier), Clean(region), Clean(kit));
    }
}
