using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;

namespace Tcma.FunctionalTests.Identity;

/// <summary>
/// Lists every endpoint of the real app (including those other capabilities add later) and proves that each
/// declares who may call it, that none answers 2xx to a caller without that identity, and that a vendor-scoped
/// endpoint never serves one vendor's data to another vendor.
/// </summary>
public sealed class EndpointAuthorizationTests
{
    private const string Vendor = "acme";
    private const string OtherVendor = "globex";

    private sealed record Call(RouteEndpoint Endpoint, string Method, string? Policy)
    {
        public string Describe(string path) => $"{Method} {path} ({Endpoint.DisplayName}, policy {Policy ?? "anonymous"})";
    }

    private static IReadOnlyList<RouteEndpoint> Endpoints(TcmaAppFactory app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static bool IsAnonymous(Endpoint e) => e.Metadata.GetMetadata<IAllowAnonymous>() is not null;

    private static IReadOnlyList<string> PoliciesOf(Endpoint e) =>
        e.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(no policy)").Distinct().ToList();

    private static IEnumerable<Call> ProtectedCalls(TcmaAppFactory app) =>
        from e in Endpoints(app)
        where !IsAnonymous(e)
        from method in e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]
        select new Call(e, method, PoliciesOf(e).LastOrDefault());

    [Fact]
    public async Task Every_endpoint_declares_a_named_policy_or_allows_anonymous_callers_on_purpose()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var endpoints = Endpoints(app);
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/vendors/{vendorId}/api-keys/");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/console");

        var undeclared = endpoints
            .Where(e => !IsAnonymous(e) && (PoliciesOf(e).Count == 0 || PoliciesOf(e).Any(p => !Policies.All.Contains(p))))
            .Select(e => $"{e.RoutePattern.RawText} ({e.DisplayName}): policies [{string.Join(", ", PoliciesOf(e))}]")
            .ToList();
        Assert.True(undeclared.Count == 0, "endpoints without a named policy or AllowAnonymous:\n" + string.Join("\n", undeclared));

        // A route naming a vendor must check it is the caller's own (RequireVendorScope), or one vendor could read another's.
        var unscoped = endpoints
            .Where(e => !IsAnonymous(e) && e.RoutePattern.GetParameter(VendorScopedMetadata.RouteValue) is not null &&
                        e.Metadata.GetMetadata<VendorScopedMetadata>() is null)
            .Select(e => e.RoutePattern.RawText).ToList();
        Assert.True(unscoped.Count == 0, "routes with {vendorId} but no RequireVendorScope():\n" + string.Join("\n", unscoped));
    }

    [Fact]
    public async Task An_endpoint_that_declares_nothing_is_refused_while_unknown_paths_still_get_404()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = app.Anonymous();
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/no-such-page")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/assets/tcma.css")).StatusCode);

        // The fallback policy itself, evaluated for an endpoint with no authorization metadata.
        var policy = await app.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetFallbackPolicyAsync();
        var http = new DefaultHttpContext { RequestServices = app.Services };
        http.SetEndpoint(new Endpoint(_ => Task.CompletedTask, new EndpointMetadataCollection(), "undeclared"));
        var result = await app.Services.GetRequiredService<IAuthorizationService>().AuthorizeAsync(
            TcmaClaims.VendorUser("test", Vendor, "u", null, null, Enum.GetValues<VendorRole>()), http, policy!);
        Assert.False(result.Succeeded);
    }

    [Fact]
    public async Task No_protected_endpoint_answers_2xx_without_its_identity()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var anonymous = app.Anonymous();
        var byRole = new Dictionary<VendorRole, HttpClient>();
        foreach (var role in Enum.GetValues<VendorRole>()) byRole[role] = await app.SignedInAsync(Vendor, role);
        var apiKey = app.WithApiKey((await app.CreateApiKeyAsync(Vendor, [.. Domain.Identity.ApiKeySecret.GrantableRoles])).Key);
        var partner = app.PartnerLink(Vendor, "partner-1");
        // A partner signed in to the portal (its session opened by one of its links): it reaches partner endpoints only.
        await Portal.PortalSetup.PartnerAsync(app, "partner-1", Portal.PortalSetup.Unique("p1"), vendor: Vendor);
        var partnerSession = await Portal.PortalSetup.SessionByLinkAsync(app, "partner-1", Vendor);

        var failures = new List<string>();
        var checkedCalls = 0;
        foreach (var call in ProtectedCalls(app))
        {
            var path = PathFor(call.Endpoint, Vendor);
            // Callers that must be refused: nobody; and everyone who lacks what the policy names.
            var wrong = new List<(string Who, HttpClient Client, string Path)> { ("anonymous", anonymous, path) };
            if (call.Policy == Policies.Partner)
                wrong.AddRange(byRole.Select(r => ($"vendor user {r.Key}", r.Value, path)).Append(("API key", apiKey, path)));
            else
            {
                wrong.Add(("partner link", anonymous, AppendQuery(path, Schemes.LinkQuery + "=" + Uri.EscapeDataString(partner))));
                wrong.Add(("partner portal session", partnerSession, path));
                if (Policies.RoleOf(call.Policy ?? "") is { } required)
                    wrong.AddRange(byRole.Where(r => r.Key != required).Select(r => ($"vendor user {r.Key}", r.Value, path)));
                if (call.Policy == Policies.VendorAdmin) wrong.Add(("API key", apiKey, path));
            }
            foreach (var (who, client, url) in wrong)
            {
                var response = await client.SendAsync(Request(call.Method, url));
                checkedCalls++;
                if (response.IsSuccessStatusCode) failures.Add($"{call.Describe(url)} answered {(int)response.StatusCode} to {who}");
            }
        }
        Assert.True(checkedCalls > 20, $"only {checkedCalls} calls checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_browser_holding_a_vendor_console_session_and_a_partner_session_is_each_only_where_it_belongs()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await Portal.PortalSetup.PartnerAsync(app, "partner-1", Portal.PortalSetup.Unique("p1"), vendor: Vendor);
        var both = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync("/partner/leads?t=" + Uri.EscapeDataString(app.PartnerLink(Vendor, "partner-1", "leads")))).StatusCode);

        var me = await both.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/me");
        Assert.Equal(ActorKinds.VendorUser, me.GetProperty("kind").GetString());
        Assert.Null(me.GetProperty("partnerId").GetString());
        var partnerMe = await both.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/partner/me");
        Assert.Equal(ActorKinds.Partner, partnerMe.GetProperty("kind").GetString());
        Assert.Empty(partnerMe.GetProperty("roles").EnumerateArray());

        // The console never sees the partner's session, and the portal never sees the vendor's roles.
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync("/console/kits")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync("/partner/library")).StatusCode);
        var console = await both.GetStringAsync("/console");
        Assert.DoesNotContain("partner-1", console);

        // Signing out of one leaves the other exactly as it was.
        var home = await both.GetStringAsync("/partner");
        await both.PostAsync("/partner/signout", Portal.PortalSetup.Form(home, null, []));
        Assert.Equal(HttpStatusCode.Unauthorized, (await both.GetAsync("/api/partner/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await both.GetAsync("/api/me")).StatusCode);
    }

    [Fact]
    public async Task A_vendor_scoped_endpoint_never_serves_another_vendor()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        await app.CreateApiKeyAsync(Vendor, VendorRole.ChannelManager);
        var scoped = ProtectedCalls(app).Where(c => c.Endpoint.Metadata.GetMetadata<VendorScopedMetadata>() is not null).ToList();
        Assert.NotEmpty(scoped);

        var failures = new List<string>();
        foreach (var call in scoped)
        {
            // The other vendor's user holds exactly the role the endpoint asks for: only the vendor differs.
            var role = Policies.RoleOf(call.Policy ?? "") ?? VendorRole.ChannelManager;
            var outsider = await app.SignedInAsync(OtherVendor, role);
            var path = PathFor(call.Endpoint, Vendor);
            var response = await outsider.SendAsync(Request(call.Method, path));
            if (response.StatusCode != HttpStatusCode.NotFound)
                failures.Add($"{call.Describe(path)} answered {(int)response.StatusCode} to {OtherVendor}'s {role}, expected 404");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // The same caller on its own vendor's route is served: the 404 above is the vendor check, not a broken route.
        var own = await app.SignedInAsync(OtherVendor, VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.OK, (await own.GetAsync($"/api/vendors/{OtherVendor}/api-keys")).StatusCode);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method is "GET" or "HEAD" or "DELETE" ? null : new StringContent("{}", Encoding.UTF8, "application/json"),
    };

    private static string AppendQuery(string path, string query) => path + (path.Contains('?') ? "&" : "?") + query;

    /// <summary>A concrete path for a route: the vendor for <c>{vendorId}</c>, a plausible value for anything else.</summary>
    private static string PathFor(RouteEndpoint endpoint, string vendor)
    {
        var segments = endpoint.RoutePattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart { Name: VendorScopedMetadata.RouteValue } => vendor,
            RoutePatternParameterPart p when p.Name.EndsWith("Id", StringComparison.Ordinal) => "0123456789ab",
            RoutePatternParameterPart => "x",
            _ => "",
        })));
        return "/" + string.Join("/", segments);
    }
}
