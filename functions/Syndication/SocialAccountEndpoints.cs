using Tcma.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Functions.Identity;
using Tcma.Storage.Syndication;
using Tcma.Syndication;

namespace Tcma.Functions.Syndication;

/// <summary>
/// The partner's side of connecting a social account: start the network's OAuth consent, take the partner back
/// from it, and disconnect. The page that lists the accounts is <c>/partner/social</c> (Web/Pages/Syndication).
/// Every failure lands on <c>/partner/social/problem</c> with a fixed reason code, never with text from the request.
/// </summary>
public static class SocialAccountEndpoints
{
    public static class Problems
    {
        public const string State = "state";
        public const string Denied = "denied";
        public const string Failed = "failed";
        public const string NoPage = "nopage";
        public const string Unavailable = "unavailable";
        public const string Network = "network";
    }

    public static WebApplication MapSocialAccounts(this WebApplication app)
    {
        var social = app.MapGroup("/partner/social").WithTags("Social accounts");
        social.MapGet("/connect/{network}", Connect).RequireAuthorization(Policies.Partner);
        // The network sends the partner back without our link token: the signed, single-use state is the proof.
        social.MapGet("/callback/{network}", CallbackAsync).AllowAnonymous();
        social.MapPost("/disconnect/{network}", DisconnectAsync).RequireAuthorization(Policies.Partner).DisableAntiforgery();
        return app;
    }

    internal static bool MayManageSocial(this System.Security.Claims.ClaimsPrincipal user) =>
        user.IsPartner() && (user.IsPartnerSession() || user.FindFirst(TcmaClaims.LinkPurpose)?.Value is { } purpose && SocialLinks.AcceptedPurposes.Contains(purpose));

    private static string ProblemUrl(string reason, SocialNetwork? network = null, string? token = null) =>
        $"/partner/social/problem?reason={reason}" + (network is { } n ? "&network=" + SocialLinks.Slug(n) : "") + (token is null ? "" : "&t=" + Uri.EscapeDataString(token));

    private static RedirectHttpResult Connect(
        string network, HttpContext context, LinkTokens links, SocialOAuthClient oauth, SocialTokenProtector protector, IOptions<SyndicationOptions> options)
    {
        var user = context.User;
        if (!user.MayManageSocial()) return TypedResults.Redirect("/partner/link-invalid");
        if (!SocialLinks.TryParse(network, out var which)) return TypedResults.Redirect(ProblemUrl(Problems.Network));
        if (!oauth.IsConfigured(which)) return TypedResults.Redirect(ProblemUrl(Problems.Unavailable, which, context.Request.Query[Schemes.LinkQuery]));

        var state = links.Create(SocialLinks.StatePurpose(which), user.PartnerId()!, user.VendorId()!, SocialLinks.StateLifetime);
        string? challenge = null;
        if (SocialOAuthClient.UsesPkce(which))
        {
            // The verifier rides in the state encrypted and bound to it (as ASP.NET Core's own OAuth handler keeps it in
            // its protected state): only this app can read it back, and only for this state.
            var (verifier, pkceChallenge) = SocialOAuthClient.NewPkce();
            challenge = pkceChallenge;
            state += "~" + protector.Protect(verifier, PkceBinding(state));
        }
        return TypedResults.Redirect(oauth.AuthorizationUrl(which, RedirectUri(context, options.Value, which), state, challenge).ToString());
    }

    private static async Task<RedirectHttpResult> CallbackAsync(
        string network, string? code, string? state, string? error, HttpContext context, LinkTokens links, SocialOAuthClient oauth,
        SocialTokenProtector protector, SocialAccountAccess access, SocialAccountStore accounts, IOptions<SyndicationOptions> options,
        TimeProvider clock, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(SocialAccountEndpoints));
        if (!SocialLinks.TryParse(network, out var which)) return TypedResults.Redirect(ProblemUrl(Problems.Network));
        if (string.IsNullOrEmpty(state) || state.Length > 4096) return TypedResults.Redirect(ProblemUrl(Problems.State, which));

        var tilde = state.IndexOf('~');
        var signed = tilde < 0 ? state : state[..tilde];
        var verified = await links.ConsumeAsync(signed, SocialLinks.StatePurpose(which), cancellationToken);
        if (!verified.IsValid)
        {
            logger.LogInformation("Social connect callback for {Network} refused: state {Failure}", which, verified.Failure);
            return TypedResults.Redirect(ProblemUrl(Problems.State, which));
        }
        var (vendorId, partnerId) = (verified.Token!.VendorId, verified.Token.Subject);
        var back = links.Create(SocialLinks.Purpose, partnerId, vendorId, SocialLinks.LinkLifetime);

        if (!string.IsNullOrEmpty(error))
        {
            logger.LogInformation("Partner {Partner} of {Vendor} did not grant {Network}: {Error}", partnerId, vendorId, which, error.Length > 100 ? error[..100] : error);
            return TypedResults.Redirect(ProblemUrl(Problems.Denied, which, back));
        }
        if (string.IsNullOrEmpty(code) || code.Length > 2048) return TypedResults.Redirect(ProblemUrl(Problems.Failed, which, back));

        string? verifier = null;
        if (SocialOAuthClient.UsesPkce(which))
        {
            try
            {
                verifier = tilde < 0 ? throw new SocialTokenException("no verifier") : protector.Unprotect(state[(tilde + 1)..], PkceBinding(signed));
            }
            catch (SocialTokenException)
            {
                return TypedResults.Redirect(ProblemUrl(Problems.State, which));
            }
        }

        var outcome = await oauth.ExchangeAsync(which, code, RedirectUri(context, options.Value, which), verifier, cancellationToken);
        if (outcome is OAuthOutcome.Failed failed)
            return TypedResults.Redirect(ProblemUrl(failed.Code, which, back));
        var grant = ((OAuthOutcome.Granted)outcome).Grant;
        await accounts.ConnectAsync(vendorId, partnerId, access.Protect(grant), clock.GetUtcNow(), cancellationToken);
        logger.LogInformation("Partner {Partner} of {Vendor} connected {Network} account {Account}", partnerId, vendorId, which, grant.AccountId);
        return TypedResults.Redirect(SocialLinks.PageUrl(back) + "&connected=" + SocialLinks.Slug(which));
    }

    private static async Task<RedirectHttpResult> DisconnectAsync(string network, HttpContext context, SocialAccountStore accounts, CancellationToken cancellationToken)
    {
        var user = context.User;
        if (!user.MayManageSocial()) return TypedResults.Redirect("/partner/link-invalid");
        var token = context.Request.Query[Schemes.LinkQuery].ToString();
        if (!SocialLinks.TryParse(network, out var which)) return TypedResults.Redirect(ProblemUrl(Problems.Network, token: token));
        await accounts.DisconnectAsync(user.VendorId()!, user.PartnerId()!, which, cancellationToken);
        // A redirect after the POST: the browser follows with a GET, so a reload does not post the form again.
        return TypedResults.Redirect(SocialLinks.PageUrl(token) + "&disconnected=" + SocialLinks.Slug(which));
    }

    private static string PkceBinding(string signedState) => "oauth-pkce:" + signedState;

    /// <summary>The same URI at both ends of the flow: networks compare it exactly with the registered one.</summary>
    private static Uri RedirectUri(HttpContext context, SyndicationOptions options, SocialNetwork network)
    {
        var origin = options.PublicBaseUrl ?? new Uri($"{context.Request.Scheme}://{context.Request.Host}/");
        return new Uri(origin, $"partner/social/callback/{SocialLinks.Slug(network)}");
    }
}
