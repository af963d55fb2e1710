using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Storage.Mdf;

namespace Tcma.Functions.Mdf;

/// <summary>A payout as the API shows it. Amounts are strings at the currency's minor units, never floats.</summary>
public sealed record PayoutView(
    string ClaimId, string RequestId, string PartnerId, string FundId, string Amount, string Currency, string GlCode, string Reference,
    DateTimeOffset ApprovedAt, string Status, string? ExportId, DateTimeOffset? ExportedAt, string? PaymentReference, DateTimeOffset? PaidAt, string? PaidBy)
{
    public static PayoutView From(StoredPayout s) => new(
        s.Payout.ClaimId, s.Payout.RequestId, s.Payout.PartnerId, s.Payout.FundId, s.Payout.Amount.ToInvariantString(), s.Payout.Amount.Currency.Code,
        s.Payout.GlCode, s.Payout.Reference, s.Payout.ApprovedAt, s.Status.ToString(), s.ExportId, s.ExportedAt, s.PaymentReference, s.PaidAt, s.PaidBy);
}

public sealed record MoneyView(string Amount, string Currency)
{
    public static MoneyView From(Money m) => new(m.ToInvariantString(), m.Currency.Code);
}

public sealed record PayoutExportView(string ExportId, string CreatedBy, DateTimeOffset CreatedAt, int Count, IReadOnlyList<string> ClaimIds, IReadOnlyList<MoneyView> Totals, string Download, int Remaining)
{
    public static PayoutExportView From(string vendorId, StoredPayoutExport x, int remaining) => new(
        x.ExportId, x.CreatedBy, x.CreatedAt, x.ClaimIds.Count, x.ClaimIds, x.Totals.Select(MoneyView.From).ToList(),
        $"/api/vendors/{vendorId}/mdf/payout-exports/{x.ExportId}", remaining);
}

public sealed record MarkPaidBody(string? Reference);

/// <summary>Finance's side of MDF: payouts owed to partners, ERP exports, and payments recorded against the fund ledger.</summary>
public static class PayoutEndpoints
{
    /// <summary>A payment reference is a hundred characters; anything near this is not one.</summary>
    private const int MaxPaidBodyBytes = 4 * 1024;

    public static WebApplicationBuilder AddMdfPayouts(this WebApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton<FundLedgerStore>();
        builder.Services.TryAddSingleton<PayoutStore>();
        builder.Services.TryAddSingleton<PayoutService>();
        return builder;
    }

