using System.Globalization;
using PhoneNumbers;

namespace Tcma.Domain;

/// <summary>A country as a person picks it from a list: its ISO 3166-1 alpha-2 code and its English name.</summary>
public sealed record Country(string Code, string Name);

/// <summary>
/// The countries forms offer: exactly the codes lead capture and brand profiles accept (those phone numbers are known
/// for), named in English and sorted by name, so a list never offers what a submission would then refuse.
/// </summary>
public static class Countries
{
    private static readonly Lazy<IReadOnlyList<Country>> Built = new(() =>
        PhoneNumberUtil.GetInstance().GetSupportedRegions()
            .Where(c => c.Length == 2 && c.All(char.IsAsciiLetterUpper))
            .Select(c => new Country(c, NameOf(c)))
            .OrderBy(c => c.Name, StringComparer.InvariantCultureIgnoreCase)
            .ToList());

    public static IReadOnlyList<Country> All => Built.Value;

    public static string NameOf(string code)
    {
        try
        {
            return new RegionInfo(code).EnglishName;
        }
        catch (ArgumentException)
        {
            return code;
        }
    }
}
