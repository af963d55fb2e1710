using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;

namespace Tcma.Functions.Launches;

/// <summary>
/// The public landing page of a partner's launch: <c>/p/{vendorId}/{partnerId}/{kitId}?launch={launchId}</c>, its form
/// POST, the thank-you page and the partner's logo. Anonymous by design: visitors have no account.
/// </summary>
public static class LandingPageEndpoints
{
    /// <summary>
    /// No script may run on a landing page (a kit's HTML is the vendor's, a visitor's input is anyone's); inline styles
    /// are allowed because kits colour sections with the partner's colours; forms may only post back here.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; font-src 'self' data: https:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplicationBuilder AddLandingPages(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LandingPages>();
        builder.Services.TryAddSingleton<RateLimitStore>();
        builder.Services.AddSingleton<LandingCapture>();
        builder.Services.AddOptions<LandingCaptureOptions>().BindConfiguration(LandingCaptureOptions.Section);
        return builder;
    }

    public static WebApplication MapLandingPages(this WebApplication app)
    {
        var pages = app.MapGroup("/p/{vendorId}/{partnerId}/{kitId}").AllowAnonymous().WithTags("Landing pages").ExcludeFromDescription();
        pages.MapGet("/", Show);
        pages.MapPost("/", Submit).DisableAntiforgery();
        pages.MapGet("/thanks", Thanks);
        pages.MapGet("/logo", Logo);
        return app;
    }

    private static async Task<RazorComponentResult<LandingPageView>> Show(
        string vendorId, string partnerId, string kitId, string? launch, HttpContext http, LandingPages pages, CancellationToken ct)
    {
        var page = await pages.FindAsync(vendorId, partnerId, kitId, LandingCapture.LaunchId(launch), ct);
        return View(http, page is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK, new()
        {
            Page = page,
            Launch = LandingCapture.LaunchId(launch),
            SubmissionId = Guid.NewGuid().ToString("N"),
            Values = page is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["country"] = page.PartnerCountry ?? "" },
        });
    }

    /// <summary>Post, redirect, get: a refresh of the thank-you page never sends the form again.</summary>
    private static async Task<Results<RedirectHttpResult, RazorComponentResult<LandingPageView>>> Submit(
        string vendorId, string partnerId, string kitId, HttpContext http, LandingPages pages, LandingCapture capture, CancellationToken ct)
    {
        var launch = LandingCapture.LaunchId(http.Request.Query[LandingCapture.LaunchField]);
        var page = await pages.FindAsync(vendorId, partnerId, kitId, launch, ct);
        if (page is null)
            return View(http, StatusCodes.Status404NotFound, new());
        switch (await capture.SubmitAsync(http.Request, page, launch, ct))
        {
            case LandingCaptureOutcome.Captured:
                return TypedResults.Redirect(page.Path + "/thanks" + (launch is null ? "" : $"?launch={Uri.EscapeDataString(launch)}"));
            case LandingCaptureOutcome.Invalid invalid:
                return View(http, StatusCodes.Status400BadRequest, new() { Page = page, Launch = launch, SubmissionId = invalid.SubmissionId, Values = invalid.Values, Errors = invalid.Errors });
            case LandingCaptureOutcome.Limited limited:
                var seconds = Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return View(http, StatusCodes.Status429TooManyRequests, new() { Page = page, Launch = launch, Message = $"Too many requests. Please try again in {seconds} seconds." });
            case LandingCaptureOutcome.Refused refused:
                return View(http, refused.StatusCode, new() { Page = page, Launch = launch, Message = refused.Message });
            default:
                throw new InvalidOperationException("unknown capture outcome");
        }
    }

    private static async Task<RazorComponentResult<LandingPageView>> Thanks(
        string vendorId, string partnerId, string kitId, HttpContext http, LandingPages pages, CancellationToken ct)
    {
        var page = await pages.FindAsync(vendorId, partnerId, kitId, LandingCapture.LaunchId(http.Request.Query[LandingCapture.LaunchField]), ct);
        return View(http, page is null ? StatusCodes.Status404NotFound : StatusCodes.Status200OK, new() { Page = page, Thanked = true });
    }

    private static async Task<Results<FileContentHttpResult, NotFound>> Logo(string vendorId, string partnerId, HttpContext http, LandingPages pages, CancellationToken ct)
    {
        var logo = await pages.LogoAsync(vendorId, partnerId, ct);
        if (logo is null) return TypedResults.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=300";
        return TypedResults.File(logo.Bytes, logo.Format == Tcma.Domain.Rendering.LogoFormat.Png ? "image/png" : "image/jpeg",
            entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{logo.Sha256}\""));
    }

    private static RazorComponentResult<LandingPageView> View(HttpContext http, int status, LandingPageState state)
    {
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        // A page with a visitor's answers in it is never cached by a shared proxy.
        http.Response.Headers.CacheControl = "no-store";
        return new RazorComponentResult<LandingPageView>(new { State = state }) { StatusCode = status };
    }
}

/// <summary>What the landing page view shows: the form (fresh or with errors), a refusal, the thank-you, or "not found" when Page is null.</summary>
public sealed record LandingPageState
{
    public LandingPage? Page { get; init; }
    public string? Launch { get; init; }
    public string SubmissionId { get; init; } = "";
    public IReadOnlyDictionary<string, string> Values { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Errors { get; init; } = new Dictionary<string, string>();
    public string? Message { get; init; }
    public bool Thanked { get; init; }
}
