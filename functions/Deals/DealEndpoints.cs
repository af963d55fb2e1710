using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Deals;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Deals;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Deals;

/// <summary>
/// Deal registration over HTTP: the vendor's rules (VendorAdmin publishes, versioned), the vendor's view of every
/// registration with its conflict evidence and the attribution report, and the partner's API (register, follow, update
/// the stage, ask for the extension). Bodies are JSON of at most 64 KiB; every refusal is a ProblemDetails with each reason.
/// </summary>
public static class DealEndpoints
{
    private const int MaxJsonBytes = 64 * 1024;

    public static WebApplication MapDealApi(this WebApplication app)
    {
        var vendor = app.MapGroup("/api/vendors/{vendorId}/deals").RequireVendorScope().WithTags("Deals");
        vendor.MapGet("/rules", GetRules).RequireAuthorization(Policies.VendorUser);
        vendor.MapGet("/rules/versions", Versions).RequireAuthorization(Policies.VendorUser);
        vendor.MapPut("/rules", Publish).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        vendor.MapPut("/settings", SaveSettings).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        vendor.MapGet("/registrations", List).RequireAuthorization(Policies.VendorUser);
        vendor.MapGet("/registrations/{id}", Get).RequireAuthorization(Policies.VendorUser);
        vendor.MapGet("/attribution", Attribution).RequireAuthorization(Policies.VendorUser);

        var partner = app.MapGroup("/api/partner/deals").RequireAuthorization(Policies.Partner).WithTags("Deals");
        partner.MapGet("/", Overview);
        partner.MapPost("/", Register).DisableAntiforgery();
        partner.MapGet("/{id}", GetOwn);
        partner.MapPost("/{id}/stage", Stage).DisableAntiforgery();
        partner.MapPost("/{id}/extension", Extension).DisableAntiforgery();
        partner.MapPost("/{id}/answer", Answer).DisableAntiforgery();
        partner.MapPost("/{id}/withdraw", Withdraw).DisableAntiforgery();
        return app;
    }

    // ---- vendor ----------------------------------------------------------------------------------------------

    private static async Task<Results<JsonHttpResult<RulesView>, ProblemHttpResult>> GetRules(string vendorId, DealRulesStore store, CancellationToken ct) =>
        await store.CurrentAsync(vendorId, ct) is { } rules ? MdfHttp.Json(RulesView.From(rules)) : MdfHttp.Problem(404, "rules.none", "No rules of engagement are published yet.");

    private static async Task<JsonHttpResult<IReadOnlyList<RulesOfEngagement>>> Versions(string vendorId, DealRulesStore store, CancellationToken ct) =>
        MdfHttp.Json(await store.VersionsAsync(vendorId, ct));

    /// <summary>201 with the new version; 400 with every problem; 409 (and the version in force) when another was published since <c>basedOn</c>.</summary>
    private static async Task<Results<JsonHttpResult<RulesView>, ProblemHttpResult>> Publish(string vendorId, HttpRequest request, ClaimsPrincipal user, DealService deals, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<PublishRulesInput>(request, MaxJsonBytes, MdfJson.Options, ct);
        if (problem is not null) return problem;
        if (input!.Rules is null || input.BasedOn is not >= 0) return MdfHttp.Problem(400, "rules.missing", "Send {basedOn, rules}: the version you edited (0 for the first) and the rules.");
        if (input.Rules.Check() is { Count: > 0 } problems) return MdfHttp.Problem(400, problems, "The rules have problems; nothing was published.");
        var outcome = await deals.PublishAsync(vendorId, input.Rules, input.BasedOn.Value, user.UserId() ?? "unknown", ct);
        return outcome.Kind == RulesPublishKind.Published
            ? MdfHttp.Json(RulesView.From(outcome.Current!), 201)
            : MdfHttp.Problem(409, "rules.changed", $"Version {outcome.Current?.Version ?? 0} was published since the version you edited ({input.BasedOn}); look at it and publish again.");
    }

