using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Storage.Mdf;
using Tcma.Storage.Workflows;
using static Tcma.Functions.Mdf.MdfHttp;

namespace Tcma.Functions.Mdf;

/// <summary>Turns an approver's button (email link, console or API) and what they typed into the domain's event, or says what is missing.</summary>
public static class MdfActions
{
    public static string Of(LinkPurpose p) => p switch
    {
        LinkPurpose.Approve => "approve", LinkPurpose.ApproveLowerAmount => "approveLower", LinkPurpose.Reject => "reject",
        LinkPurpose.AskForInformation => "ask", LinkPurpose.ApproveExtension => "approveExtension", _ => "rejectExtension",
    };

    public static FundRequestEvent? RequestEvent(string? action, int step, JsonElement? amount, string? text, MdfProgram program, Actor by, out IReadOnlyList<Refusal> problems)
    {
        var list = new List<Refusal>();
        problems = list;
        switch (action)
        {
            case "approve": return new ApproveRequest(step, null, by);
            case "approveLower":
                var money = ProposalInput.Amount(amount, "amount to approve", program.AmountRules, list);
                return money is null ? null : new ApproveRequest(step, money, by);
            case "reject": return new RejectRequest(step, text ?? "", by);
            case "ask": return new AskForInformation(step, text ?? "", by);
            case "approveExtension": return new DecideClaimExtension(true, by);
            case "rejectExtension": return new DecideClaimExtension(false, by);
            default:
                list.Add(new("approval.action", "The action is one of approve, approveLower, reject, ask, approveExtension, rejectExtension."));
                return null;
        }
    }

    public static ClaimEvent? ClaimEvent(string? action, int step, JsonElement? amount, string? text, MdfProgram program, Actor by, out IReadOnlyList<Refusal> problems)
    {
        var list = new List<Refusal>();
        problems = list;
        switch (action)
        {
            case "approve": return new ApproveClaim(step, null, by);
            case "approveLower":
                var money = ProposalInput.Amount(amount, "amount to approve", program.AmountRules, list);
                return money is null ? null : new ApproveClaim(step, money, by);
            case "reject": return new RejectClaim(step, text ?? "", by);
            default:
                list.Add(new("approval.action", "A claim can be approved (possibly for less) or rejected."));
                return null;
        }
    }
}

/// <summary>
/// The pages an approval email's buttons open. A GET only shows what would happen (mail scanners follow links); the
/// POST acts, once: the link is signed, expires, is bound to one approver, one step and one button, and is used up
/// by the action. Who, when and from where (IP, user agent) go into the request's history.
/// </summary>
public static class MdfActionEndpoints
{
    public static WebApplication MapMdfActions(this WebApplication app)
    {
        app.MapGet("/mdf/act/{token}", Confirm).AllowAnonymous();
        app.MapPost("/mdf/act/{token}", Act).AllowAnonymous().DisableAntiforgery();
        app.MapGet("/console/mdf/review/{kind}/{id}/{action}", Review).RequireAuthorization(Policies.VendorUser);
        return app;
    }

    private sealed record Subject(ActionLink Link, string VendorId, string Nonce, FundRequestState? Request, ClaimState? Claim)
    {
        public int CurrentStep => Request?.Step ?? Claim!.Step;
        public MdfProgram Program => (Request?.Program ?? Claim!.Program)!;
    }

    private static async Task<(Subject? Subject, ContentHttpResult? Refused)> OpenAsync(string token, LinkTokens tokens, WorkflowEngine engine, CancellationToken ct)
    {
        var verified = tokens.Verify(token, MdfLinkPurposes.Action);
        if (!verified.IsValid)
            return (null, verified.Failure == TokenFailure.Expired
                ? Page("This link has expired", "<p>Approval links work for a limited time. Open the latest email about this request, or act in the console.</p>", 410)
                : Page("This link does not work", "<p>The link is not one we sent, or it was changed on the way. Open the latest email about this request, or act in the console.</p>", 403));
        var link = ActionLink.Parse(verified.Token!.Subject);
        if (link is null) return (null, Page("This link does not work", "<p>The link is not an approval link.</p>", 403));
        var vendor = verified.Token.VendorId;
        if (link.Kind == MdfSubjectKind.Request)
        {
            var state = await engine.GetRequestAsync(link.SubjectId, ct);
            if (state is null || FundKey.Parse(state.FundId).VendorId != vendor) return (null, Page("Not found", "<p>This request does not exist.</p>", 404));
            return (new Subject(link, vendor, verified.Token.Nonce, state, null), null);
        }
        var claim = await engine.GetClaimAsync(link.SubjectId, ct);
        if (claim?.FundId is null || FundKey.Parse(claim.FundId).VendorId != vendor) return (null, Page("Not found", "<p>This claim does not exist.</p>", 404));
        return (new Subject(link, vendor, verified.Token.Nonce, null, claim), null);
    }

