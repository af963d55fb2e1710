using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Tcma.Domain.Leads;

/// <summary>The one place that decides when two spellings are the same person or company.</summary>
public static partial class LeadNormalisation
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private static readonly HashSet<string> Regions = new(Phones.GetSupportedRegions(), StringComparer.Ordinal);

    /// <summary>
    /// Trimmed and case-folded. Plus-addressing is kept: "ana+events@x.com" is a different inbox from "ana@x.com"
    /// as far as the person's consent goes, so they stay different leads.
    /// </summary>
    public static string Email(string email) => email.Trim().ToLowerInvariant();

    public static string Company(string company) => Whitespace().Replace(company.Trim(), " ");

    /// <summary>An ISO 3166-1 alpha-2 code in upper case, or null when it is not a country we know.</summary>
    public static string? Country(string country)
    {
        var code = country.Trim().ToUpperInvariant();
        return code.Length == 2 && Regions.Contains(code) ? code : null;
    }

    /// <summary>The number in E.164 ("+4930123456"), read in the person's country unless it already starts with "+"; null when it is not a valid number.</summary>
    public static string? PhoneE164(string phone, string country)
    {
        try
        {
            var number = Phones.Parse(phone.Trim(), country);
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>Two submissions are the same person for one vendor when their normalised emails are equal.</summary>
    public static string MatchKey(string vendorId, string email) => $"{vendorId}\n{Email(email)}";

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