    private static async Task<Results<JsonHttpResult<DealSettings>, ProblemHttpResult>> SaveSettings(string vendorId, HttpRequest request, ClaimsPrincipal user,
        DealRulesStore store, TimeProvider clock, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<DealSettings>(request, MaxJsonBytes, MdfJson.Options, ct);
        if (problem is not null) return problem;
        if (!Enum.IsDefined(input!.Attribution)) return MdfHttp.Problem(400, "settings.attribution", "The attribution is FirstTouch or LastTouch.");
        return MdfHttp.Json(await store.SaveSettingsAsync(vendorId, input, user.UserId() ?? "unknown", clock.GetUtcNow(), ct));
    }

    private static async Task<Results<JsonHttpResult<IReadOnlyList<DealSummary>>, ProblemHttpResult>> List(string vendorId, string? partner, DealList list, CancellationToken ct)
    {
        if (partner is not null && !IsId(partner)) return MdfHttp.Problem(400, "deal.partner", "partner must be a partner id.");
        return MdfHttp.Json(await list.ListAsync(vendorId, partner, ct: ct));
    }

    private static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> Get(string vendorId, string id, WorkflowEngine engine, CancellationToken ct) =>
        await engine.GetDealAsync(id, ct) is { Registration: not null } s && s.VendorId == vendorId
            ? MdfHttp.Json(DealView.From(s, vendor: true))
            : MdfHttp.Problem(404, "deal.not_found", $"No registration {id}.");

    /// <summary>Revenue and pipeline per kit, program, partner and source, under the vendor's attribution setting; <c>partner</c> narrows it.</summary>
    private static async Task<Results<JsonHttpResult<AttributionView>, ProblemHttpResult>> Attribution(string vendorId, string? partner, DealReports reports, CancellationToken ct)
    {
        if (partner is not null && !IsId(partner)) return MdfHttp.Problem(400, "deal.partner", "partner must be a partner id.");
        return MdfHttp.Json(AttributionView.From(await reports.AttributionAsync(vendorId, partner, ct)));
    }

    // ---- partner ---------------------------------------------------------------------------------------------

    private static async Task<JsonHttpResult<PartnerDealsView>> Overview(ClaimsPrincipal user, DealReports reports, CancellationToken ct) =>
        MdfHttp.Json(await reports.PartnerAsync(user.VendorId()!, user.PartnerId()!, ct));

    /// <summary>
    /// 201 with the registration (waiting for approval, or queued behind another partner's); 200 with the first one when
    /// the same registration (or Idempotency-Key) comes again; 400 with every problem of the input; 403 for a tier the
    /// rules exclude; 409 when the rules refuse it (the reason names no other partner), with the refused registration.
    /// </summary>
    private static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> Register(HttpRequest request, ClaimsPrincipal user, DealService deals, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<RegistrationInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        var key = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        if (key is { Length: > 200 }) return MdfHttp.Problem(400, "deal.idempotency_key", "An idempotency key is at most 200 characters.");
        return await RegisterAsync(deals, user, request.HttpContext, input!, key, ct);
    }

    internal static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> RegisterAsync(DealService deals, ClaimsPrincipal user, HttpContext http,
        RegistrationInput input, string? key, CancellationToken ct)
    {
        var outcome = await deals.SubmitAsync(user.VendorId()!, user.PartnerId()!, input, MdfHttp.PartnerActor(user, http), key, ct);
        if (outcome.IsOk) return MdfHttp.Json(DealView.From(outcome.State!, vendor: false), outcome.Status);
        var problem = MdfHttp.Problem(outcome.Status, outcome.Refusals, outcome.State is null ? "The registration was not accepted." : "The rules refuse this registration.");
        if (outcome.State is not null) problem.ProblemDetails.Extensions["registration"] = DealView.From(outcome.State, vendor: false);
        return problem;
    }

    private static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> GetOwn(string id, ClaimsPrincipal user, WorkflowEngine engine, CancellationToken ct) =>
        await OwnAsync(id, user, engine, ct) is { } s ? MdfHttp.Json(DealView.From(s, vendor: false)) : MdfHttp.Problem(404, "deal.not_found", $"No registration {id}.");

