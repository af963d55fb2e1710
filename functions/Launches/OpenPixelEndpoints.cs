using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Launches;
using Tcma.Functions.Identity;
using Tcma.Storage.Launches;

using Tcma.Domain.Dashboards;
using Tcma.Functions.Dashboards;

namespace Tcma.Functions.Launches;

/// <summary>
/// The open pixel at the end of every campaign email's HTML: always the same transparent GIF, uncached, whatever the
/// token says (a mail client showing a broken image or an error page for a forged or expired token would tell nobody
/// anything useful), and the open recorded once per send when the token is ours.
/// </summary>
/// <remarks>
/// Malformed, tampered, expired or other-purpose tokens: the image, nothing recorded. Repeated loads (the reader opens
/// the email again, a proxy fetches it): one insert that answers 409, nothing new. A storage failure: logged, the image
/// still served. The URL carries a signed token naming the launch, touch and send id (which ends in a hash of the
/// address): nothing personal.
/// </remarks>
public static class OpenPixelEndpoints
{
    public static IEndpointRouteBuilder MapOpenPixel(this IEndpointRouteBuilder app)
    {
        app.MapGet("/o/{token}", OpenedAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<FileContentHttpResult> OpenedAsync(
        string token, HttpResponse response, LinkTokens tokens, CampaignEngagementStore engagement, DashboardService dashboard, TimeProvider clock, ILoggerFactory loggers, CancellationToken ct)
    {
        var verified = tokens.Verify(token, OpenTracking.TokenPurpose);
        if (verified.IsValid && OpenTracking.TryReadTokenSubject(verified.Token!.Subject, out var launchId, out var touchId, out var sendId)
            && LaunchWorkflow.ContactKeyOfSend(sendId) is not null)
        {
            try
            {
                var opened = await engagement.RecordAsync(verified.Token.VendorId, launchId, touchId, sendId, EngagementKind.Opened, clock.GetUtcNow(), ct);
                // Counted even when the open was recorded before (a count that failed then happens now), at the first
                // open's time: the count is named by the send and that time, so it happens once.
                await dashboard.CountLaunchEventAsync(verified.Token.VendorId, launchId, sendId, ActivityKind.EmailOpened, opened, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                loggers.CreateLogger(typeof(OpenPixelEndpoints)).LogWarning(e, "Could not record an open on launch {LaunchId} send {SendId}", launchId, sendId);
            }
        }
        // no-store: a cache in between (a webmail's image proxy) must not answer in our place.
        CampaignMailPages.NoLeaks(response);
        return TypedResults.File(OpenTracking.Pixel.ToArray(), OpenTracking.PixelContentType);
    }
}
