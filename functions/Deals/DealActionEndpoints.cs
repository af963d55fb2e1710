using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Deals;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Deals;
using Tcma.Storage.Workflows;
using static Tcma.Functions.Mdf.MdfHttp;

namespace Tcma.Functions.Deals;

/// <summary>
/// The pages a registration email's buttons open, as MDF's: a GET only shows the registration, the conflict evidence
/// and what the button would do (mail scanners follow links); the POST acts once. The link is signed, expires, and is
/// bound to one approver, one step and one button; it is used up by the action. Two approvers' links for one step
/// make one decision: the second finds the step decided.
/// </summary>
public static class DealActionEndpoints
{
    public static WebApplication MapDealActions(this WebApplication app)
    {
        app.MapGet("/deals/act/{token}", Confirm).AllowAnonymous();
        app.MapPost("/deals/act/{token}", Act).AllowAnonymous().DisableAntiforgery();
        return app;
    }

    private sealed record Subject(DealActionLink Link, string VendorId, string Nonce, DealState State);

    private static async Task<(Subject? Subject, ContentHttpResult? Refused)> OpenAsync(string token, LinkTokens tokens, WorkflowEngine engine, CancellationToken ct)
    {
        var verified = tokens.Verify(token, DealLinkPurposes.Action);
        if (!verified.IsValid)
            return (null, verified.Failure == TokenFailure.Expired
                ? Page("This link has expired", "<p>Approval links work for a limited time. Open the latest email about this registration.</p>", 410)
                : Page("This link does not work", "<p>The link is not one we sent, or it was changed on the way. Open the latest email about this registration.</p>", 403));
        var link = DealActionLink.Parse(verified.Token!.Subject);
        if (link is null) return (null, Page("This link does not work", "<p>The link is not a deal approval link.</p>", 403));
        var state = await engine.GetDealAsync(link.RegistrationId, ct);
        if (state?.Registration is null || state.VendorId != verified.Token.VendorId) return (null, Page("Not found", "<p>This registration does not exist.</p>", 404));
        return (new Subject(link, verified.Token.VendorId, verified.Token.Nonce, state), null);
    }

    private static bool IsExtension(DealActionLink link) => link.Action is LinkPurpose.ApproveExtension or LinkPurpose.RejectExtension;

    private static async Task<ContentHttpResult> Confirm(string token, LinkTokens tokens, WorkflowEngine engine, CancellationToken ct)
    {
        var (subject, refused) = await OpenAsync(token, tokens, engine, ct);
        if (subject is null) return refused!;
        var (link, s) = (subject.Link, subject.State);
        if (IsExtension(link) ? s.Extension is not { Approved: null } : link.Step != s.Step || s.Status != DealStatus.PendingApproval)
            return Page("Already decided", $"<p>{Enc(Decided(s, link))}</p>{Summary(s)}", 409);
        var body = new StringBuilder(Summary(s));
        body.Append($"<form method=\"post\" class=\"form\"><p>You are acting as <strong>{Enc(link.UserId)}</strong>.</p>");
        if (link.Action == LinkPurpose.Reject)
            body.Append("<div class=\"field\"><label for=\"text\">Reason (the partner sees it)</label><textarea id=\"text\" name=\"text\" required maxlength=\"2000\"></textarea></div>");
        if (link.Action == LinkPurpose.AskForInformation)
            body.Append("<div class=\"field\"><label for=\"text\">Your question to the partner</label><textarea id=\"text\" name=\"text\" required maxlength=\"2000\"></textarea></div>");
        body.Append($"<button type=\"submit\" class=\"button\">Confirm: {Enc(MdfCommandTranslator.Label(link.Action))}</button></form>");
        return Page(MdfCommandTranslator.Label(link.Action), body.ToString());
    }

