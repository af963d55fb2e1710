using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Tcma.Domain.Identity;
using Tcma.Storage.Identity;

namespace Tcma.Functions.Identity;

public static class Schemes
{
    /// <summary>The default: picks one of the others per request.</summary>
    public const string Tcma = "Tcma";
    public const string AppService = "AppService";
    public const string ApiKey = "ApiKey";
    public const string PartnerLink = "PartnerLink";
    /// <summary>The partner portal session cookie; consulted only on partner paths, so it never reaches the console.</summary>
    public const string PartnerSession = "PartnerSession";
    /// <summary>The cookie the Development sign-in page issues; never consulted outside Development.</summary>
    public const string DevCookie = "TcmaDev";
    /// <summary>Nobody: used for the error page, which must render even when signing in is what failed.</summary>
    public const string Nobody = "Nobody";

    public const string ApiKeyHeader = "X-Api-Key";
    /// <summary>Where a partner's link token travels: the <c>t</c> query parameter (emailed links, form actions) or this header.</summary>
    public const string LinkQuery = "t";
    public const string LinkHeader = "X-Tcma-Link";

    internal static string Select(HttpContext context)
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/error")) return Nobody;
        var authorization = request.Headers.Authorization.ToString();
        if (request.Headers.ContainsKey(ApiKeyHeader) || authorization.StartsWith("Bearer " + ApiKeySecret.Prefix, StringComparison.Ordinal))
            return ApiKey;
        if (LinkOf(request) is not null)
            return PartnerLink;
        // Partner paths know only partners; vendor paths never look at the partner cookie. Neither session grants the other anything.
        if (IsPartnerPath(request.Path)) return PartnerSession;
        var services = context.RequestServices;
        if (AppServiceAuthentication.IsTrusted(services.GetRequiredService<IConfiguration>()))
            return AppService;
        return services.GetRequiredService<IHostEnvironment>().IsDevelopment() ? DevCookie : AppService;
    }

    internal static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    /// <summary>The partner's side of the app: the portal pages and the partner APIs.</summary>
    public static bool IsPartnerPath(PathString path) => path.StartsWithSegments("/partner") || path.StartsWithSegments("/api/partner");

    /// <summary>The signed link a request carries, in the query (emailed links, form actions) or the header (the launch page's calls).</summary>
    public static string? LinkOf(HttpRequest request)
    {
        var token = request.Query[LinkQuery].ToString();
        return token.Length > 0 ? token : request.Headers[LinkHeader].ToString() is { Length: > 0 } h ? h : null;
    }

    /// <summary>Only local paths of the partner portal: an open redirect would let a phishing link bounce through our sign-in.</summary>
    public static string PartnerReturnUrl(string? url) =>
        IdentityEndpoints.IsLocal(url) && (url == "/partner" || url!.StartsWith("/partner/", StringComparison.Ordinal) || url.StartsWith("/partner?", StringComparison.Ordinal))
            && !url.StartsWith("/partner/signin", StringComparison.Ordinal)
            ? url : "/partner";

    /// <summary>APIs get a 401 ProblemDetails; pages go to the sign-in page (or, for partner pages, the invalid-link page).</summary>
    internal static Task ChallengeAsync(HttpContext context)
    {
        if (IsApi(context.Request))
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Authentication required").ExecuteAsync(context);
        if (context.Request.Path.StartsWithSegments("/partner"))
            return Redirect(context, LinkOf(context.Request) is not null
                ? "/partner/link-invalid"
                : "/partner/signin?returnUrl=" + UrlEncoder.Default.Encode(context.Request.PathBase + context.Request.Path + context.Request.QueryString));
        return Redirect(context, "/signin?returnUrl=" + UrlEncoder.Default.Encode(context.Request.PathBase + context.Request.Path + context.Request.QueryString));
    }

    internal static Task ForbidAsync(HttpContext context) =>
        IsApi(context.Request)
            ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed").ExecuteAsync(context)
            : Redirect(context, context.Request.Path.StartsWithSegments("/partner") ? "/partner/link-invalid" : "/forbidden");

    private static Task Redirect(HttpContext context, string location)
    {
        context.Response.Redirect(location);
        return Task.CompletedTask;
    }
}

/// <summary>Shared challenge and forbid behaviour for our own schemes.</summary>
public abstract class TcmaAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => Schemes.ChallengeAsync(Context);
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => Schemes.ForbidAsync(Context);
}

public sealed class NobodyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : TcmaAuthenticationHandler(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());
}

