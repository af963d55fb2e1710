using System.Text;
using System.Text.RegularExpressions;

namespace Tcma.Domain.Kits;

/// <summary>
/// A warning, not an error: an email that shows the partner logo on a background of its own choosing cannot promise
/// the logo will be seen (a navy logo on a navy brand colour disappears). The platform knows each partner's logo and
/// gives templates the colour to put behind it (<c>partner.logo_plate_on_primary</c>, <c>partner.logo_plate_on_white</c>):
/// the same rule the image renderer applies to its logo layers. An email that uses neither gets this warning.
/// </summary>
public static partial class EmailLogoCheck
{
    public const string Variables = "partner.logo_plate_on_primary or partner.logo_plate_on_white";

    public static IReadOnlyList<KitProblem> Warnings(KitManifest manifest, KitFiles files)
    {
        var warnings = new List<KitProblem>();
        foreach (var email in manifest.Content.Emails)
        {
            if (!files.Files.TryGetValue(email.Html, out var bytes)) continue;
            var html = Encoding.UTF8.GetString(bytes);
            if (!LogoLink().IsMatch(html) || PlateVariable().IsMatch(html)) continue;
            warnings.Add(new KitProblem(email.Html, $"email '{email.Id}'",
                "the partner logo is placed without the colour the platform chooses behind it, so a logo that does not stand out " +
                "from the email's background (a dark logo on a dark brand colour) will be invisible for some partners; put it on a " +
                $"background of {{{{ {Variables.Split(" or ")[0]} }}}} (on the brand colour) or {{{{ {Variables.Split(" or ")[1]} }}}} (on white)"));
        }
        return warnings;
    }

    [GeneratedRegex(@"\{\{-?\s*links\.logo\b")]
    private static partial Regex LogoLink();

    [GeneratedRegex(@"partner\.logo_plate_on_(primary|white)\b")]
    private static partial Regex PlateVariable();
}
