using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tcma.Domain.Identity;
using Tcma.Storage.Identity;

namespace Tcma.Functions.Identity;

public sealed record CreateApiKeyRequest(string? Name, string[]? Roles);
public sealed record ApiKeyView(string KeyId, string Name, string[] Roles, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt);
/// <summary>The only time the key itself is shown; only its hash is kept.</summary>
public sealed record CreatedApiKey(string KeyId, string Name, string[] Roles, DateTimeOffset CreatedAt, string Key);
public sealed record WhoAmI(string Kind, string VendorId, string Name, string[] Roles, string? PartnerId, string? LinkPurpose);

public static class IdentityEndpoints
{
    public const int MaxKeyNameLength = 100;

    public static void MapApiKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/vendors/{vendorId}/api-keys")
            .RequireAuthorization(Policies.VendorAdmin)
            .RequireVendorScope()
            .WithTags("Identity");
        keys.MapGet("/", ListKeys);
        keys.MapPost("/", CreateKey);
        keys.MapDelete("/{keyId}", RevokeKey);

        app.MapGet("/api/me", (ClaimsPrincipal user) => Me(user)).RequireAuthorization(Policies.VendorUser).WithTags("Identity");
        app.MapGet("/api/partner/me", (ClaimsPrincipal user) => Me(user)).RequireAuthorization(Policies.Partner).WithTags("Identity");
    }

    public static void MapSignIn(this WebApplication app)
    {
        // Signing out is harmless, so anyone may; the antiforgery token still stops other sites from doing it for them.
        app.MapPost("/signout", async Task<Results<RedirectHttpResult, ProblemHttpResult>> (HttpContext http, IAntiforgery antiforgery) =>
        {
            // No form fields are bound here, so nothing would check the token unless we do.
            if (!await antiforgery.IsRequestValidAsync(http))
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form has expired; reload the page and try again.");
            await http.SignOutAsync(Schemes.DevCookie);
            return TypedResults.Redirect("/signin");
        }).AllowAnonymous().DisableAntiforgery();

        if (!app.Environment.IsDevelopment()) return;
        app.MapPost("/signin/dev", DevSignIn).AllowAnonymous();
    }

    private static async Task<Ok<ApiKeyView[]>> ListKeys(string vendorId, ApiKeyStore store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(vendorId, ct)).Select(View).ToArray());

    private static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateKey(
        string vendorId, CreateApiKeyRequest? request, ClaimsPrincipal user, ApiKeyStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request?.Name?.Trim() ?? "";
        if (name.Length is 0 or > MaxKeyNameLength || name.Any(char.IsControl))
            errors["name"] = [$"Give the key a name of 1-{MaxKeyNameLength} characters."];
        var roles = new List<VendorRole>();
        foreach (var r in request?.Roles ?? [])
        {
            if (Enum.TryParse<VendorRole>(r, ignoreCase: false, out var role) && role.ToString() == r && ApiKeySecret.GrantableRoles.Contains(role)) roles.Add(role);
            else errors["roles"] = [$"Roles must be among {string.Join(", ", ApiKeySecret.GrantableRoles)}."];
        }
        if (roles.Count == 0 && !errors.ContainsKey("roles")) errors["roles"] = ["Grant the key at least one role."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var secret = ApiKeySecret.Create(vendorId);
        var record = new ApiKeyRecord(vendorId, secret.KeyId, name, roles.Distinct().ToList(), secret.Hash, clock.GetUtcNow(),
            user.FindFirst(TcmaClaims.UserId)?.Value ?? "", null, null);
        await store.AddAsync(record, ct);
        return TypedResults.Created($"/api/vendors/{vendorId}/api-keys/{secret.KeyId}",
            new CreatedApiKey(record.KeyId, record.Name, record.Roles.Select(r => r.ToString()).ToArray(), record.CreatedAt, secret.Value));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(
        string vendorId, string keyId, ClaimsPrincipal user, ApiKeyStore store, TimeProvider clock, CancellationToken ct)
    {
        if (!ApiKeySecret.IsKeyId(keyId) || !await store.RevokeAsync(vendorId, keyId, user.FindFirst(TcmaClaims.UserId)?.Value ?? "", clock.GetUtcNow(), ct))
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");
        return TypedResults.NoContent();
    }

    private static Ok<WhoAmI> Me(ClaimsPrincipal user) => TypedResults.Ok(new WhoAmI(
        user.Kind() ?? "", user.VendorId() ?? "", user.DisplayName() ?? "", user.Roles().Select(r => r.ToString()).ToArray(),
        user.PartnerId(), user.FindFirst(TcmaClaims.LinkPurpose)?.Value));

    private static ApiKeyView View(ApiKeyRecord k) =>
        new(k.KeyId, k.Name, k.Roles.Select(r => r.ToString()).ToArray(), k.CreatedAt, k.CreatedBy, k.RevokedAt);

    /// <summary>Development only: become a demo vendor user with one role, without a password.</summary>
    private static async Task<Results<RedirectHttpResult, ValidationProblem>> DevSignIn(HttpContext http, [FromForm] DevSignInForm form)
    {
        var errors = new Dictionary<string, string[]>();
        var vendor = form.Vendor?.Trim() ?? "";
        var email = form.Email?.Trim() ?? "";
        if (!VendorIds.IsValid(vendor)) errors["vendor"] = ["Vendor ids are 2-40 lowercase letters, digits or hyphens."];
        if (!Enum.TryParse<VendorRole>(form.Role, out var role) || role.ToString() != form.Role) errors["role"] = ["Choose a role."];
        if (email.Length is 0 or > 200 || !email.Contains('@')) errors["email"] = ["Enter an email address."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        var user = TcmaClaims.VendorUser(Schemes.DevCookie, vendor, "dev:" + email.ToLowerInvariant(), email, email, [role]);
        await http.SignInAsync(Schemes.DevCookie, user);
        return TypedResults.Redirect(IsLocal(form.ReturnUrl) ? form.ReturnUrl! : "/console");
    }

    /// <summary>Only same-site paths: an open redirect would let a phishing link bounce through our sign-in.</summary>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) && !url.Any(char.IsControl);
}

public sealed class DevSignInForm
{
    public string? Vendor { get; set; }
    public string? Email { get; set; }
    public string? Role { get; set; }
    public string? ReturnUrl { get; set; }
}