/// <summary>
/// App Service Authentication (Entra ID) signs the user in in front of the app and passes the result in
/// <c>X-MS-CLIENT-PRINCIPAL</c>. The platform strips that header from incoming requests, so it can be trusted
/// only when the platform is really there; anywhere else anyone could forge it, and it is ignored.
/// </summary>
public sealed class AppServiceAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IConfiguration configuration, VendorUserStore vendorUsers, IMemoryCache cache)
    : TcmaAuthenticationHandler(options, logger, encoder)
{
    private static readonly TimeSpan MembershipCacheTime = TimeSpan.FromMinutes(1);

    /// <summary>Easy Auth is switched on and the Functions host started us (it alone sets the custom handler port).</summary>
    public static bool IsTrusted(IConfiguration configuration) =>
        string.Equals(configuration["WEBSITE_AUTH_ENABLED"], "true", StringComparison.OrdinalIgnoreCase) &&
        !string.IsNullOrEmpty(configuration["FUNCTIONS_CUSTOMHANDLER_PORT"]);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!IsTrusted(configuration)) return AuthenticateResult.NoResult();
        var header = Request.Headers[AppServicePrincipal.HeaderName].ToString();
        if (header.Length == 0) return AuthenticateResult.NoResult();
        var principal = AppServicePrincipal.TryParse(header);
        if (principal?.ObjectId is not { } objectId) return AuthenticateResult.Fail("unreadable client principal");

        var memberships = await cache.GetOrCreateAsync("vendor-users:" + objectId, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = MembershipCacheTime;
            return await vendorUsers.MembershipsAsync(objectId, Context.RequestAborted);
        }) ?? [];
        // A user in several vendors acts for the first (by id) until a vendor switcher exists.
        var membership = memberships.Where(m => m.Roles.Count > 0).OrderBy(m => m.VendorId, StringComparer.Ordinal).FirstOrDefault();
        if (membership is null) return AuthenticateResult.Fail("signed in but not a member of any vendor");

        var user = TcmaClaims.VendorUser(Scheme.Name, membership.VendorId, objectId, principal.Email ?? membership.Email, principal.Name, membership.Roles);
        return AuthenticateResult.Success(new AuthenticationTicket(user, Scheme.Name));
    }
}

/// <summary>Vendor automation: <c>Authorization: Bearer tcma_...</c> or <c>X-Api-Key: tcma_...</c>.</summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : TcmaAuthenticationHandler(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var value = Request.Headers[Schemes.ApiKeyHeader].ToString();
        if (value.Length == 0)
        {
            var authorization = Request.Headers.Authorization.ToString();
            if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return AuthenticateResult.NoResult();
            value = authorization["Bearer ".Length..].Trim();
        }
        if (!ApiKeySecret.TryParse(value, out var presented)) return AuthenticateResult.Fail("malformed API key");
        var stored = await keys.FindAsync(presented.VendorId, presented.KeyId, Context.RequestAborted);
        if (stored is null || !presented.Matches(stored.Hash)) return AuthenticateResult.Fail("unknown API key");
        if (stored.IsRevoked) return AuthenticateResult.Fail("revoked API key");
        var roles = stored.Roles.Where(ApiKeySecret.GrantableRoles.Contains);
        return AuthenticateResult.Success(new AuthenticationTicket(
            TcmaClaims.ApiKey(Scheme.Name, stored.VendorId, stored.KeyId, stored.Name, roles), Scheme.Name));
    }
}

/// <summary>A partner acting through a signed link: the token's subject is the partner, its vendor the tenant.</summary>
public sealed class PartnerLinkAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IServiceProvider services)
    : TcmaAuthenticationHandler(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var token = Request.Query[Schemes.LinkQuery].ToString();
        if (token.Length == 0) token = Request.Headers[Schemes.LinkHeader].ToString();
        if (token.Length == 0) return Task.FromResult(AuthenticateResult.NoResult());
        LinkTokens tokens;
        try
        {
            tokens = services.GetRequiredService<LinkTokens>();
        }
        catch (OptionsValidationException e)
        {
            // Misconfigured keys must not turn every partner page into a crash loop: the partner is told the link
            // does not work, operations see the reason.
            Logger.LogError(e, "Partner link refused: token signing keys are not configured");
            return Task.FromResult(AuthenticateResult.Fail("token keys not configured"));
        }
        // Any partner purpose may carry a partner in; each endpoint checks the purpose it needs (and consumes single-use ones).
        // Sign-in links and session cookies name no partner, so they are never taken for one.
        var purpose = LinkTokens.PeekPurpose(token);
        if (purpose is not null && TokenPurposes.NotPartnerLinks.Contains(purpose)) return Task.FromResult(AuthenticateResult.NoResult());
        var result = purpose is null ? TokenVerification.Fail(TokenFailure.Malformed) : tokens.Verify(token, purpose);
        return Task.FromResult(result.IsValid
            ? AuthenticateResult.Success(new AuthenticationTicket(TcmaClaims.Partner(Scheme.Name, result.Token!), Scheme.Name))
            : AuthenticateResult.Fail("invalid link"));
    }
}

/// <summary>
/// A partner signed in to the portal: the session cookie names a row, checked with the partner on every request (see
/// <see cref="PartnerSessions"/>). A form or script posting with it must come from our own pages: a request that says it
/// comes from another site is refused, whatever the cookie's SameSite rule let through.
/// </summary>
public sealed class PartnerSessionAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IServiceProvider services)
    : TcmaAuthenticationHandler(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.ContainsKey(PartnerSessions.CookieName)) return AuthenticateResult.NoResult();
        if (!HttpMethods.IsGet(Request.Method) && !HttpMethods.IsHead(Request.Method) && IsCrossSite(Request))
            return AuthenticateResult.Fail("a session request from another site");
        PartnerSessions.Validated validated;
        try
        {
            validated = await services.GetRequiredService<PartnerSessions>().ValidateAsync(Context, Context.RequestAborted);
        }
        catch (OptionsValidationException e)
        {
            Logger.LogError(e, "Partner session refused: token signing keys are not configured");
            return AuthenticateResult.Fail("token keys not configured");
        }
        if (validated.Session is not { } session) return AuthenticateResult.Fail(validated.Refusal ?? "no session");
        return AuthenticateResult.Success(new AuthenticationTicket(
            TcmaClaims.PartnerSession(Scheme.Name, session, validated.Partner!.CompanyName), Scheme.Name));
    }

    internal static bool IsCrossSite(HttpRequest request)
    {
        if (request.Headers["Sec-Fetch-Site"].ToString() is "cross-site") return true;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || origin == "null") return origin == "null";
        return !Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
