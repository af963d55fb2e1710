using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Launches;
using Tcma.Functions.Identity;
using Tcma.Storage.Launches;

using Tcma.Domain.Dashboards;
using Tcma.Functions.Dashboards;

namespace Tcma.Functions.Launches;

/// <summary>
/// The redirect behind every tracked link: records the click and sends the browser to the link's URL with the UTM
/// parameters. Never an open redirect: the target is read from the links stored for the send when it went out, found
/// by the signed token; nothing in the request can name another URL, and a tampered token gets a 404 page.
/// </summary>
public static class TrackedLinkEndpoints
{
    public static IEndpointRouteBuilder MapTrackedLinks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/r/{token}", Follow).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<RedirectHttpResult, ContentHttpResult>> Follow(
        string token, HttpResponse response, LinkTokens tokens, ClickTracking clicks, CampaignEngagementStore engagement, DashboardService dashboard, TimeProvider clock,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var verified = tokens.Verify(token, TrackedLinks.TokenPurpose);
        if (!verified.IsValid || !TrackedLinks.TryReadTokenSubject(verified.Token!.Subject, out var sendId, out var index))
            return CampaignMailPages.NotValid(response);
        var link = await clicks.FindAsync(verified.Token.VendorId, sendId, index, ct);
        // Checked again on the way out: a row is only ever written from a trackable URL, and must stay one.
        if (link is null || !TrackedLinks.IsTrackable(link.Url)) return CampaignMailPages.NotValid(response);
        try
        {
            await clicks.RecordClickAsync(link, clock.GetUtcNow(), ct);
            // The audience of later touches: a clicker is a clicker (and an opener) once, however often they click.
            var clicked = await engagement.RecordAsync(link.VendorId, link.LaunchId, link.TouchId, link.SendId, EngagementKind.Clicked, clock.GetUtcNow(), ct);
            // A click is an open too (images blocked, the pixel never loaded): recorded as one, so the open has one first time.
            var opened = await engagement.RecordAsync(link.VendorId, link.LaunchId, link.TouchId, link.SendId, EngagementKind.Opened, clock.GetUtcNow(), ct);
            // Per send, like the engagement store: a reader clicking three links is one clicked email (and an opened one).
            await dashboard.CountLaunchEventAsync(link.VendorId, link.LaunchId, link.SendId, ActivityKind.EmailClicked, clicked, ct);
            await dashboard.CountLaunchEventAsync(link.VendorId, link.LaunchId, link.SendId, ActivityKind.EmailOpened, opened, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The reader wanted the page, not our statistics: a click we could not record still goes through.
            loggers.CreateLogger(typeof(TrackedLinkEndpoints)).LogWarning(e, "Could not record a click on launch {LaunchId} send {SendId}", link.LaunchId, link.SendId);
        }
        CampaignMailPages.NoLeaks(response);
        return TypedResults.Redirect(link.Target);
    }
}
