using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Domain.Partners;
using Tcma.Storage.Identity;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Identity;

/// <summary>The partner portal's sign-in and session settings (<c>PartnerPortal:*</c>).</summary>
public sealed class PartnerPortalOptions
{
    public const string Section = "PartnerPortal";
    /// <summary>Where emailed sign-in links point. Unset: the address the request came in on.</summary>
    public string? PublicBaseUrl { get; set; }
    /// <summary>A session unused this long ends; every visit pushes the end back, up to <see cref="SessionLifetime"/>.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = PartnerSessionPolicy.Default.IdleTimeout;
    public TimeSpan SessionLifetime { get; set; } = PartnerSessionPolicy.Default.Lifetime;
    public TimeSpan SignInLinkLifetime { get; set; } = TimeSpan.FromMinutes(15);
    /// <summary>How long the choice between several partners stays open after a sign-in link was used.</summary>
    public TimeSpan ChoiceLifetime { get; set; } = TimeSpan.FromMinutes(10);
    public int SignInsPerAddressPerHour { get; set; } = 5;
    public int SignInsPerIpPerHour { get; set; } = 30;

    internal PartnerSessionPolicy Policy => new(SessionIdleTimeout, SessionLifetime, PartnerSessionPolicy.Default.TouchEvery);
}

