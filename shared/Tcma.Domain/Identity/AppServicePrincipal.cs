using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Identity;

/// <summary>
/// The identity App Service Authentication (Entra ID) hands to the app in <c>X-MS-CLIENT-PRINCIPAL</c>:
/// Base64 JSON with the provider, the token's claims and which claim types hold the name and roles.
/// </summary>
public sealed record AppServicePrincipal(string AuthenticationType, IReadOnlyList<(string Type, string Value)> Claims, string NameClaimType, string RoleClaimType)
{
    public const string HeaderName = "X-MS-CLIENT-PRINCIPAL";
    public const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";
    private const int MaxHeaderLength = 32 * 1024;

    public string? Find(params string[] types) =>
        types.Select(t => Claims.FirstOrDefault(c => c.Type == t).Value).FirstOrDefault(v => !string.IsNullOrEmpty(v));

    /// <summary>The stable user id: Entra's object id (oid), never the email, which can change or be reassigned.</summary>
    public string? ObjectId => Find(ObjectIdClaim, "oid");
    public string? Email => Find("preferred_username", "email", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "upn");
    public string? Name => Find(NameClaimType, "name");

    public static AppServicePrincipal? TryParse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header) || header.Length > MaxHeaderLength) return null;
        try
        {
            var json = Convert.FromBase64String(header);
            var body = JsonSerializer.Deserialize(json, AppServicePrincipalJson.Default.Body);
            if (body?.AuthType is null || body.Claims is null) return null;
            return new AppServicePrincipal(body.AuthType,
                body.Claims.Where(c => c.Type is not null && c.Value is not null).Select(c => (c.Type!, c.Value!)).ToList(),
                body.NameType ?? "name", body.RoleType ?? "roles");
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public static string Encode(string authType, IEnumerable<(string Type, string Value)> claims) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(
            new Body(authType, claims.Select(c => new ClaimJson(c.Type, c.Value)).ToList(), "name", "roles"), AppServicePrincipalJson.Default.Body)));

    internal sealed record Body(
        [property: JsonPropertyName("auth_typ")] string? AuthType,
        [property: JsonPropertyName("claims")] List<ClaimJson>? Claims,
        [property: JsonPropertyName("name_typ")] string? NameType,
        [property: JsonPropertyName("role_typ")] string? RoleType);

    internal sealed record ClaimJson(
        [property: JsonPropertyName("typ")] string? Type,
        [property: JsonPropertyName("val")] string? Value);
}

[JsonSerializable(typeof(AppServicePrincipal.Body))]
internal sealed partial class AppServicePrincipalJson : JsonSerializerContext;
