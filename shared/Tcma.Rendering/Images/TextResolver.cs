using System.Text.RegularExpressions;
using Tcma.Domain.Rendering;

namespace Tcma.Rendering.Images;

/// <summary>Turns a text box's Liquid expression into the text to draw. The Liquid engine plugs in here.</summary>
public interface ITextResolver
{
    /// <summary>Throws <see cref="TextResolutionException"/> when the expression cannot be resolved.</summary>
    string Resolve(string expression);
}

public sealed class TextResolutionException(string message) : Exception(message);

/// <summary>
/// A stand-in for the Liquid engine that only substitutes <c>{{ name }}</c> from a dictionary; an unknown name is an
/// error rather than an empty string, so a typo never ships as a blank headline.
/// </summary>
public sealed partial class PlaceholderTextResolver(IReadOnlyDictionary<string, string> values) : ITextResolver
{
    public IReadOnlyDictionary<string, string> Values { get; } = values;

    public string Resolve(string expression) => Placeholder().Replace(expression, m =>
        Values.TryGetValue(m.Groups[1].Value, out var value)
            ? value
            : throw new TextResolutionException($"'{{{{ {m.Groups[1].Value} }}}}' names nothing known; known names: {string.Join(", ", Values.Keys.Order())}"));

    /// <summary>The partner's profile under <c>partner.*</c> plus campaign inputs under their own names.</summary>
    public static PlaceholderTextResolver For(BrandProfile brand, IReadOnlyDictionary<string, string>? inputs = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["partner.company_name"] = brand.CompanyName,
            ["partner.tagline"] = brand.Tagline ?? "",
            ["partner.disclaimer"] = brand.Disclaimer ?? "",
            ["partner.contact_person"] = brand.Contact.Person,
            ["partner.phone"] = brand.Contact.PhoneForDisplay,
            ["partner.phone_e164"] = brand.Contact.PhoneE164,
            ["partner.email"] = brand.Contact.Email,
            ["partner.website"] = brand.Contact.Website,
            ["partner.address"] = string.Join(", ", brand.Contact.Address.Lines()),
        };
        foreach (var (k, v) in inputs ?? new Dictionary<string, string>()) values[k] = v;
        return new PlaceholderTextResolver(values);
    }

    [GeneratedRegex(@"\{\{\s*([A-Za-z0-9_.]+)\s*\}\}")]
    private static partial Regex Placeholder();
}