    public static WebApplication MapMdfPayouts(this WebApplication app)
    {
        var mdf = app.MapGroup("/api/vendors/{vendorId}/mdf").RequireVendorScope().WithTags("MDF payouts").DisableAntiforgery();
        mdf.MapGet("/payouts", List).RequireAuthorization(Policies.Finance);
        mdf.MapPost("/payouts/{claimId}/paid", MarkPaid).RequireAuthorization(Policies.Finance);
        mdf.MapGet("/payout-exports", Exports).RequireAuthorization(Policies.Finance);
        mdf.MapPost("/payout-exports", Export).RequireAuthorization(Policies.Finance);
        mdf.MapGet("/payout-exports/{exportId}", Download).RequireAuthorization(Policies.Finance);
        MapConsoleForms(app);
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<PayoutView>>, ProblemHttpResult>> List(string vendorId, string? status, PayoutStore store, CancellationToken ct)
    {
        PayoutStatus? filter = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<PayoutStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(status, out _))
                return Problem(new(StatusCodes.Status400BadRequest, "payout.status", "status must be owed, exported or paid."));
            filter = parsed;
        }
        return TypedResults.Ok<IReadOnlyList<PayoutView>>((await store.ListAsync(vendorId, filter, ct)).Select(PayoutView.From).ToList());
    }

    private static async Task<Ok<IReadOnlyList<PayoutExportView>>> Exports(string vendorId, PayoutStore store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PayoutExportView>>((await store.ListExportsAsync(vendorId, ct)).Select(x => PayoutExportView.From(vendorId, x, 0)).ToList());

    /// <summary>
    /// 201 with the new export (its CSV at <c>Download</c>); 200 with the recorded export when the same
    /// Idempotency-Key comes again; 409 when nothing is owed; 400 for a malformed key. The request has no body.
    /// </summary>
    private static async Task<Results<Created<PayoutExportView>, Ok<PayoutExportView>, ProblemHttpResult>> Export(
        string vendorId, HttpRequest request, ClaimsPrincipal user, PayoutService service, CancellationToken ct)
    {
        if (request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0)
            return Problem(new(StatusCodes.Status400BadRequest, "payout_export.body", "An export takes no body: it always exports every payout still owed."));
        var key = request.Headers.TryGetValue("Idempotency-Key", out var values) ? values.ToString() : null;
        if (PayoutService.CheckIdempotencyKey(key) is { } bad) return Problem(bad);
        var outcome = await service.ExportAsync(vendorId, service.ExportIdFor(key), KitEndpoints.Actor(user), ct);
        if (outcome.Export is null)
            return Problem(new(StatusCodes.Status409Conflict, "payout_export.nothing_owed", "Nothing to export: every approved payout is already in an export."));
        var view = PayoutExportView.From(vendorId, outcome.Export, outcome.Remaining);
        return outcome.Created ? TypedResults.Created(view.Download, view) : TypedResults.Ok(view);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Download(string vendorId, string exportId, PayoutStore store, CancellationToken ct)
    {
        if (exportId.Length > 100 || !Tcma.Storage.TableKeys.IsValid(exportId) || await store.DownloadAsync(vendorId, exportId, ct) is not { } csv)
            return Problem(new(StatusCodes.Status404NotFound, "payout_export.not_found", $"There is no export {exportId}."));
        return TypedResults.File(csv, "text/csv; charset=utf-8", $"mdf-payouts-{exportId}.csv");
    }

    /// <summary>
    /// JSON <c>{"reference": "..."}</c>. 200 with the paid payout (also when the same reference is sent again); 400 for
    /// a body that is not that JSON or a reference that is empty, multi-line or over 100 characters; 413 over 4 KiB;
    /// 404 for an unknown claim; 409 when the payout was not exported yet, was paid under another reference, or the
    /// fund refuses the payment.
    /// </summary>
    private static async Task<Results<Ok<PayoutView>, ProblemHttpResult>> MarkPaid(
        string vendorId, string claimId, HttpRequest request, ClaimsPrincipal user, PayoutService service, CancellationToken ct)
    {
        if (request.HasJsonContentType() is false)
            return Problem(new(StatusCodes.Status415UnsupportedMediaType, "payout.content_type", "Send JSON: {\"reference\": \"the ERP's payment reference\"}."));
        if (request.ContentLength > MaxPaidBodyBytes)
            return Problem(new(StatusCodes.Status413PayloadTooLarge, "payout.too_large", $"The body is over {MaxPaidBodyBytes / 1024} KiB."));
        MarkPaidBody? body;
        try
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[4096];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (buffer.Length + read > MaxPaidBodyBytes)
                    return Problem(new(StatusCodes.Status413PayloadTooLarge, "payout.too_large", $"The body is over {MaxPaidBodyBytes / 1024} KiB."));
                buffer.Write(chunk, 0, read);
            }
            body = JsonSerializer.Deserialize<MarkPaidBody>(buffer.ToArray(), JsonSerializerOptions.Web);
        }
        catch (JsonException)
        {
            return Problem(new(StatusCodes.Status400BadRequest, "payout.malformed", "The body is not JSON of the form {\"reference\": \"...\"}."));
        }
        var result = await service.MarkPaidAsync(vendorId, claimId, body?.Reference ?? "", KitEndpoints.Actor(user), ct, MdfHttp.VendorActor(user, request.HttpContext));
        return result.Problem is { } problem ? Problem(problem) : TypedResults.Ok(PayoutView.From(result.Payout!));
    }

    /// <summary>The console's buttons post plain forms here (antiforgery checked) and land back on the page with the outcome.</summary>
    private static void MapConsoleForms(WebApplication app)
    {
        var console = app.MapGroup("/console/mdf/payouts").RequireAuthorization(Policies.Finance);
        console.MapPost("/export", async (HttpContext http, IFormCollection form, PayoutService service, CancellationToken ct) =>
        {
            var vendor = http.User.VendorId()!;
            var outcome = await service.ExportAsync(vendor, service.ExportIdFor(null), KitEndpoints.Actor(http.User), ct);
            return TypedResults.Redirect(outcome.Export is null ? "/console/mdf/payouts?problem=payout_export.nothing_owed" : $"/console/mdf/payouts?exported={Uri.EscapeDataString(outcome.Export.ExportId)}");
        });
        console.MapPost("/paid", async (HttpContext http, IFormCollection form, PayoutService service, CancellationToken ct) =>
        {
            var vendor = http.User.VendorId()!;
            string? claimId = form["claimId"], reference = form["reference"];
            var result = await service.MarkPaidAsync(vendor, claimId ?? "", reference ?? "", KitEndpoints.Actor(http.User), ct, MdfHttp.VendorActor(http.User, http));
            return TypedResults.Redirect(result.Problem is { } p
                ? $"/console/mdf/payouts?problem={Uri.EscapeDataString(p.Code)}&claim={Uri.EscapeDataString(claimId ?? "")}"
                : $"/console/mdf/payouts?paid={Uri.EscapeDataString(claimId!)}");
        });
    }

    internal static ProblemHttpResult Problem(PayoutProblem p) =>
        TypedResults.Problem(statusCode: p.Status, title: p.Message, type: $"https://tcma.example/problems/{p.Code}", extensions: new Dictionary<string, object?> { ["code"] = p.Code });
}