    /// <summary><c>{stage: qualified|proposal|won|lost, amount (won), reason (lost)}</c>.</summary>
    private static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> Stage(string id, HttpRequest request, ClaimsPrincipal user, DealService deals, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<StageInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        var by = MdfHttp.PartnerActor(user, request.HttpContext);
        var e = StageEvent(input!, by, await deals.CurrencyOfAsync(user.VendorId()!, id, ct), out var problems);
        return e is null ? MdfHttp.Problem(400, problems) : await PartnerActAsync(deals, user, id, e, ct);
    }

    /// <summary>The stage a partner sets, as an event; a won amount in the registration's currency ("125000", "125,000.50").</summary>
    internal static DealEvent? StageEvent(StageInput input, Actor by, Currency? currency, out IReadOnlyList<Refusal> problems)
    {
        problems = [];
        switch (input.Stage?.Trim().ToLowerInvariant())
        {
            case "qualified": return new ChangeDealStage(DealStage.Qualified, by);
            case "proposal": return new ChangeDealStage(DealStage.Proposal, by);
            case "lost": return new MarkDealLost(input.Reason ?? "", by);
            case "won":
                var text = (input.Amount ?? "").Replace(",", "", StringComparison.Ordinal).Trim();
                if (currency is null || !decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var amount) || amount > 999_999_999_999m)
                {
                    problems = [new Refusal("deal.won_amount", "Give the won amount as a number, such as 125000.")];
                    return null;
                }
                try
                {
                    return new MarkDealWon(Money.Of(amount, currency), by);
                }
                catch (ArgumentException)
                {
                    problems = [new Refusal("deal.won_amount", $"The won amount has more decimals than {currency.Code} has.")];
                    return null;
                }
            default:
                problems = [new Refusal("deal.stage", "The stage is qualified, proposal, won (with the amount) or lost (with the reason).")];
                return null;
        }
    }

    private static Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> Extension(string id, HttpRequest request, ClaimsPrincipal user, DealService deals, CancellationToken ct) =>
        TextAsync(id, request, user, deals, (t, by) => new AskProtectionExtension(t, by), ct);

    private static Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> Answer(string id, HttpRequest request, ClaimsPrincipal user, DealService deals, CancellationToken ct) =>
        TextAsync(id, request, user, deals, (t, by) => new ProvideDealInformation(t, by), ct);

    private static Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> Withdraw(string id, HttpRequest request, ClaimsPrincipal user, DealService deals, CancellationToken ct) =>
        TextAsync(id, request, user, deals, (t, by) => new WithdrawDeal(t, by), ct);

    private static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> TextAsync(string id, HttpRequest request, ClaimsPrincipal user, DealService deals,
        Func<string, Actor, DealEvent> make, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<TextInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        return await PartnerActAsync(deals, user, id, make(input!.Text ?? "", MdfHttp.PartnerActor(user, request.HttpContext)), ct);
    }

    internal static async Task<Results<JsonHttpResult<DealView>, ProblemHttpResult>> PartnerActAsync(DealService deals, ClaimsPrincipal user, string id, DealEvent e, CancellationToken ct)
    {
        if (!DealWorkflowTypes.IsValidId(id)) return MdfHttp.Problem(404, "deal.not_found", $"No registration {id}.");
        var outcome = await deals.ActAsync(user.VendorId()!, id, e, $"partner:{Guid.NewGuid():N}", ct);
        // Another partner's registration is as absent as one that does not exist.
        if (outcome.Status == 404 || outcome.State is { } s && s.PartnerId != user.PartnerId()) return MdfHttp.Problem(404, "deal.not_found", $"No registration {id}.");
        return outcome.IsOk ? MdfHttp.Json(DealView.From(outcome.State!, vendor: false)) : MdfHttp.Problem(outcome.Status, outcome.Refusals);
    }

    internal static async Task<DealState?> OwnAsync(string id, ClaimsPrincipal user, WorkflowEngine engine, CancellationToken ct) =>
        DealWorkflowTypes.IsValidId(id) && await engine.GetDealAsync(id, ct) is { Registration: not null } s && s.VendorId == user.VendorId() && s.PartnerId == user.PartnerId()
            ? s : null;

    private static bool IsId(string id) => id.Length is > 0 and <= 100 && Tcma.Storage.TableKeys.IsValid(id);
}
