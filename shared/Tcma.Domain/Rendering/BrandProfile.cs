namespace Tcma.Domain.Rendering;

/// <summary>What a partner brings to every campaign it launches co-branded.</summary>
public sealed record BrandProfile(
    string CompanyName,
    BrandLogo Logo,
    Colour PrimaryColour,
    Colour SecondaryColour,
    ContactBlock Contact,
    IReadOnlyDictionary<string, string> SocialHandles,
    string? Tagline,
    string? Disclaimer,
    string TimeZone,
    string Language);

/// <summary>The logo as uploaded; <see cref="Sha256"/> identifies it in render keys without hashing the bytes again.</summary>
public sealed record BrandLogo(byte[] Bytes, LogoFormat Format, int Width, int Height, string Sha256);

public enum LogoFormat { Png, Jpeg }

/// <summary>The sender identity CAN-SPAM requires on every commercial message: a real postal address included.</summary>
public sealed record ContactBlock(
    string Person,
    string PhoneE164,
    string Email,
    string Website,
    PostalAddress Address)
{
    /// <summary>The number as people read it (+1 202-555-0143); E.164 is for machines.</summary>
    public string PhoneForDisplay
    {
        get
        {
            var util = PhoneNumbers.PhoneNumberUtil.GetInstance();
            return util.Format(util.Parse(PhoneE164, null), PhoneNumbers.PhoneNumberFormat.INTERNATIONAL);
        }
    }
}

public sealed record PostalAddress(string Street, string City, string? Region, string PostalCode, string CountryCode)
{
    public IEnumerable<string> Lines()
    {
        yield return Street;
        yield return string.Join(" ", new[] { PostalCode, City, Region }.Where(s => !string.IsNullOrWhiteSpace(s)));
        yield return CountryCode;
    }
}

/// <summary>The profile as a partner submits it: every field raw text, checked by <see cref="BrandProfileValidator"/>.</summary>
public sealed record BrandProfileInput
{
    public string? CompanyName { get; init; }
    public byte[]? Logo { get; init; }
    public string? LogoFileName { get; init; }
    public string? PrimaryColour { get; init; }
    public string? SecondaryColour { get; init; }
    public string? ContactPerson { get; init; }
    public string? Phone { get; init; }
    public string? Email { get; init; }
    public string? Website { get; init; }
    public string? Street { get; init; }
    public string? City { get; init; }
    public string? Region { get; init; }
    public string? PostalCode { get; init; }
    public string? CountryCode { get; init; }
    public IReadOnlyDictionary<string, string>? SocialHandles { get; init; }
    public string? Tagline { get; init; }
    public string? Disclaimer { get; init; }
    public string? TimeZone { get; init; }
    public string? Language { get; init; }
}

/// <summary>One problem with one field, worded for the partner who has to fix it.</summary>
public sealed record ValidationProblem(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
