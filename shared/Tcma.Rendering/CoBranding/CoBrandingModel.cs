using System.Collections.Concurrent;
using Tcma.Domain.Rendering;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;

namespace Tcma.Rendering.CoBranding;

/// <summary>
/// What a co-branded asset may say about the partner and the launch, as the Liquid model templates see it. The
/// same flat inputs feed the render key and the model, so a cached render always matches what would be drawn now.
/// </summary>
public static class CoBrandingModel
{
    public static IReadOnlyDictionary<string, object?> Partner(BrandProfile brand)
    {
        // The renderer's logo rule, for markup: what to put behind the logo where a template places it on the brand
        // colour or on white. The colour itself when the logo stands out from it, else the plate the renderer would draw.
        var logo = LogoInspector.AverageColour(brand.Logo);
        var onPrimary = LogoPlate.For(logo, brand.PrimaryColour) ?? brand.PrimaryColour;
        var onWhite = LogoPlate.For(logo, Colour.White) ?? Colour.White;
        return new Dictionary<string, object?>
        {
            ["company_name"] = brand.CompanyName,
            ["tagline"] = brand.Tagline ?? "",
            ["disclaimer"] = brand.Disclaimer ?? "",
            ["contact_person"] = brand.Contact.Person,
            ["phone"] = brand.Contact.PhoneForDisplay,
            ["phone_e164"] = brand.Contact.PhoneE164,
            ["email"] = brand.Contact.Email,
            ["website"] = brand.Contact.Website,
            ["address"] = string.Join(", ", brand.Contact.Address.Lines()),
            ["address_lines"] = brand.Contact.Address.Lines().ToList(),
            ["primary_colour"] = brand.PrimaryColour.ToString(),
            ["secondary_colour"] = brand.SecondaryColour.ToString(),
            ["logo_plate_on_primary"] = onPrimary.ToString(),
            ["logo_plate_on_white"] = onWhite.ToString(),
            ["social"] = brand.SocialHandles.ToDictionary(kv => kv.Key, kv => (object?)kv.Value),
        };
    }

    /// <summary>
    /// The model for one partner: <c>partner.*</c> from the brand profile, everything else from dotted inputs
    /// such as <c>vendor.name</c>, <c>campaign.headline</c> or <c>links.landing_page</c>.
    /// </summary>
    public static LiquidModel For(BrandProfile brand, IReadOnlyDictionary<string, string> inputs)
    {
        var roots = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        foreach (var (key, value) in inputs)
        {
            var path = key.Split('.');
            if (path.Length < 2 || path[0] == "partner")
                throw new ArgumentException($"input '{key}' must be under vendor, campaign, recipient or links");
            if (!roots.TryGetValue(path[0], out var node)) roots[path[0]] = node = new(StringComparer.Ordinal);
            for (var i = 1; i < path.Length - 1; i++)
            {
                if (!node.TryGetValue(path[i], out var child) || child is not Dictionary<string, object?> next)
                    node[path[i]] = next = new Dictionary<string, object?>(StringComparer.Ordinal);
                node = next;
            }
            node[path[^1]] = value;
        }
        IReadOnlyDictionary<string, object?>? Root(string name) => roots.GetValueOrDefault(name);
        return LiquidModel.Create(Partner(brand), Root("vendor"), Root("campaign"), Root("recipient"), Root("links"));
    }
}

/// <summary>Resolves an image text box's Liquid expression against one partner's model; a Liquid error fails the render, never prints.</summary>
public sealed class LiquidTextResolver(LiquidModel model, RenderOptions options) : ITextResolver
{
    // Text boxes hold short expressions shared by every partner of a kit: parse each once per process.
    private static readonly ConcurrentDictionary<string, LiquidParseResult> Parsed = new(StringComparer.Ordinal);
    private const int MaxCachedExpressions = 10_000;

    public string Resolve(string expression)
    {
        if (Parsed.Count > MaxCachedExpressions) Parsed.Clear();
        var parsed = Parsed.GetOrAdd(expression, e => LiquidTemplate.Parse(e, "text box", LiquidContentKind.Text));
        if (!parsed.Succeeded)
            throw new TextResolutionException(string.Join("; ", parsed.Errors.Select(e => $"column {e.Column}: {e.Message}")));
        var result = parsed.Template!.Render(model, options);
        return result.Succeeded ? result.Text! : throw new TextResolutionException(result.Error!.Message);
    }
}