    private static async Task<ContentHttpResult> Confirm(string token, LinkTokens tokens, WorkflowEngine engine, CancellationToken ct)
    {
        var (subject, refused) = await OpenAsync(token, tokens, engine, ct);
        if (subject is null) return refused!;
        var link = subject.Link;
        var extension = link.Action is LinkPurpose.ApproveExtension or LinkPurpose.RejectExtension;
        if (!extension && link.Step != subject.CurrentStep)
            return Page("Already decided", $"<p>{Enc(Decided(subject))}</p>{Summary(subject)}", 409);
        var body = new StringBuilder(Summary(subject));
        body.Append($"<form method=\"post\" class=\"form\"><p>You are acting as <strong>{Enc(link.UserId)}</strong>.</p>");
        switch (link.Action)
        {
            case LinkPurpose.ApproveLowerAmount:
                body.Append($"<div class=\"field\"><label for=\"amount\">Amount to approve ({subject.Program.Currency.Code})</label><input id=\"amount\" name=\"amount\" inputmode=\"decimal\" required></div>");
                break;
            case LinkPurpose.Reject:
                body.Append("<div class=\"field\"><label for=\"text\">Reason (the partner sees it)</label><textarea id=\"text\" name=\"text\" required maxlength=\"2000\"></textarea></div>");
                break;
            case LinkPurpose.AskForInformation:
                body.Append("<div class=\"field\"><label for=\"text\">Your question to the partner</label><textarea id=\"text\" name=\"text\" required maxlength=\"2000\"></textarea></div>");
                break;
        }
        body.Append($"<button type=\"submit\" class=\"button\">Confirm: {Enc(MdfCommandTranslator.Label(link.Action))}</button></form>");
        return Page(MdfCommandTranslator.Label(link.Action), body.ToString());
    }

    private static async Task<ContentHttpResult> Act(string token, HttpRequest request, LinkTokens tokens, WorkflowEngine engine, MdfService service, TimeProvider clock, CancellationToken ct)
    {
        var (subject, refused) = await OpenAsync(token, tokens, engine, ct);
        if (subject is null) return refused!;
        var link = subject.Link;
        var form = request.HasFormContentType ? await request.ReadFormAsync(ct) : FormCollection.Empty;
        var by = new Actor(link.UserId, null, request.HttpContext.Connection.RemoteIpAddress?.ToString(), Shorten(request.Headers.UserAgent.ToString()));
        JsonElement? amount = form["amount"].ToString() is { Length: > 0 } a ? JsonSerializer.SerializeToElement(a) : null;
        var text = form["text"].ToString();
        var action = MdfActions.Of(link.Action);
        IReadOnlyList<Refusal> problems;
        FundRequestEvent? requestEvent = null;
        ClaimEvent? claimEvent = null;
        if (subject.Request is not null) requestEvent = MdfActions.RequestEvent(action, link.Step, amount, text, subject.Program, by, out problems);
        else claimEvent = MdfActions.ClaimEvent(action, link.Step, amount, text, subject.Program, by, out problems);
        if (problems.Count > 0) return Page("Please check", List(problems) + "<p>Go back, correct it and confirm again; the link still works.</p>", 400);

        // Checked before the link is used up, so a typo or a step someone else decided does not burn the link.
        var check = requestEvent is not null
            ? FundRequestWorkflow.Apply(subject.Request!, requestEvent, clock.GetUtcNow()).Refusals
            : ClaimWorkflow.Apply(subject.Claim!, claimEvent!, clock.GetUtcNow()).Refusals;
        if (check.Count > 0 && check.All(r => r.Code is "request.text_missing" or "request.text_too_long" or "claim.reason_missing" or "approval.amount_not_positive" or "approval.amount_above_requested"))
            return Page("Please check", List(check) + "<p>Go back, correct it and confirm again; the link still works.</p>", 400);

        var used = await tokens.ConsumeAsync(token, MdfLinkPurposes.Action, ct);
        if (!used.IsValid)
            return used.Failure == TokenFailure.AlreadyUsed
                ? Page("This link was already used", $"<p>Each button works once. {Enc(Decided(subject))}</p>", 409)
                : Page("This link does not work", "<p>Open the latest email about this request, or act in the console.</p>", 403);

        var eventId = $"link:{subject.Nonce}";
        if (requestEvent is not null)
        {
            var outcome = await service.ActOnRequestAsync(subject.VendorId, link.SubjectId, requestEvent, eventId, ct);
            return !outcome.IsOk ? Page("Not done", List(outcome.Refusals), outcome.Status)
                : outcome.Note is not null ? Page("Nothing changed", $"<p>{Enc(outcome.Note)}.</p><p>The request is <strong>{outcome.State!.Status}</strong>.</p>", 409)
                : Page("Done", $"<p>Recorded.</p><p>The request is now <strong>{outcome.State!.Status}</strong>.</p>{History(outcome.State.History)}");
        }
        var claim = await service.ActOnClaimAsync(subject.VendorId, link.SubjectId, claimEvent!, eventId, ct);
        return !claim.IsOk ? Page("Not done", List(claim.Refusals), claim.Status)
            : claim.Note is not null ? Page("Nothing changed", $"<p>{Enc(claim.Note)}.</p><p>The claim is <strong>{claim.State!.Status}</strong>.</p>", 409)
            : Page("Done", $"<p>Recorded.</p><p>The claim is now <strong>{claim.State!.Status}</strong>.</p>{History(claim.State.History)}");
    }

