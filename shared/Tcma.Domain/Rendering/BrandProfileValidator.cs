using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Tcma.Domain.Rendering;

/// <summary>
/// Checks a submitted brand profile field by field and either builds the <see cref="BrandProfile"/> or lists every
/// problem at once, so a partner fixes the form in one go. Pixel-level logo checks (transparent-only, invisible)
/// need a decoder and live in Tcma.Rendering's LogoInspector.
/// </summary>
public static partial class BrandProfileValidator
{
    public static readonly IReadOnlySet<string> SocialNetworks =
        new HashSet<string>(["linkedin", "x", "facebook", "instagram", "youtube"], StringComparer.Ordinal);

    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();

    public static (BrandProfile? Profile, IReadOnlyList<ValidationProblem> Problems) Validate(BrandProfileInput input, LogoLimits? limits = null)
    {
        limits ??= LogoLimits.Default;
        var problems = new List<ValidationProblem>();
        void Problem(string field, string message) => problems.Add(new(field, message));

        string Required(string field, string? value, int max)
        {
            var v = value?.Trim() ?? "";
            if (v.Length == 0) Problem(field, "is required");
            else if (v.Length > max) Problem(field, $"is {v.Length} characters long; the limit is {max}");
            return v;
        }
        string? Optional(string field, string? value, int max)
        {
            var v = value?.Trim();
            if (string.IsNullOrEmpty(v)) return null;
            if (v.Length > max) Problem(field, $"is {v.Length} characters long; the limit is {max}");
            return v;
        }

        var company = Required("companyName", input.CompanyName, 100);
        var logo = ValidateLogo(input.Logo, input.LogoFileName, limits, problems);
        Colour ColourOf(string field, string? text)
        {
            if (Colour.TryParse(text, out var c, out var error))
            {
                if (c.Value.A != 255) Problem(field, $"'{text}' is partly transparent; brand colours must be opaque (#RRGGBB)");
                return c.Value;
            }
            Problem(field, error);
            return Colour.Black;
        }
        var primary = ColourOf("primaryColour", input.PrimaryColour);
        var secondary = ColourOf("secondaryColour", input.SecondaryColour);

        var person = Required("contact.person", input.ContactPerson, 100);
        var country = (input.CountryCode?.Trim() ?? "").ToUpperInvariant();
        if (!Phones.GetSupportedRegions().Contains(country))
            Problem("address.countryCode", string.IsNullOrEmpty(country) ? "is required (two letters, e.g. US, DE, GR)" : $"'{input.CountryCode}' is not a two-letter country code such as US, DE or GR");
        var phone = NormalisePhone(input.Phone, country, problems);
        var email = ValidateEmail(input.Email, problems);
        var website = ValidateWebsite(input.Website, problems);
        var street = Required("address.street", input.Street, 200);
        var city = Required("address.city", input.City, 100);
        var region = Optional("address.region", input.Region, 100);
        var postal = Required("address.postalCode", input.PostalCode, 20);

        var social = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (network, handle) in input.SocialHandles ?? new Dictionary<string, string>())
        {
            var key = network.Trim().ToLowerInvariant();
            if (!SocialNetworks.Contains(key)) { Problem($"social.{network}", $"is not a network we post to; use one of {string.Join(", ", SocialNetworks.Order())}"); continue; }
            var h = handle.Trim().TrimStart('@');
            if (!HandlePattern().IsMatch(h)) { Problem($"social.{key}", $"'{handle}' is not a handle: letters, digits, '.', '_' or '-', at most 100 characters"); continue; }
            social[key] = h;
        }

        var tagline = Optional("tagline", input.Tagline, 120);
        var disclaimer = Optional("disclaimer", input.Disclaimer, 600);