/// <summary>
/// Partner portal sessions: opened by a sign-in link (or any partner link), held in a cookie that names one row of
/// <see cref="PartnerSessionStore"/> and is signed like every link (so a forged cookie costs no storage read), checked
/// against the row and the partner on every request, slid with use, ended by signing out here or everywhere.
/// </summary>
public sealed class PartnerSessions(
    PartnerSessionStore store, PartnerDirectory partners, LinkTokens tokens, IOptions<PartnerPortalOptions> options,
    TimeProvider clock, ILogger<PartnerSessions> logger)
{
    public const string CookieName = "tcma.partner";

    /// <summary>Link purposes that stand for a partner and so open its portal session; the subject's partner is read by <see cref="PartnerOf"/>.</summary>
    public static readonly IReadOnlySet<string> OpeningPurposes = new HashSet<string>(StringComparer.Ordinal)
    {
        TokenPurposes.Launch, TokenPurposes.Accept, "leads", "mdf", "social",
    };

    /// <summary>The partner a partner link stands for; lead answer links name theirs inside the subject (accept|partner|lead|hop).</summary>
    public static string? PartnerOf(SignedToken link) => link.Purpose switch
    {
        TokenPurposes.Accept => link.Subject.Split('|') is [_, var partner, _, _] ? partner : null,
        _ when OpeningPurposes.Contains(link.Purpose) => link.Subject,
        _ => null,
    };

    public PartnerPortalOptions Options => options.Value;

    /// <summary>Starts a session for the partner and sets its cookie; any session this browser had is ended.</summary>
    public async Task<PartnerSession> StartAsync(HttpContext http, string vendorId, string partnerId, string? email, string via, CancellationToken ct)
    {
        await EndAsync(http, ct);
        var now = clock.GetUtcNow();
        var session = PartnerSessionRules.Start(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)), vendorId, partnerId, email, via, now, Options.Policy);
        await store.AddAsync(session, ct);
        var cookie = tokens.Create(TokenPurposes.Session, partnerId, vendorId, session.ExpiresAt, session.Id);
        http.Response.Cookies.Append(CookieName, cookie, CookieOptions(http, session.ExpiresAt));
        logger.LogInformation("Partner session started for {Partner} of {Vendor} via {Via}", partnerId, vendorId, via);
        return session;
    }

    /// <summary>What the cookie names, if it is ours and unforged (nothing is read from storage).</summary>
    public SignedToken? CookieOf(HttpContext http)
    {
        var value = http.Request.Cookies[CookieName];
        if (string.IsNullOrEmpty(value)) return null;
        var verified = tokens.Verify(value, TokenPurposes.Session);
        return verified.IsValid ? verified.Token : null;
    }

    /// <summary>
    /// The session the cookie names, if it may be used now: the row exists and has not run out, and the partner is still
    /// an active partner listing the signed-in address. A refused session's row is deleted and its cookie cleared.
    /// </summary>
    public sealed record Validated(PartnerSession? Session, Partner? Partner, string? Refusal);

    public async Task<Validated> ValidateAsync(HttpContext http, CancellationToken ct)
    {
        if (CookieOf(http) is not { } cookie)
        {
            if (http.Request.Cookies.ContainsKey(CookieName)) http.Response.Cookies.Delete(CookieName, CookieOptions(http, null));
            return new(null, null, "the cookie is not a valid session");
        }
        var rowTask = store.GetAsync(cookie.VendorId, cookie.Subject, cookie.Nonce, ct);
        var partnerTask = partners.GetAsync(cookie.VendorId, cookie.Subject, ct);
        var (session, etag) = await rowTask;
        var partner = (await partnerTask)?.Partner;
        var now = clock.GetUtcNow();
        var refusal = PartnerSessionRules.Refusal(session, partner, now);
        if (refusal is not null)
        {
            if (session is not null) await store.EndAsync(session.VendorId, session.PartnerId, session.Id, ct);
            http.Response.Cookies.Delete(CookieName, CookieOptions(http, null));
            logger.LogInformation("Partner session of {Partner} of {Vendor} refused: {Reason}", cookie.Subject, cookie.VendorId, refusal);
            return new(null, null, refusal);
        }
        if (PartnerSessionRules.Touched(session!, now, Options.Policy) is { } touched)
        {
            await store.TouchAsync(touched, etag, ct);
            session = touched;
        }
        return new(session, partner, null);
    }

    /// <summary>Ends this browser's session (its row, then its cookie). Harmless without one.</summary>
    public async Task EndAsync(HttpContext http, CancellationToken ct)
    {
        if (CookieOf(http) is { } cookie) await store.EndAsync(cookie.VendorId, cookie.Subject, cookie.Nonce, ct);
        if (http.Request.Cookies.ContainsKey(CookieName)) http.Response.Cookies.Delete(CookieName, CookieOptions(http, null));
    }

    /// <summary>Ends every session of the partner, this browser's included: a lost phone, a shared link, a contact who left.</summary>
    public async Task<int> EndEverywhereAsync(HttpContext http, string vendorId, string partnerId, CancellationToken ct)
    {
        var ended = await store.EndAllAsync(vendorId, partnerId, ct);
        http.Response.Cookies.Delete(CookieName, CookieOptions(http, null));
        logger.LogInformation("Every partner session of {Partner} of {Vendor} ended ({Count})", partnerId, vendorId, ended);
        return ended;
    }

    /// <summary>
    /// A partner page opened through a partner's emailed link: the browser gets (or keeps) that partner's session, so the
    /// partner moves around the portal without signing in. Only for a page GET, only for an active partner.
    /// </summary>
    public async Task OpenFromLinkAsync(HttpContext http, CancellationToken ct)
    {
        var user = http.User;
        if (!HttpMethods.IsGet(http.Request.Method) || user.Identity?.AuthenticationType != Schemes.PartnerLink) return;
        if (!http.Request.Path.StartsWithSegments("/partner") || http.Request.Path.StartsWithSegments("/partner/link-invalid")) return;
        var token = LinkTokens.PeekPurpose(Schemes.LinkOf(http.Request)) is { } purpose && OpeningPurposes.Contains(purpose)
            ? tokens.Verify(Schemes.LinkOf(http.Request), purpose).Token : null;
        if (token is null || PartnerOf(token) is not { } partnerId || !PartnerValidator.IsPartnerId(partnerId)) return;
        if (CookieOf(http) is { } current && current.VendorId == token.VendorId && current.Subject == partnerId
            && (await store.GetAsync(current.VendorId, current.Subject, current.Nonce, ct)).Session is not null)
            return;
        if (await partners.GetAsync(token.VendorId, partnerId, ct) is not { Partner.Status: PartnerStatus.Active }) return;
        await StartAsync(http, token.VendorId, partnerId, email: null, via: "link:" + token.Purpose, ct);
    }

    private static CookieOptions CookieOptions(HttpContext http, DateTimeOffset? expires) => new()
    {
        HttpOnly = true,
        Secure = http.Request.IsHttps,
        // Lax: the cookie rides along when a partner clicks a link in an email, never on another site's POST.
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