    /// <summary>The console's way in: a fresh single-use link for the signed-in approver, opening the same confirm page.</summary>
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> Review(
        string kind, string id, string action, ClaimsPrincipal user, WorkflowEngine engine, MdfLinks links, CancellationToken ct)
    {
        var vendor = user.VendorId()!;
        var userId = user.UserId();
        if (userId is null || !Enum.TryParse<LinkPurpose>(action, out var purpose) || kind is not ("request" or "claim") || !MdfWorkflowTypes.IsValidId(id))
            return Problem(404, "mdf.not_found", "Nothing to review here.");
        int step;
        if (kind == "request")
        {
            if (await engine.GetRequestAsync(id, ct) is not { } r || FundKey.Parse(r.FundId).VendorId != vendor) return Problem(404, "mdf.not_found", $"No request {id}.");
            step = r.Step;
        }
        else
        {
            if (await engine.GetClaimAsync(id, ct) is not { FundId: not null } c || FundKey.Parse(c.FundId).VendorId != vendor) return Problem(404, "mdf.not_found", $"No claim {id}.");
            step = c.Step;
        }
        var link = new ActionLink(kind == "request" ? MdfSubjectKind.Request : MdfSubjectKind.Claim, id, step, purpose, userId);
        return TypedResults.Redirect(links.ActionPath(vendor, link));
    }

    private static string Decided(Subject s)
    {
        var history = s.Request?.History ?? s.Claim!.History;
        var decided = history.LastOrDefault(h => h.Step == s.Link.Step && !h.By.IsSystem);
        return decided is null ? "This step is no longer waiting for a decision." : $"This step was decided: {decided.What} by {decided.By.UserId} at {decided.At:u}.";
    }

    private static string Summary(Subject s)
    {
        if (s.Request is { } r)
        {
            var p = r.Proposal!;
            var activity = r.Program!.Activity(p.ActivityTypeId);
            return $"""
                <section class="card"><h2>Request {Enc(r.RequestId)} from {Enc(r.PartnerId)}</h2><dl>
                <dt>Activity</dt><dd>{Enc(activity?.Name)}: {Enc(p.Description)}</dd>
                <dt>Dates</dt><dd>{p.Start:yyyy-MM-dd} to {p.End:yyyy-MM-dd}</dd>
                <dt>Amount under approval</dt><dd>{Enc(r.Amount?.ToString())} of an estimated cost of {Enc(p.EstimatedCost.ToString())} ({Enc(activity?.RateText)}, cap {Enc(activity?.Cap.ToString())})</dd>
                <dt>Expected</dt><dd>{p.ExpectedLeads} leads, {Enc(p.ExpectedPipeline.ToString())} pipeline</dd>
                <dt>Status</dt><dd>{r.Status}{(r.Question is null ? "" : $": waiting for the partner's answer to \"{Enc(r.Question)}\"")}</dd>
                </dl></section>
                """;
        }
        var c = s.Claim!;
        return $"""
            <section class="card"><h2>Claim {Enc(c.ClaimId)} from {Enc(c.PartnerId)}</h2><dl>
            <dt>Request</dt><dd>{Enc(c.RequestId)}</dd>
            <dt>Amount under approval</dt><dd>{Enc(c.Amount?.ToString())}</dd>
            <dt>Actual cost</dt><dd>{Enc(c.Submission?.ActualCost.ToString())}</dd>
            <dt>Reimbursable</dt><dd>{Enc(c.Reimbursement?.Explanation)}</dd>
            <dt>Results</dt><dd>{c.Submission?.Leads} leads, {Enc(c.Submission?.Pipeline.ToString())} pipeline</dd>
            <dt>Proof</dt><dd>{Enc(string.Join(", ", c.Submission?.Proofs.Select(f => f.Name) ?? []))}</dd>
            <dt>Status</dt><dd>{c.Status}</dd>
            </dl></section>
            """;
    }

    internal static string List(IEnumerable<Refusal> refusals) =>
        "<ul class=\"problems\" role=\"alert\">" + string.Concat(refusals.Select(r => $"<li data-code=\"{Enc(r.Code)}\">{Enc(r.Message)}</li>")) + "</ul>";

    internal static string History(IEnumerable<HistoryEntry> history) =>
        "<h2>History</h2><ol>" + string.Concat(history.Select(h => $"<li>{h.At:u} · {Enc(h.By.UserId)} · {Enc(h.What)}</li>")) + "</ol>";
}
