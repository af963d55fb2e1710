using System.Security.Claims;

namespace Tcma.Domain.Identity;

/// <summary>What a vendor user may do. Each vendor grants these per user; a user may hold several.</summary>
public enum VendorRole
{
    VendorAdmin,
    ChannelManager,
    MdfApprover,
    Finance,
}

/// <summary>Who is acting: a vendor's user, a vendor's automation (API key), or a partner holding a signed link.</summary>
public static class ActorKinds
{
    public const string VendorUser = "vendor-user";
    public const string ApiKey = "api-key";
    public const string Partner = "partner";
}

/// <summary>The claim types every scheme produces, so policies and endpoints read one vocabulary.</summary>
public static class TcmaClaims
{
    public const string Kind = "tcma:kind";
    public const string VendorId = "tcma:vendor";
    public const string UserId = "tcma:user";
    public const string Email = "tcma:email";
    public const string Name = "tcma:name";
    public const string PartnerId = "tcma:partner";
    /// <summary>The purpose of the signed link a partner came in through (launch, accept, ...).</summary>
    public const string LinkPurpose = "tcma:purpose";
    public const string ApiKeyId = "tcma:apikey";
    /// <summary>The partner portal session a partner is signed in with (absent for a bare link).</summary>
    public const string SessionId = "tcma:session";
    public const string Role = ClaimTypes.Role;

    public static ClaimsPrincipal VendorUser(string authenticationType, string vendorId, string userId, string? email, string? name, IEnumerable<VendorRole> roles)
    {
        var claims = new List<Claim>
        {
            new(Kind, ActorKinds.VendorUser),
            new(VendorId, vendorId),
            new(UserId, userId),
            new(Name, name ?? email ?? userId),
        };
        if (!string.IsNullOrEmpty(email)) claims.Add(new Claim(Email, email));
        claims.AddRange(roles.Distinct().Select(r => new Claim(Role, r.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, Name, Role));
    }

    public static ClaimsPrincipal ApiKey(string authenticationType, string vendorId, string keyId, string keyName, IEnumerable<VendorRole> roles)
    {
        var claims = new List<Claim>
        {
            new(Kind, ActorKinds.ApiKey),
            new(VendorId, vendorId),
            new(ApiKeyId, keyId),
            new(Name, $"API key {keyName}"),
        };
        claims.AddRange(roles.Distinct().Select(r => new Claim(Role, r.ToString())));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, Name, Role));
    }

    /// <summary>A partner signed in to the portal: the purpose is <see cref="TokenPurposes.Session"/>, which every partner page accepts.</summary>
    public static ClaimsPrincipal PartnerSession(string authenticationType, PartnerSession session, string companyName)
    {
        var claims = new List<Claim>
        {
            new(Kind, ActorKinds.Partner),
            new(VendorId, session.VendorId),
            new(PartnerId, session.PartnerId),
            new(LinkPurpose, TokenPurposes.Session),
            new(SessionId, session.Id),
            new(Name, companyName),
        };
        if (session.Email is { Length: > 0 } email) claims.Add(new Claim(Email, email));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, Name, Role));
    }

    public static ClaimsPrincipal Partner(string authenticationType, SignedToken link) =>
        new(new ClaimsIdentity(
        [
            new Claim(Kind, ActorKinds.Partner),
            new Claim(VendorId, link.VendorId),
            new Claim(PartnerId, link.Subject),
            new Claim(LinkPurpose, link.Purpose),
            new Claim(Name, link.Subject),
        ], authenticationType, Name, Role));
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>A partner signed in to the portal (by a sign-in link, or by any partner link that opened a session).</summary>
    public static bool IsPartnerSession(this ClaimsPrincipal user) => user.IsPartner() && user.FindFirst(TcmaClaims.SessionId) is not null;

    public static string? Kind(this ClaimsPrincipal user) => user.FindFirst(TcmaClaims.Kind)?.Value;
    public static string? VendorId(this ClaimsPrincipal user) => user.FindFirst(TcmaClaims.VendorId)?.Value;
    public static string? PartnerId(this ClaimsPrincipal user) => user.FindFirst(TcmaClaims.PartnerId)?.Value;
    public static string? DisplayName(this ClaimsPrincipal user) => user.FindFirst(TcmaClaims.Name)?.Value;

    public static IReadOnlyList<VendorRole> Roles(this ClaimsPrincipal user) =>
        user.FindAll(TcmaClaims.Role).Select(c => Enum.TryParse<VendorRole>(c.Value, out var r) ? r : (VendorRole?)null)
            .OfType<VendorRole>().Distinct().ToList();

    public static bool IsVendorActor(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.VendorId() is not null &&
        user.Kind() is ActorKinds.VendorUser or ActorKinds.ApiKey;

    public static bool IsPartner(this ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true && user.Kind() == ActorKinds.Partner &&
        user.VendorId() is not null && user.PartnerId() is not null;
}

/// <summary>Vendor ids are tenant keys used in routes, table keys and API keys: short lowercase slugs.</summary>
public static class VendorIds
{
    public static bool IsValid(string? id) =>
        id is { Length: >= 2 and <= 40 } && char.IsAsciiLetterLower(id[0]) &&
        id.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
