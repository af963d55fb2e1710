using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Identity;

/// <summary>
/// The partner portal's session forms: choose a partner after a sign-in link, switch to another partner the same
/// address belongs to, sign out here or everywhere. Each is a POST from our own page with its antiforgery token.
/// </summary>
public static class PartnerSessionEndpoints
{
    public static void MapPartnerSessions(this WebApplication app)
    {
        var group = app.MapGroup("/partner").WithTags("Partner portal").DisableAntiforgery();
        // The choice token proves a sign-in link was used a few minutes ago; nobody is signed in yet.
        group.MapPost("/signin/choose", Choose).AllowAnonymous();
        group.MapPost("/switch/choose", Switch).RequireAuthorization(Policies.Partner);
        // Signing out is harmless, so anyone may; the antiforgery token still stops other sites from doing it for them.
        group.MapPost("/signout", SignOut).AllowAnonymous();
        group.MapPost("/signout/everywhere", SignOutEverywhere).RequireAuthorization(Policies.Partner);
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> Choose(
        HttpContext http, IAntiforgery antiforgery, PartnerSignIn signIn, PartnerSessions sessions, CancellationToken ct)
    {
        if (await FormProblemAsync(http, antiforgery) is { } problem) return problem;
        var form = http.Request.Form;
        var chosen = await signIn.ChosenAsync(form["choice"], form["vendorId"], form["partnerId"], ct);
        if (chosen is null) return TypedResults.Redirect("/partner/signin?expired=1");
        await sessions.StartAsync(http, chosen.VendorId, chosen.PartnerId, chosen.Email, "signin", ct);
        return TypedResults.Redirect(Schemes.PartnerReturnUrl(form["returnUrl"]));
    }

    /// <summary>Only a session that proved its address (a sign-in link) may switch: a launch link proves a partner, not a person.</summary>
    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> Switch(
        HttpContext http, ClaimsPrincipal user, IAntiforgery antiforgery, PartnerSignIn signIn, PartnerSessions sessions, CancellationToken ct)
    {
        if (await FormProblemAsync(http, antiforgery) is { } problem) return problem;
        if (!user.IsPartnerSession() || user.FindFirst(TcmaClaims.Email)?.Value is not { } email)
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Sign in with your email address to switch partners.");
        var form = http.Request.Form;
        var choice = (await signIn.ChoicesAsync(PartnerContactIndex.EmailKey(email), ct))
            .FirstOrDefault(c => c.VendorId == form["vendorId"] && c.PartnerId == form["partnerId"]);
        if (choice is null) return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Your address is not a contact of that partner.");
        await sessions.StartAsync(http, choice.VendorId, choice.PartnerId, choice.Email, "switch", ct);
        return TypedResults.Redirect("/partner");
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> SignOut(HttpContext http, IAntiforgery antiforgery, PartnerSessions sessions, CancellationToken ct)
    {
        if (await FormProblemAsync(http, antiforgery) is { } problem) return problem;
        await sessions.EndAsync(http, ct);
        return TypedResults.Redirect("/partner/signin?signedOut=here");
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> SignOutEverywhere(
        HttpContext http, ClaimsPrincipal user, IAntiforgery antiforgery, PartnerSessions sessions, CancellationToken ct)
    {
        if (await FormProblemAsync(http, antiforgery) is { } problem) return problem;
        await sessions.EndEverywhereAsync(http, user.VendorId()!, user.PartnerId()!, ct);
        return TypedResults.Redirect("/partner/signin?signedOut=everywhere");
    }

    private static async Task<ProblemHttpResult?> FormProblemAsync(HttpContext http, IAntiforgery antiforgery)
    {
        // No form fields are bound by the framework here, so nothing would check the token unless we do.
        if (!http.Request.HasFormContentType || !await antiforgery.IsRequestValidAsync(http))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form has expired; reload the page and try again.");
        return null;
    }
}
