using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Mdf;

/// <summary>A proposal as a partner's form or client sends it: amounts as typed ("5,000", "5000.50 USD"), dates as yyyy-MM-dd.</summary>
public sealed record ProposalInput(
    string? ActivityTypeId, string? Description, string? Start, string? End, JsonElement? EstimatedCost, JsonElement? Requested,
    int? ExpectedLeads, JsonElement? ExpectedPipeline, IReadOnlyList<string>? LaunchIds, string? IdempotencyKey)
{
    public Checked<Proposal> ToProposal(MdfProgram program)
    {
        var problems = new List<Refusal>();
        var cost = Amount(EstimatedCost, "estimated cost", program.AmountRules, problems);
        var requested = Amount(Requested, "requested amount", program.AmountRules, problems);
        var pipeline = ExpectedPipeline is null ? program.Zero : Amount(ExpectedPipeline, "expected pipeline", new MoneyRules(program.MaxAmount, AllowZero: true), problems);
        var start = Day(Start, "start", problems);
        var end = Day(End, "end", problems);
        if (problems.Count > 0) return Checked<Proposal>.No(problems);
        return Checked<Proposal>.Ok(new Proposal(ActivityTypeId ?? "", Description ?? "", start, end, cost!, requested!, ExpectedLeads ?? 0, pipeline!, LaunchIds ?? []));
    }

    public static Money? Amount(JsonElement? value, string field, MoneyRules rules, List<Refusal> problems)
    {
        var text = value switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } v => v.GetString(),
            { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
            { ValueKind: JsonValueKind.Null } => null,
            var v => v.Value.GetRawText(),
        };
        var parsed = MoneyInput.Parse(text, rules.Max.Currency, rules);
        if (parsed.IsValid) return parsed.Value;
        problems.AddRange(parsed.Refusals.Select(r => r with { Message = $"The {field}: {r.Message}" }));
        return null;
    }

    private static DateOnly Day(string? text, string field, List<Refusal> problems)
    {
        if (DateOnly.TryParseExact(text ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        problems.Add(new("request.bad_date", $"The {field} date must be a day as yyyy-MM-dd, e.g. 2026-03-01."));
        return default;
    }
}

public sealed record TextInput(string? Text);

public sealed record ExtensionInput(string? Until, string? Text);

public sealed record DecisionInput(int? Step, string? Action, JsonElement? Amount, string? Text);

/// <summary>
/// Fund requests and claims: the partner's API (through the signed MDF link, purpose "mdf") and the vendor's API
/// (read, and decide as the approver the chain names).
/// </summary>
public static class MdfRequestEndpoints
{
    private const int MaxJsonBytes = 64 * 1024;
    public const long MaxClaimBytes = 64L * 1024 * 1024;

    public static WebApplication MapMdfPartnerApi(this WebApplication app)
    {
        var partner = app.MapGroup("/api/partner/mdf").RequireAuthorization(Policies.Partner).AddEndpointFilter(RequireMdfLink).WithTags("MDF");
        partner.MapGet("/", Overview);
        partner.MapPost("/programs/{programId}/requests", Submit).DisableAntiforgery();
        partner.MapGet("/requests/{requestId}", GetOwnRequest);
        partner.MapPost("/requests/{requestId}/answer", Answer).DisableAntiforgery();
        partner.MapPost("/requests/{requestId}/cancel", Cancel).DisableAntiforgery();
        partner.MapPost("/requests/{requestId}/claim", Claim).DisableAntiforgery();
        partner.MapPost("/requests/{requestId}/extension", AskExtension).DisableAntiforgery();
        return app;
    }

    public static WebApplication MapMdfVendorApi(this WebApplication app)
    {
        var mdf = app.MapGroup("/api/vendors/{vendorId}/mdf").RequireVendorScope().WithTags("MDF");
        mdf.MapGet("/requests", ListRequests).RequireAuthorization(Policies.VendorUser);
        mdf.MapGet("/requests/{requestId}", GetRequest).RequireAuthorization(Policies.VendorUser);
        mdf.MapPost("/requests/{requestId}/decisions", DecideRequest).RequireAuthorization(Policies.VendorUser).DisableAntiforgery();
        mdf.MapGet("/claims/{claimId}", GetClaim).RequireAuthorization(Policies.VendorUser);
        mdf.MapPost("/claims/{claimId}/decisions", DecideClaim).RequireAuthorization(Policies.VendorUser).DisableAntiforgery();
        return app;
    }

    /// <summary>Any signed link lets a partner in; only the MDF link opens MDF, so a launch or approval link cannot.</summary>
    /// <summary>A partner who came by the MDF link, or is signed in to the partner portal.</summary>
    public static bool IsMdfPartner(ClaimsPrincipal user) =>
        user.IsPartnerSession() || user.FindFirst(TcmaClaims.LinkPurpose)?.Value == MdfLinkPurposes.Partner;

    internal static async ValueTask<object?> RequireMdfLink(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!IsMdfPartner(context.HttpContext.User))
            return MdfHttp.Problem(403, "mdf.wrong_link", "This link does not open MDF; use the MDF link from your latest MDF email.");
        return await next(context);
    }

    // ---- partner ---------------------------------------------------------------------------------------------

    public static async Task<PartnerMdfView> OverviewAsync(string vendorId, string partnerId, MdfProgramStore programs, MdfRequestIndex index,
        WorkflowEngine engine, FundLedgerStore ledger, CancellationToken ct)
    {
        var funds = new List<FundView>();
        foreach (var p in await programs.ListAsync(vendorId, ct))
            funds.Add(FundView.From(p.Program, await ledger.GetAsync(new FundKey(vendorId, p.Program.Id, partnerId).FundId, p.Program.Currency, ct)));
        var requests = new List<RequestView>();
        var claims = new List<ClaimView>();
        foreach (var s in await index.ListAsync(vendorId, partnerId, ct))
        {
            if (s.Kind == MdfSubjectKind.Request && await engine.GetRequestAsync(s.Id, ct) is { Status: not FundRequestStatus.Draft } r) requests.Add(RequestView.From(r, false));
            if (s.Kind == MdfSubjectKind.Claim && await engine.GetClaimAsync(s.Id, ct) is { Status: not ClaimStatus.Draft } c) claims.Add(ClaimView.From(c, false));
        }
        return new PartnerMdfView(funds, requests, claims);
    }

    private static async Task<JsonHttpResult<PartnerMdfView>> Overview(ClaimsPrincipal user, MdfProgramStore programs, MdfRequestIndex index,
        WorkflowEngine engine, FundLedgerStore ledger, CancellationToken ct) =>
        MdfHttp.Json(await OverviewAsync(user.VendorId()!, user.PartnerId()!, programs, index, engine, ledger, ct));

    /// <summary>
    /// 201 with the request (funds reserved, approvers emailed); 200 with the first request when the same proposal
    /// (or the same idempotency key) comes again; 400/409 with every reason when refused; nothing reserved then.
    /// </summary>
    private static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> Submit(
        string programId, HttpRequest request, ClaimsPrincipal user, MdfProgramStore programs, MdfService service, CancellationToken ct)
    {
        if (!MdfProgramEndpoints.IsValidProgramId(programId) || await programs.GetAsync(user.VendorId()!, programId, ct) is not { } stored)
            return MdfHttp.Problem(404, "mdf.not_found", $"No program {programId}.");
        var (input, problem) = await MdfHttp.ReadJsonAsync<ProposalInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        var key = request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } header ? header : input!.IdempotencyKey;
        if (key is { Length: > 200 }) return MdfHttp.Problem(400, "mdf.idempotency_key", "An idempotency key is at most 200 characters.");
        return await SubmitAsync(service, user, request.HttpContext, stored.Program, input!, key, ct);
    }

    internal static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> SubmitAsync(
        MdfService service, ClaimsPrincipal user, HttpContext http, MdfProgram program, ProposalInput input, string? key, CancellationToken ct)
    {
        var proposal = input.ToProposal(program);
        if (!proposal.IsValid) return MdfHttp.Problem(400, proposal.Refusals, "The proposal has problems; nothing was reserved.");
        var outcome = await service.SubmitAsync(user.VendorId()!, user.PartnerId()!, program.Id, proposal.Value!, MdfHttp.PartnerActor(user, http), key, ct);
        return outcome.IsOk ? MdfHttp.Json(RequestView.From(outcome.State!, false), outcome.Status) : MdfHttp.Problem(outcome.Status, outcome.Refusals);
    }

    private static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> GetOwnRequest(string requestId, ClaimsPrincipal user, WorkflowEngine engine, CancellationToken ct)
    {
        var state = await engine.GetRequestAsync(requestId, ct);
        if (state is null || state.PartnerId != user.PartnerId() || FundKey.Parse(state.FundId).VendorId != user.VendorId())
            return MdfHttp.Problem(404, "mdf.not_found", $"No request {requestId}.");
        return MdfHttp.Json(RequestView.From(state, false));
    }

    private static Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> Answer(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, CancellationToken ct) =>
        PartnerTextAction(requestId, request, user, service, (text, by) => new ProvideInformation(text, by), ct);

    private static Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> Cancel(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, CancellationToken ct) =>
        PartnerTextAction(requestId, request, user, service, (text, by) => new CancelRequest(text, by), ct);

    /// <summary>Asks to claim later than the deadline: <c>{until: "2026-05-31", text: reason}</c>; the first level's approvers decide from their email.</summary>
    private static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> AskExtension(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<ExtensionInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        if (!DateOnly.TryParseExact(input!.Until ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var until))
            return MdfHttp.Problem(400, "extension.bad_date", "Give the day you want to claim by as yyyy-MM-dd.");
        return await PartnerActAsync(service, user, request.HttpContext, requestId, new AskClaimExtension(until, input.Text ?? "", MdfHttp.PartnerActor(user, request.HttpContext)), ct);
    }

    private static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> PartnerTextAction(
        string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, Func<string, Actor, FundRequestEvent> make, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<TextInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        return await PartnerActAsync(service, user, request.HttpContext, requestId, make(input!.Text ?? "", MdfHttp.PartnerActor(user, request.HttpContext)), ct);
    }

    internal static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> PartnerActAsync(
        MdfService service, ClaimsPrincipal user, HttpContext http, string requestId, FundRequestEvent e, CancellationToken ct)
    {
        if (!MdfWorkflowTypes.IsValidId(requestId)) return MdfHttp.Problem(404, "mdf.not_found", $"No request {requestId}.");
        var outcome = await service.ActOnRequestAsync(user.VendorId()!, requestId, e, $"partner:{Guid.NewGuid():N}", ct);
        if (outcome.Status == 404 || outcome.State is { } s && s.PartnerId != user.PartnerId()) return MdfHttp.Problem(404, "mdf.not_found", $"No request {requestId}.");
        return outcome.IsOk ? MdfHttp.Json(RequestView.From(outcome.State!, false)) : MdfHttp.Problem(outcome.Status, outcome.Refusals);
    }

    /// <summary>
    /// A claim as multipart form: <c>actualCost</c>, optional <c>amount</c>, <c>leads</c>, <c>pipeline</c>, <c>notes</c> and
    /// one or more <c>proof</c> files. 201 with the claim; 400 with every problem (type by content, size, count,
    /// amounts, deadline); 409 when the request is not (or no longer) claimable.
    /// </summary>
    private static async Task<Results<JsonHttpResult<ClaimView>, ProblemHttpResult>> Claim(
        string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, WorkflowEngine engine, CancellationToken ct)
    {
        if (!MdfWorkflowTypes.IsValidId(requestId) || await engine.GetRequestAsync(requestId, ct) is not { } state || state.PartnerId != user.PartnerId()
            || FundKey.Parse(state.FundId).VendorId != user.VendorId() || state.Program is null)
            return MdfHttp.Problem(404, "mdf.not_found", $"No request {requestId}.");
        if (request.ContentLength > MaxClaimBytes) return MdfHttp.Problem(413, "claim.too_large", $"A claim with its proof is at most {MaxClaimBytes / (1024 * 1024)} MiB.");
        if (!request.HasFormContentType) return MdfHttp.Problem(415, "claim.content_type", "Send the claim as multipart/form-data with the proof files.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxClaimBytes }, ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return MdfHttp.Problem(413, "claim.too_large", $"The claim could not be read: {e.Message}");
        }
        return await ClaimAsync(service, user, request.HttpContext, state, form, ct);
    }

    internal static async Task<Results<JsonHttpResult<ClaimView>, ProblemHttpResult>> ClaimAsync(
        MdfService service, ClaimsPrincipal user, HttpContext http, FundRequestState state, IFormCollection form, CancellationToken ct)
    {
        var program = state.Program!;
        var problems = new List<Refusal>();
        var actual = ProposalInput.Amount(Field(form, "actualCost"), "actual cost", program.AmountRules, problems);
        var asked = form["amount"].ToString().Trim().Length == 0 ? null : ProposalInput.Amount(Field(form, "amount"), "amount claimed", program.AmountRules, problems);
        var pipeline = form["pipeline"].ToString().Trim().Length == 0 ? program.Zero : ProposalInput.Amount(Field(form, "pipeline"), "pipeline", new MoneyRules(program.MaxAmount, AllowZero: true), problems);
        var leads = 0;
        if (form["leads"].ToString().Trim() is { Length: > 0 } l && !int.TryParse(l, NumberStyles.Integer, CultureInfo.InvariantCulture, out leads))
            problems.Add(new("claim.leads", "Leads must be a whole number."));
        var files = form.Files.GetFiles("proof");
        if (files.Count > program.ProofFiles.MaxFiles) problems.Add(new("claim.too_many_proofs", $"Attach at most {program.ProofFiles.MaxFiles} files."));
        if (problems.Count > 0) return MdfHttp.Problem(400, problems, "The claim has problems; nothing was stored.");

        var uploads = new List<ProofUpload>();
        foreach (var file in files)
        {
            var bytes = Array.Empty<byte>();
            if (file.Length <= program.ProofFiles.MaxBytes)
            {
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, ct);
                bytes = buffer.ToArray();
            }
            uploads.Add(new ProofUpload(new ProofFile(Path.GetFileName(file.FileName ?? ""), file.ContentType ?? "", file.Length), bytes));
        }
        var submission = new ClaimSubmission(actual!, asked, uploads.Select(u => u.File).ToList(), leads, pipeline!, form["notes"].ToString());
        var outcome = await service.SubmitClaimAsync(user.VendorId()!, user.PartnerId()!, state.RequestId, submission, uploads, MdfHttp.PartnerActor(user, http), ct);
        return outcome.IsOk ? MdfHttp.Json(ClaimView.From(outcome.State!, false), outcome.Status) : MdfHttp.Problem(outcome.Status, outcome.Refusals, "The claim was not accepted.");
    }

    private static JsonElement Field(IFormCollection form, string name) => JsonSerializer.SerializeToElement(form[name].ToString());

    // ---- vendor ----------------------------------------------------------------------------------------------

    private static async Task<JsonHttpResult<IReadOnlyList<MdfSubject>>> ListRequests(string vendorId, string? partnerId, MdfRequestIndex index, CancellationToken ct) =>
        MdfHttp.Json(await index.ListAsync(vendorId, partnerId, ct));

    private static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> GetRequest(string vendorId, string requestId, WorkflowEngine engine, CancellationToken ct)
    {
        var state = await engine.GetRequestAsync(requestId, ct);
        return state is null || FundKey.Parse(state.FundId).VendorId != vendorId
            ? MdfHttp.Problem(404, "mdf.not_found", $"No request {requestId}.")
            : MdfHttp.Json(RequestView.From(state, true));
    }

    private static async Task<Results<JsonHttpResult<ClaimView>, ProblemHttpResult>> GetClaim(string vendorId, string claimId, WorkflowEngine engine, CancellationToken ct)
    {
        var state = await engine.GetClaimAsync(claimId, ct);
        return state?.FundId is null || FundKey.Parse(state.FundId).VendorId != vendorId
            ? MdfHttp.Problem(404, "mdf.not_found", $"No claim {claimId}.")
            : MdfHttp.Json(ClaimView.From(state, true));
    }

    /// <summary>The decision's event id: the client's Idempotency-Key, so a retried call acts once; without one, every call is its own.</summary>
    private static string ActionEventId(HttpRequest request) =>
        request.Headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 200 } k ? $"api:{k}" : $"api:{Guid.NewGuid():N}";

    /// <summary>An approver decides in the API as in the email: <c>{step, action: approve|approveLower|reject|ask, amount, text}</c>, bound to the signed-in user.</summary>
    private static async Task<Results<JsonHttpResult<RequestView>, ProblemHttpResult>> DecideRequest(
        string vendorId, string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, WorkflowEngine engine, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<DecisionInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        if (!MdfWorkflowTypes.IsValidId(requestId) || await engine.GetRequestAsync(requestId, ct) is not { Program: { } program })
            return MdfHttp.Problem(404, "mdf.not_found", $"No request {requestId}.");
        var by = MdfHttp.VendorActor(user, request.HttpContext);
        var e = MdfActions.RequestEvent(input!.Action, input.Step ?? 0, input.Amount, input.Text, program, by, out var problems);
        if (e is null) return MdfHttp.Problem(400, problems);
        var outcome = await service.ActOnRequestAsync(vendorId, requestId, e, ActionEventId(request), ct);
        return outcome.IsOk ? MdfHttp.Json(RequestView.From(outcome.State!, true)) : MdfHttp.Problem(outcome.Status, outcome.Refusals);
    }

    private static async Task<Results<JsonHttpResult<ClaimView>, ProblemHttpResult>> DecideClaim(
        string vendorId, string claimId, HttpRequest request, ClaimsPrincipal user, MdfService service, WorkflowEngine engine, CancellationToken ct)
    {
        var (input, problem) = await MdfHttp.ReadJsonAsync<DecisionInput>(request, MaxJsonBytes, JsonSerializerOptions.Web, ct);
        if (problem is not null) return problem;
        if (!MdfWorkflowTypes.IsValidId(claimId) || await engine.GetClaimAsync(claimId, ct) is not { Program: { } program })
            return MdfHttp.Problem(404, "mdf.not_found", $"No claim {claimId}.");
        var by = MdfHttp.VendorActor(user, request.HttpContext);
        var e = MdfActions.ClaimEvent(input!.Action, input.Step ?? 0, input.Amount, input.Text, program, by, out var problems);
        if (e is null) return MdfHttp.Problem(400, problems);
        var outcome = await service.ActOnClaimAsync(vendorId, claimId, e, ActionEventId(request), ct);
        return outcome.IsOk ? MdfHttp.Json(ClaimView.From(outcome.State!, true)) : MdfHttp.Problem(outcome.Status, outcome.Refusals);
    }
}
