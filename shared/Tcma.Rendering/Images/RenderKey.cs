using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Tcma.Domain.Rendering;

namespace Tcma.Rendering.Images;

/// <summary>
/// The content address of one render: a hash of everything that can change its bytes. Equal keys mean equal bytes,
/// so a stored result is served instead of rendering again. Bump <see cref="RendererVersion"/> whenever a code
/// change alters output, so old cache entries are simply never asked for again.
/// </summary>
public static class RenderKey
{
    public const string RendererVersion = "images-1";

    public static string For(ImageTemplate template, string kitVersion, BrandProfile brand, IReadOnlyDictionary<string, string> inputs, RenderSize size, ImageFormat format) =>
        Hash(template, kitVersion, brand, inputs, $"{size}.{format.ToString().ToLowerInvariant()}|q{(format == ImageFormat.Jpeg ? template.JpegQuality : format == ImageFormat.Webp ? template.WebpQuality : 0)}");

    public static string ForPdf(ImageTemplate template, string kitVersion, BrandProfile brand, IReadOnlyDictionary<string, string> inputs) =>
        Hash(template, kitVersion, brand, inputs, "pdf");

    private static string Hash(ImageTemplate template, string kitVersion, BrandProfile brand, IReadOnlyDictionary<string, string> inputs, string output)
    {
        // A canonical JSON document: fixed property order, sorted dictionaries, the logo by its hash.
        var canonical = JsonSerializer.SerializeToUtf8Bytes(new object[]
        {
            RendererVersion, template.ContentSha256, kitVersion, output,
            Brand(brand),
            inputs.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new[] { p.Key, p.Value }).ToArray(),
        });
        return Convert.ToHexStringLower(SHA256.HashData(canonical));
    }

    /// <summary>
    /// Everything of a brand profile that can change a render, as one hash: renders of an immutable kit version with a
    /// kit's own defaults are named by it (library thumbnails) without loading the kit.
    /// </summary>
    public static string BrandFingerprint(BrandProfile brand) =>
        Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new object[] { RendererVersion, Brand(brand) })))[..32];

    private static object?[] Brand(BrandProfile brand) =>
    [
        brand.CompanyName, brand.Logo.Sha256, brand.PrimaryColour.ToString(), brand.SecondaryColour.ToString(),
        brand.Contact.Person, brand.Contact.PhoneE164, brand.Contact.Email, brand.Contact.Website,
        brand.Contact.Address.Lines().ToArray(), brand.SocialHandles.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new[] { p.Key, p.Value }).ToArray(),
        brand.Tagline, brand.Disclaimer, brand.TimeZone, brand.Language,
    ];

}

/// <summary>Pixel-level checks of a partner logo that need a decoder: the header checks live in the domain validator.</summary>
public static class LogoInspector
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Colour> Averages = new(StringComparer.Ordinal);

    /// <summary>
    /// The logo's average visible colour, as the renderer's plate rule sees it; decoded once per logo per process. A
    /// logo that cannot be decoded counts as black, so an email still gets a plate where a dark logo would need one.
    /// </summary>
    public static Colour AverageColour(BrandLogo logo, LogoLimits? limits = null)
    {
        if (Averages.TryGetValue(logo.Sha256, out var known)) return known;
        limits ??= LogoLimits.Default;
        Colour average;
        try
        {
            using var decoded = DecodedImage.Decode(logo.Bytes, "the logo", limits.MaxBytes, limits.MaxPixels);
            average = decoded.AverageVisible;
        }
        catch (RenderException)
        {
            average = Colour.Black;
        }
        if (Averages.Count > 10_000) Averages.Clear();
        return Averages.GetOrAdd(logo.Sha256, average);
    }

    public static IReadOnlyList<ValidationProblem> Inspect(BrandLogo logo, LogoLimits? limits = null)
    {
        limits ??= LogoLimits.Default;
        try
        {
            using var decoded = DecodedImage.Decode(logo.Bytes, "the logo", limits.MaxBytes, limits.MaxPixels);
            if (decoded.MaxAlpha is > 0 and < 96)
                return [new("logo", $"is near-invisible: its most opaque pixel is {decoded.MaxAlpha * 100 / 255}% opaque")];
            if (decoded.VisibleFraction < 0.01)
                return [new("logo", string.Create(CultureInfo.InvariantCulture, $"is transparent or nearly so: only {decoded.VisibleFraction * 100:0.0}% of its pixels are visible"))];
            return [];
        }
        catch (RenderException e)
        {
            return [new("logo", e.Message.StartsWith("the logo ", StringComparison.Ordinal) ? e.Message["the logo ".Length..] : e.Message)];
        }
    }
}
