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

/// <summary>
/// The forms of the partner's MDF page: each posts here with the page's signed link in the address (no cookie, so no
/// cross-site request can carry it), does what the API does, and returns to the page with what happened.
/// </summary>
public static class MdfPartnerPageEndpoints
{
    public static WebApplication MapMdfPartnerPage(this WebApplication app)
    {
        var forms = app.MapGroup("/partner/mdf").RequireAuthorization(Policies.Partner).AddEndpointFilter(MdfRequestEndpoints.RequireMdfLink).DisableAntiforgery();
        forms.MapPost("/propose", Propose);
        forms.MapPost("/requests/{requestId}/answer", Answer);
        forms.MapPost("/requests/{requestId}/cancel", Cancel);
        forms.MapPost("/requests/{requestId}/claim", Claim);
        return app;
    }

    private static async Task<RedirectHttpResult> Propose(HttpRequest request, ClaimsPrincipal user, MdfProgramStore programs, MdfService service, CancellationToken ct)
    {
        if (!request.HasFormContentType) return Back(request, "Send the form.", false);
        var form = await request.ReadFormAsync(ct);
        var programId = form["programId"].ToString();
        if (!MdfProgramEndpoints.IsValidProgramId(programId) || await programs.GetAsync(user.VendorId()!, programId, ct) is not { } stored)
            return Back(request, "Choose a program.", false);
        int? leads = int.TryParse(form["expectedLeads"], out var l) ? l : form["expectedLeads"].ToString().Length == 0 ? 0 : -1;
        var input = new ProposalInput(form["activityTypeId"], form["description"], form["start"], form["end"], Text(form["estimatedCost"]), Text(form["requested"]),
            leads, Text(form["expectedPipeline"].ToString() is { Length: > 0 } p ? p : "0"), [], form["idempotencyKey"].ToString() is { Length: > 0 and <= 200 } k ? k : null);
        var result = await MdfRequestEndpoints.SubmitAsync(service, user, request.HttpContext, stored.Program, input, input.IdempotencyKey, ct);
        return result.Result is JsonHttpResult<RequestView> ok ? Back(request, $"Request {ok.Value!.Id} submitted: {ok.Value.Amount} is reserved.", true) : Back(request, Explain(result.Result), false);
    }

    private static Task<RedirectHttpResult> Answer(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, CancellationToken ct) =>
        TextAction(requestId, request, user, service, (t, by) => new ProvideInformation(t, by), "Your answer was sent.", ct);

    private static Task<RedirectHttpResult> Cancel(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, CancellationToken ct) =>
        TextAction(requestId, request, user, service, (t, by) => new CancelRequest(t, by), "The request is cancelled and its funds are available again.", ct);

    private static async Task<RedirectHttpResult> TextAction(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service,
        Func<string, Actor, FundRequestEvent> make, string done, CancellationToken ct)
    {
        var text = request.HasFormContentType ? (await request.ReadFormAsync(ct))["text"].ToString() : "";
        var result = await MdfRequestEndpoints.PartnerActAsync(service, user, request.HttpContext, requestId, make(text, MdfHttp.PartnerActor(user, request.HttpContext)), ct);
        return result.Result is JsonHttpResult<RequestView> ? Back(request, done, true) : Back(request, Explain(result.Result), false);
    }

    private static async Task<RedirectHttpResult> Claim(string requestId, HttpRequest request, ClaimsPrincipal user, MdfService service, WorkflowEngine engine, CancellationToken ct)
    {
        if (!MdfWorkflowTypes.IsValidId(requestId) || await engine.GetRequestAsync(requestId, ct) is not { Program: not null } state || state.PartnerId != user.PartnerId()
            || FundKey.Parse(state.FundId).VendorId != user.VendorId())
            return Back(request, $"No request {requestId}.", false);
        if (!request.HasFormContentType || request.ContentLength > MdfRequestEndpoints.MaxClaimBytes) return Back(request, "Attach the proof files (at most 64 MiB in all).", false);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MdfRequestEndpoints.MaxClaimBytes }, ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return Back(request, "The claim could not be read; attach at most 64 MiB of proof.", false);
        }
        var result = await MdfRequestEndpoints.ClaimAsync(service, user, request.HttpContext, state, form, ct);
        return result.Result is JsonHttpResult<ClaimView> ok ? Back(request, $"Claim {ok.Value!.Id} for {ok.Value.Amount} submitted.", true) : Back(request, Explain(result.Result), false);
    }

    private static JsonElement Text(string? s) => JsonSerializer.SerializeToElement(s ?? "");

    private static string Explain(IResult result) => result is ProblemHttpResult p
        ? p.ProblemDetails.Extensions.TryGetValue("refusals", out var r) && r is Dictionary<string, string>[] list && list.Length > 0
            ? string.Join(" ", list.Select(x => x["message"]))
            : p.ProblemDetails.Title ?? "That did not work."
        : "That did not work.";

    private static RedirectHttpResult Back(HttpRequest request, string message, bool ok)
    {
        var token = request.Query["t"].ToString();
        var text = message.Length <= 600 ? message : message[..600] + "…";
        var link = token.Length == 0 ? "" : $"t={Uri.EscapeDataString(token)}&";
        return TypedResults.Redirect($"/partner/mdf?{link}{(ok ? "done" : "problem")}={Uri.EscapeDataString(text)}");
    }
}