    private static async Task<ContentHttpResult> Act(string token, HttpRequest request, LinkTokens tokens, WorkflowEngine engine, DealService deals, TimeProvider clock, CancellationToken ct)
    {
        var (subject, refused) = await OpenAsync(token, tokens, engine, ct);
        if (subject is null) return refused!;
        var link = subject.Link;
        var form = request.HasFormContentType ? await request.ReadFormAsync(ct) : FormCollection.Empty;
        var by = new Actor(link.UserId, null, request.HttpContext.Connection.RemoteIpAddress?.ToString(), Shorten(request.Headers.UserAgent.ToString()));
        var text = form["text"].ToString();
        DealEvent e = link.Action switch
        {
            LinkPurpose.Approve => new ApproveDeal(link.Step, by),
            LinkPurpose.Reject => new RejectDeal(link.Step, text, by),
            LinkPurpose.AskForInformation => new AskDealInformation(link.Step, text, by),
            LinkPurpose.ApproveExtension => new DecideProtectionExtension(link.Step, true, by),
            LinkPurpose.RejectExtension => new DecideProtectionExtension(link.Step, false, by),
            _ => new ApproveDeal(-1, by),
        };
        // Checked before the link is used up, so a missing reason does not burn the link.
        var check = DealWorkflow.Apply(subject.State, e, clock.GetUtcNow()).Refusals;
        if (check.Count > 0 && check.All(r => r.Code is "deal.text_missing" or "deal.text_too_long"))
            return Page("Please check", List(check) + "<p>Go back, correct it and confirm again; the link still works.</p>", 400);

        var used = await tokens.ConsumeAsync(token, DealLinkPurposes.Action, ct);
        if (!used.IsValid)
            return used.Failure == TokenFailure.AlreadyUsed
                ? Page("This link was already used", $"<p>Each button works once. {Enc(Decided(subject.State, link))}</p>", 409)
                : Page("This link does not work", "<p>Open the latest email about this registration.</p>", 403);

        var outcome = await deals.ActAsync(subject.VendorId, link.RegistrationId, e, $"link:{subject.Nonce}", ct);
        return !outcome.IsOk ? Page("Not done", List(outcome.Refusals), outcome.Status)
            : outcome.Note is not null ? Page("Nothing changed", $"<p>{Enc(outcome.Note)}.</p><p>The registration is <strong>{Enc(ConflictCheck.Words(outcome.State!.Status))}</strong>.</p>", 409)
            : Page("Done", $"<p>Recorded.</p><p>The registration is now <strong>{Enc(ConflictCheck.Words(outcome.State!.Status))}</strong>.</p>{History(outcome.State.History)}");
    }

    private static string Decided(DealState s, DealActionLink link)
    {
        var decided = s.History.LastOrDefault(h => h.Step == link.Step && !h.By.IsSystem && h.By.PartnerId is null);
        return decided is null ? $"This registration is {ConflictCheck.Words(s.Status)}; this step is no longer waiting for a decision."
            : $"This step was decided: {decided.What} by {decided.By.UserId} at {decided.At:u}.";
    }

    /// <summary>The registration and everything the conflict check found, for the approver only (it names partners).</summary>
    private static string Summary(DealState s)
    {
        var r = s.Registration!;
        var products = string.Join(", ", r.Products.Select(p => s.Rules?.Product(p)?.Name ?? p));
        var evidence = s.Evidence.Count == 0
            ? "<p data-testid=\"no-conflicts\">The conflict check found no other registration, routed lead or won customer like this one.</p>"
            : "<div class=\"table-scroll\"><table class=\"data\" data-testid=\"evidence\"><caption>What the conflict check found</caption><thead><tr><th scope=\"col\">What</th><th scope=\"col\">Partner</th><th scope=\"col\">Customer</th><th scope=\"col\">Match</th><th scope=\"col\">State</th><th scope=\"col\">Same opportunity</th></tr></thead><tbody>"
              + string.Concat(s.Evidence.Select(e => $"<tr><td>{Enc(e.Kind.ToString())} {Enc(e.Id)}</td><td>{Enc(e.PartnerId)}</td><td>{Enc(e.CompanyName)}</td><td>{Enc(e.Match)}</td><td>{Enc(e.State)}</td><td>{(e.SameOpportunity ? "yes" : "no")}</td></tr>"))
              + "</tbody></table></div>";
        var extension = s.Extension is { Approved: null } x ? $"<dt>Extension asked</dt><dd>{s.Rules!.ExtensionDays} more days: {Enc(x.Reason)}</dd>" : "";
        return $"""
            <section class="card"><h2>Registration {Enc(s.RegistrationId)} from {Enc(s.Partner?.Name ?? s.PartnerId)} ({Enc(s.PartnerId)})</h2><dl>
            <dt>Customer</dt><dd>{Enc(r.Customer.CompanyName)} ({Enc(r.Customer.Country)}){(r.Domains.Count > 0 ? ", " + Enc(string.Join(", ", r.Domains)) : "")}{(r.IsRenewal ? ", a renewal" : "")}</dd>
            <dt>Contact</dt><dd>{Enc(r.Contact.Name)}, {Enc(r.Contact.Email)}</dd>
            <dt>Products</dt><dd>{Enc(products)}</dd>
            <dt>Estimated value</dt><dd>{Enc(r.EstimatedValue.ToString())}, expected to close {r.ExpectedClose:yyyy-MM-dd}</dd>
            <dt>Found through</dt><dd>{Enc(r.Origin.Via.ToString())} {Enc(r.Origin.LaunchId ?? r.Origin.LeadId)}</dd>
            <dt>Status</dt><dd>{Enc(ConflictCheck.Words(s.Status))}{(s.Question is null ? "" : $": waiting for the partner's answer to \"{Enc(s.Question)}\"")}</dd>
            <dt>Rules</dt><dd>version {s.Rules?.Version}</dd>{extension}
            </dl></section>
            <section class="card"><h2>Conflict evidence</h2>{evidence}</section>
            """;
    }

    private static string List(IEnumerable<Refusal> refusals) => MdfActionEndpoints.List(refusals);

    private static string History(IEnumerable<HistoryEntry> history) => MdfActionEndpoints.History(history);
}