        var timeZone = input.TimeZone?.Trim() ?? "";
        if (timeZone.Length == 0) Problem("timeZone", "is required (an IANA name such as America/New_York)");
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _)) Problem("timeZone", $"'{timeZone}' is not a time zone; use an IANA name such as Europe/Berlin");

        var language = input.Language?.Trim() ?? "";
        if (language.Length == 0) Problem("language", "is required (a language tag such as en, de-DE, el)");
        else
        {
            try { language = CultureInfo.GetCultureInfo(language, predefinedOnly: true).Name; }
            catch (CultureNotFoundException) { Problem("language", $"'{input.Language}' is not a language tag such as en, de-DE or el"); }
        }

        if (problems.Count > 0) return (null, problems);
        return (new BrandProfile(company, logo!, primary, secondary,
            new ContactBlock(person, phone!, email!, website!, new PostalAddress(street, city, region, postal, country)),
            social, tagline, disclaimer, timeZone, language), problems);
    }

    private static BrandLogo? ValidateLogo(byte[]? bytes, string? fileName, LogoLimits limits, List<ValidationProblem> problems)
    {
        var field = string.IsNullOrWhiteSpace(fileName) ? "logo" : $"logo ({fileName})";
        if (bytes is null || bytes.Length == 0) { problems.Add(new(field, "is required: upload a PNG or JPEG")); return null; }
        if (bytes.Length > limits.MaxBytes)
        {
            problems.Add(new(field, $"is {bytes.Length:N0} bytes; the limit is {limits.MaxBytes:N0} bytes"));
            return null;
        }
        if (!ImageHeader.TryRead(bytes, out var format, out var width, out var height, out var error))
        {
            problems.Add(new(field, error!));
            return null;
        }
        if (width > limits.MaxWidth || height > limits.MaxHeight || (long)width * height > limits.MaxPixels)
        {
            problems.Add(new(field, $"is {width}x{height} pixels; the limit is {limits.MaxWidth}x{limits.MaxHeight} and {limits.MaxPixels:N0} pixels in all"));
            return null;
        }
        if (width < limits.MinSide || height < limits.MinSide)
        {
            problems.Add(new(field, $"is {width}x{height} pixels; it needs at least {limits.MinSide} pixels on each side to print legibly"));
            return null;
        }
        return new BrandLogo(bytes, format, width, height, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private static string? NormalisePhone(string? text, string country, List<ValidationProblem> problems)
    {
        var raw = text?.Trim() ?? "";
        if (raw.Length == 0) { problems.Add(new("contact.phone", "is required")); return null; }
        try
        {
            var number = Phones.Parse(raw, country.Length == 2 ? country : "ZZ");
            if (Phones.IsValidNumber(number)) return Phones.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException) { }
        problems.Add(new("contact.phone", $"'{raw}' is not a phone number{(country.Length == 2 ? $" in {country}" : "")}; write it with its country code, e.g. +1 202 555 0123"));
        return null;
    }

    private static string? ValidateEmail(string? text, List<ValidationProblem> problems)
    {
        var raw = text?.Trim() ?? "";
        if (raw.Length == 0) { problems.Add(new("contact.email", "is required")); return null; }
        // MailAddress accepts display names and local-only domains; a sender address needs exactly name@domain.tld.
        if (raw.Length <= 254 && MailAddress.TryCreate(raw, out var address) && address.Address == raw && address.DisplayName.Length == 0
            && EmailDomainPattern().IsMatch(address.Host))
            return raw;
        problems.Add(new("contact.email", $"'{raw}' is not an email address such as name@example.com"));
        return null;
    }

    private static string? ValidateWebsite(string? text, List<ValidationProblem> problems)
    {
        var raw = text?.Trim() ?? "";
        if (raw.Length == 0) { problems.Add(new("contact.website", "is required")); return null; }
        if (!raw.Contains("://", StringComparison.Ordinal)) raw = "https://" + raw;
        if (Uri.TryCreate(raw, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" && uri.Host.Contains('.') && string.IsNullOrEmpty(uri.UserInfo))
            return uri.ToString();
        problems.Add(new("contact.website", $"'{text}' is not a web address such as https://example.com"));
        return null;
    }

    [GeneratedRegex(@"^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex HandlePattern();

    [GeneratedRegex(@"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")]
    private static partial Regex EmailDomainPattern();
}
