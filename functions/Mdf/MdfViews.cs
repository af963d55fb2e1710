using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Storage.Mdf;

namespace Tcma.Functions.Mdf;

public sealed record HistoryView(DateTimeOffset At, string By, string What, string Status, Money? Amount, string? From)
{
    /// <summary>Where an action came from (IP, browser) is for the vendor's audit, not for the partner's page.</summary>
    public static HistoryView Of(HistoryEntry h, bool withOrigin) =>
        new(h.At, h.By.UserId, h.What, h.Status, h.Amount, withOrigin && (h.By.Ip ?? h.By.UserAgent) is not null ? $"{h.By.Ip} {h.By.UserAgent}".Trim() : null);
}

/// <summary>A request as people see it: where it stands, who decides next, what happened so far.</summary>
public sealed record RequestView(
    string Id, string ProgramId, string PartnerId, FundRequestStatus Status, Money? Amount, Proposal? Proposal, int Step, string? WaitingFor,
    IReadOnlyList<string> Approvers, DateOnly? ClaimDeadline, string? ClaimId, string? Question, IReadOnlyList<HistoryView> History)
{
    public static RequestView From(FundRequestState s, bool withOrigin) => new(
        s.RequestId, FundKey.Parse(s.FundId).ProgramId, s.PartnerId, s.Status, s.Amount, s.Proposal, s.Step,
        s.IsOpen && s.Status == FundRequestStatus.PendingApproval ? s.Approval?.Current.Name : null,
        s.Status == FundRequestStatus.PendingApproval ? s.Approval!.Approvers.Select(a => a.UserId).ToList() : [],
        s.EffectiveClaimDeadline, s.ClaimId, s.Question, s.History.Select(h => HistoryView.Of(h, withOrigin)).ToList());
}

public sealed record ClaimView(
    string Id, string? RequestId, string PartnerId, ClaimStatus Status, Money? Amount, string? Reimbursement, IReadOnlyList<string> Proofs,
    int Step, string? WaitingFor, IReadOnlyList<string> Approvers, IReadOnlyList<HistoryView> History)
{
    public static ClaimView From(ClaimState s, bool withOrigin) => new(
        s.ClaimId, s.RequestId, s.PartnerId, s.Status, s.Amount, s.Reimbursement?.Explanation, s.Submission?.Proofs.Select(p => p.Name).ToList() ?? [],
        s.Step, s.Status == ClaimStatus.PendingApproval ? s.Approval?.Current.Name : null,
        s.Status == ClaimStatus.PendingApproval ? s.Approval!.Approvers.Select(a => a.UserId).ToList() : [],
        s.History.Select(h => HistoryView.Of(h, withOrigin)).ToList());
}

/// <summary>A fund's figures; <see cref="AddsUp"/> is the identity every page shows: money in equals where it is.</summary>
public sealed record FundView(string FundId, string ProgramId, string ProgramName, string Period, string Currency, FundFigures Figures, bool AddsUp)
{
    public static FundView From(MdfProgram program, FundBalance b) =>
        new(b.FundId, program.Id, program.Name, program.Period.ToString(), program.Currency.Code, b.Figures, b.Figures.TotalIn == b.Figures.TotalAccountedFor);
}

public sealed record PartnerMdfView(IReadOnlyList<FundView> Funds, IReadOnlyList<RequestView> Requests, IReadOnlyList<ClaimView> Claims);

public static class MdfHttp
{
    public static string? UserId(this ClaimsPrincipal user) => user.FindFirst(TcmaClaims.UserId)?.Value;

    public static Actor VendorActor(ClaimsPrincipal user, HttpContext http) =>
        new(user.UserId() ?? "unknown", null, http.Connection.RemoteIpAddress?.ToString(), Shorten(http.Request.Headers.UserAgent.ToString()));

    public static Actor PartnerActor(ClaimsPrincipal user, HttpContext http) =>
        new($"partner:{user.PartnerId()}", user.PartnerId(), http.Connection.RemoteIpAddress?.ToString(), Shorten(http.Request.Headers.UserAgent.ToString()));

    public static string? Shorten(string? s) => string.IsNullOrEmpty(s) ? null : s.Length <= 300 ? s : s[..300];

    public static JsonHttpResult<T> Json<T>(T value, int status = 200) => TypedResults.Json(value, MdfJson.Options, statusCode: status);

    public static ProblemHttpResult Problem(int status, IReadOnlyList<Refusal> refusals, string? title = null) =>
        TypedResults.Problem(statusCode: status, title: title ?? refusals.FirstOrDefault()?.Message ?? "Refused", type: refusals.FirstOrDefault()?.Code,
            extensions: new Dictionary<string, object?> { ["refusals"] = refusals.Select(r => new Dictionary<string, string> { ["code"] = r.Code, ["message"] = r.Message }).ToArray() });

    public static ProblemHttpResult Problem(int status, string code, string message) => Problem(status, [new Refusal(code, message)]);

    /// <summary>Reads a JSON body within a limit; a body that is not JSON of this shape is a 400 that says why.</summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, int maxBytes, JsonSerializerOptions options, CancellationToken ct)
    {
        if (request.HasJsonContentType() is false)
            return (default, Problem(415, "mdf.content_type", "Send application/json."));
        if (request.ContentLength > maxBytes)
            return (default, Problem(413, "mdf.too_large", $"At most {maxBytes / 1024} KiB of JSON."));
        var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > maxBytes) return (default, Problem(413, "mdf.too_large", $"At most {maxBytes / 1024} KiB of JSON."));
            body.Write(buffer, 0, read);
        }
        try
        {
            var value = JsonSerializer.Deserialize<T>(body.ToArray(), options);
            return value is null ? (default, Problem(400, "mdf.bad_json", "The body is empty.")) : (value, null);
        }
        catch (JsonException e)
        {
            return (default, Problem(400, "mdf.bad_json", $"The body is not valid: {e.Message}"));
        }
    }

    /// <summary>A plain page in the site's style, for the approval confirm pages that open from an email.</summary>
    public static ContentHttpResult Page(string title, string body, int status = 200) => TypedResults.Content(
        $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer"><title>{Enc(title)} · Tcma</title><link rel="stylesheet" href="/assets/tcma.css"></head>
        <body><main class="page"><h1>{Enc(title)}</h1>{body}</main></body></html>
        """, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static string Enc(string? s) => WebUtility.HtmlEncode(s ?? "");
}
