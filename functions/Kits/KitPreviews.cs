using System.Globalization;
using System.Text;
using SkiaSharp;
using Tcma.Domain.Kits;
using Tcma.Domain.Rendering;
using Tcma.Functions.Rendering;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;

namespace Tcma.Functions.Kits;

/// <summary>
/// The built-in partner every upload is previewed for. Stored as each vendor's partner <see cref="PartnerId"/> on its
/// first upload, so the preview endpoints answer for it. The logo is drawn here, not shipped as a file.
/// </summary>
public static class SamplePartner
{
    public const string PartnerId = "sample-partner";

    private static readonly Lazy<BrandProfile> Built = new(() =>
    {
        var (profile, problems) = BrandProfileValidator.Validate(new BrandProfileInput
        {
            CompanyName = "Sample Partner IT", Logo = DrawLogo(), LogoFileName = "logo.png",
            PrimaryColour = "#124E78", SecondaryColour = "#2A9D8F",
            ContactPerson = "Sam Rivera", Phone = "+1 415 555 0100", Email = "sam@sample-partner.example", Website = "https://sample-partner.example",
            Street = "1 Market Street", City = "San Francisco", Region = "CA", PostalCode = "94105", CountryCode = "US",
            Tagline = "Technology that just works.", TimeZone = "America/Los_Angeles", Language = "en-US",
        });
        return profile ?? throw new InvalidOperationException("the sample partner is invalid: " + string.Join("; ", problems.Select(p => $"{p.Field}: {p.Message}")));
    });

    public static BrandProfile Profile => Built.Value;

    /// <summary>A plain geometric mark: no text, so it draws the same on a machine without fonts.</summary>
    private static byte[] DrawLogo()
    {
        using var bitmap = new SKBitmap(new SKImageInfo(480, 160, SKColorType.Rgba8888, SKAlphaType.Premul));
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.Transparent);
            using var primary = new SKPaint { Color = new SKColor(0x12, 0x4E, 0x78), IsAntialias = true };
            using var secondary = new SKPaint { Color = new SKColor(0x2A, 0x9D, 0x8F), IsAntialias = true };
            canvas.DrawCircle(80, 80, 70, primary);
            canvas.DrawCircle(80, 80, 34, secondary);
            canvas.DrawRoundRect(new SKRect(170, 40, 460, 72), 8, 8, primary);
            canvas.DrawRoundRect(new SKRect(170, 92, 380, 120), 8, 8, secondary);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

/// <summary>
/// Renders every image (its first size, and its PDF form if it has one), email, social post and the landing page
/// of a kit for the sample partner, from the uploaded files in memory: what would fail for a real partner fails the
/// upload before anything is stored.
/// </summary>
public sealed class KitPreviews(ImageRenderer renderer, TimeProvider clock)
{
    private static readonly CultureInfo Culture = CultureInfo.GetCultureInfo("en-US");

    public IReadOnlyList<KitProblem> Check(KitManifest manifest, KitFiles files, CancellationToken ct = default)
    {
        var brand = SamplePartner.Profile;
        // The renderer caches fonts, pictures and drawn layers by version and name: each upload's files are their own version.
        var kit = new InMemoryKitFiles($"upload-{files.Fingerprint()}", files.Files);
        var problems = new List<KitProblem>();
        string Text(string path) => files.Files.TryGetValue(path, out var bytes) ? Encoding.UTF8.GetString(bytes) : "";
        var inputs = new Dictionary<string, string>(RenderService.CampaignInputs(manifest))
        {
            ["recipient.first_name"] = "Alex", ["recipient.last_name"] = "Morgan", ["recipient.company"] = "Example Dental",
            ["recipient.email"] = "alex.morgan@example.com",
            ["links.landing_page"] = "https://example.com/landing-page-preview", ["links.unsubscribe"] = "https://example.com/unsubscribe-preview",
            ["links.logo"] = "https://example.com/logo-preview.png",
        };
        var model = CoBrandingModel.For(brand, inputs);
        RenderOptions Options(LiquidTracking? tracking = null) => new()
        {
            Culture = Culture, TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(brand.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc,
            Now = clock.GetUtcNow(), Tracking = tracking, CancellationToken = ct,
        };
        void Failed(string file, string what, IEnumerable<string> errors) =>
            problems.AddRange(errors.Select(e => new KitProblem(file, $"preview for {SamplePartner.PartnerId}, {what}", e)));
        void RenderFailed(string what, IEnumerable<RenderIssue> errors) =>
            problems.AddRange(errors.Select(e => new KitProblem(e.File, $"preview for {SamplePartner.PartnerId}, {what}, {e.Place}", e.Message)));

        foreach (var image in manifest.Content.Images)
        {
            ImageTemplate template;
            try
            {
                template = TemplateLoader.Load(image.Template, Text(image.Template), kit);
            }
            catch (TemplateLoader.TemplateException e)
            {
                RenderFailed("loading", e.Errors);
                continue;
            }
            var text = new LiquidTextResolver(model, Options());
            var size = template.Sizes[0];
            var png = renderer.Render(template, kit, brand, text, size, template.Formats[0]);
            if (!png.Report.Succeeded || png.Bytes is null) RenderFailed($"{size}", png.Report.Errors);
            if (template.Pdf is not null)
            {
                var pdf = renderer.RenderPdf(template, kit, brand, text);
                if (!pdf.Report.Succeeded || pdf.Bytes is null) RenderFailed("PDF", pdf.Report.Errors);
            }
        }

        foreach (var email in manifest.Content.Emails)
        {
            var (parsed, errors) = LiquidEmail.Parse(email.Id, email.Subject, email.Preheader ?? "", Text(email.Html), Text(email.Text));
            if (parsed is null) continue; // KitChecks reported the parse errors
            var (_, error) = parsed.Render(model, Options(new LiquidTracking("tcma", "email", manifest.Id, email.Id)));
            if (error is not null) Failed(email.Html, $"email '{email.Id}'", [error.ToString()]);
        }

        foreach (var post in manifest.Content.Social)
        {
            var what = $"{post.Network} post '{post.Id}'";
            // Only the rendered text has a length: the partner's name and the tracked links are in it.
            if (Render(post.Text, Text(post.Text), LiquidContentKind.Text, what) is { } rendered &&
                SocialPostLimits.Check(post.Network, rendered).Problem is { } tooLong)
                Failed(post.Text, what, [tooLong]);
        }
        if (manifest.Content.LandingPage is { } page)
        {
            Render(page.Html, Text(page.Html), LiquidContentKind.Html, "landing page");
            Render(KitManifestReader.FileName, page.Form.ConsentText, LiquidContentKind.Text, "consent text");
        }
        return problems;

        string? Render(string file, string source, LiquidContentKind kind, string what)
        {
            var parsed = LiquidTemplate.Parse(source, file, kind);
            if (parsed.Template is null) return null;
            var result = parsed.Template.Render(model, Options());
            if (result.Error is not null) Failed(file, what, [result.Error.ToString()]);
            return result.Text;
        }
    }
}
