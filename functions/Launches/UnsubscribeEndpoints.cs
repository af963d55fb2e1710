using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.Functions.Identity;
using Tcma.Storage.Launches;

using Tcma.Domain.Dashboards;
using Tcma.Functions.Dashboards;

namespace Tcma.Functions.Launches;

/// <summary>
/// The unsubscribe link of every campaign email. GET only shows a confirmation (mail scanners and link previews
/// follow every link, and must not unsubscribe anyone); POST, from the page's form or from the mail client's
/// one-click (RFC 8058: body <c>List-Unsubscribe=One-Click</c>), puts the address on the partner's suppression list.
/// The signed token is the only authority: a tampered, expired or unknown one gets the same neutral page.
/// </summary>
public static class UnsubscribeEndpoints
{
    public static IEndpointRouteBuilder MapUnsubscribe(this IEndpointRouteBuilder app)
    {
        app.MapGet("/u/{token}", Confirm).AllowAnonymous().ExcludeFromDescription();
        // No antiforgery token: one-click POSTs come from mailbox providers, not from our page; the token is the proof.
        app.MapPost("/u/{token}", Unsubscribe).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<ContentHttpResult> Confirm(string token, HttpResponse response, LinkTokens tokens, CampaignSendLog log, CancellationToken ct)
    {
        if (await FindAsync(token, tokens, log, ct) is not { } send) return CampaignMailPages.NotValid(response);
        var body =
            $"<p>Stop emails from <strong>{WebUtility.HtmlEncode(send.FromName)}</strong> to <strong>{WebUtility.HtmlEncode(send.Recipient)}</strong>?</p>" +
            "<form method=\"post\"><button type=\"submit\">Unsubscribe</button></form>";
        return CampaignMailPages.Html(response, CampaignMailPages.Page("Unsubscribe", body));
    }

    /// <summary>Idempotent: a second POST (a double click, the provider retrying) finds the address already listed and says the same.</summary>
    private static async Task<ContentHttpResult> Unsubscribe(
        string token, HttpResponse response, LinkTokens tokens, CampaignSendLog log, SuppressionList suppressions, DashboardService dashboard, TimeProvider clock,
        ILoggerFactory loggers, CancellationToken ct)
    {
        if (await FindAsync(token, tokens, log, ct) is not { } send) return CampaignMailPages.NotValid(response);
        var source = $"launch {send.LaunchId} send {send.SendId}";
        var now = clock.GetUtcNow();
        var added = await suppressions.SuppressAsync(send.VendorId, send.PartnerId, send.Recipient, SuppressionReason.Unsubscribed, source, now, ct);
        // Counted once, at the time this email's unsubscribe was listed: a second POST next month (or after a crash
        // before the count) counts under the same day, so the marker makes it a no-op; an address another email or a
        // bounce listed earlier is not this email's unsubscribe.
        var listed = added ? (source, now) : await suppressions.EntryAsync(send.VendorId, send.PartnerId, send.Recipient, ct);
        if (listed is { } entry && entry.Source == source)
            await dashboard.CountLaunchEventAsync(send.VendorId, send.LaunchId, send.SendId, ActivityKind.Unsubscribed, entry.At, ct);
        loggers.CreateLogger(typeof(UnsubscribeEndpoints)).LogInformation(
            "Unsubscribe from partner {PartnerId} via launch {LaunchId} send {SendId} ({Result})", send.PartnerId, send.LaunchId, send.SendId, added ? "added" : "already listed");
        var body = $"<p>You will not receive more emails from <strong>{WebUtility.HtmlEncode(send.FromName)}</strong> at <strong>{WebUtility.HtmlEncode(send.Recipient)}</strong>.</p>";
        return CampaignMailPages.Html(response, CampaignMailPages.Page("You are unsubscribed", body));
    }

    private static async Task<CampaignSendRecord?> FindAsync(string token, LinkTokens tokens, CampaignSendLog log, CancellationToken ct)
    {
        var verified = tokens.Verify(token, TokenPurposes.Unsubscribe);
        if (!verified.IsValid || !CampaignMailLinks.TryReadUnsubscribeSubject(verified.Token!.Subject, out var launchId, out var sendId)) return null;
        var stored = await log.GetAsync(verified.Token.VendorId, launchId, sendId, ct);
        return stored?.Record is { Recipient.Length: > 0 } record && record.VendorId == verified.Token.VendorId ? record : null;
    }
}
