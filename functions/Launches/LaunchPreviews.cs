using System.Globalization;
using System.Text;
using Tcma.Domain.Rendering;
using Tcma.Functions.Kits;
using Tcma.Functions.Rendering;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Launches;

/// <summary>A social post as the partner will publish it, with the network's limit checked on the rendered text.</summary>
public sealed record SocialPreview(string Id, string Network, string Text, string? Problem);

/// <summary>
/// A kit rendered for one partner with that partner's edits: what the launch page previews and what a launch sends.
/// Images go through the same content-addressed render store as <see cref="RenderService"/> (the edits are part of
/// the key), so a launch's assets are the previews the partner saw, drawn once.
/// </summary>
public sealed class LaunchPreviews(ImageRenderer renderer, RenderStore renders, TimeProvider clock)
{
    public static Dictionary<string, string> Inputs(KitVersion kit, IReadOnlyDictionary<string, string> edits, string landingUrl, string logoUrl) =>
        new(RenderService.CampaignInputs(kit.Manifest, edits))
        {
            ["links.landing_page"] = landingUrl,
            ["links.logo"] = logoUrl,
        };

    public RenderOptions Options(BrandProfile brand, LiquidTracking? tracking = null, CancellationToken ct = default) => new()
    {
        Culture = CultureFor(brand.Language),
        TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(brand.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc,
        Now = clock.GetUtcNow(),
        Tracking = tracking,
        CancellationToken = ct,
    };

    /// <summary>The image's first size as PNG (or the key of the stored render), drawn only when these exact inputs were never drawn.</summary>
    public async Task<(byte[]? Bytes, string? Key, IReadOnlyList<string> Errors)> ImageAsync(
        KitVersion kit, BrandProfile brand, IReadOnlyDictionary<string, string> edits, string imageId, CancellationToken ct)
    {
        var (draw, errors) = Prepare(kit, brand, edits, imageId, ct);
        if (draw is null) return (null, null, errors);
        if (await renders.GetAsync(draw.Key, ct) is { } cached) return (cached, draw.Key, []);
        var result = draw.Render();
        if (!result.Report.Succeeded || result.Bytes is null) return (null, null, result.Report.Errors.Select(e => e.ToString()).ToList());
        await renders.PutAsync(draw.Key, result.Bytes, ImageRenderer.ContentTypeOf(draw.Format), ct);
        return (result.Bytes, draw.Key, []);
    }

    /// <summary>
    /// The image drawn for a brand that is not saved yet (the brand page's live preview): never stored, with the render's
    /// report, whose warnings (logo plates, contrast fallbacks) the partner sees before saving.
    /// </summary>
    /// <param name="thumbnailWidth">Set: the image scaled to this width, as a JPEG, for a card or a brand preview.</param>
    public (Tcma.Rendering.Images.RenderResult? Result, IReadOnlyList<string> Errors) Draft(KitVersion kit, BrandProfile brand, string imageId, CancellationToken ct, int? thumbnailWidth = null)
    {
        var (draw, errors) = Prepare(kit, brand, new Dictionary<string, string>(), imageId, ct);
        return draw is null ? (null, errors) : (thumbnailWidth is { } width ? draw.Thumbnail(width) : draw.Render(), []);
    }

    private sealed record Drawing(string Key, ImageFormat Format, Func<Tcma.Rendering.Images.RenderResult> Render, Func<int, Tcma.Rendering.Images.RenderResult> Thumbnail);

    private (Drawing? Drawing, IReadOnlyList<string> Errors) Prepare(KitVersion kit, BrandProfile brand, IReadOnlyDictionary<string, string> edits, string imageId, CancellationToken ct)
    {
        var image = kit.Manifest.Content.Images.FirstOrDefault(i => i.Id == imageId);
        if (image is null) return (null, [$"no image '{imageId}'"]);
        ImageTemplate template;
        try
        {
            template = TemplateLoader.Load(image.Template, Encoding.UTF8.GetString(kit.Files.Read(image.Template) ?? []), kit.Files);
        }
        catch (TemplateLoader.TemplateException e)
        {
            return (null, e.Errors.Select(x => x.ToString()).ToList());
        }
        var inputs = new Dictionary<string, string>(RenderService.CampaignInputs(kit.Manifest, edits));
        var size = template.Sizes[0];
        var format = template.Formats.Contains(ImageFormat.Png) ? ImageFormat.Png : template.Formats[0];
        var key = RenderKey.For(template, kit.Files.Version, brand, inputs, size, format) + "." + format.ToString().ToLowerInvariant();
        LiquidTextResolver Text() => new(CoBrandingModel.For(brand, inputs), Options(brand, ct: ct));
        return (new Drawing(key, format,
            () => renderer.Render(template, kit.Files, brand, Text(), size, format),
            width => renderer.RenderThumbnail(template, kit.Files, brand, Text(), size, width)), []);
    }

    public (LiquidEmail? Email, string? Error) ParseEmail(KitVersion kit, string emailId)
    {
        var email = kit.Manifest.Content.Emails.FirstOrDefault(e => e.Id == emailId);
        if (email is null) return (null, $"no email '{emailId}'");
        var (parsed, errors) = LiquidEmail.Parse(email.Id, email.Subject, email.Preheader ?? "", Text(kit, email.Html), Text(kit, email.Text));
        return parsed is null ? (null, string.Join("; ", errors)) : (parsed, null);
    }

    /// <summary>One email as a sample recipient of the partner would read it.</summary>
    public (RenderedEmail? Email, string? Error) Email(KitVersion kit, BrandProfile brand, IReadOnlyDictionary<string, string> edits, string emailId, string logoUrl)
    {
        var (parsed, error) = ParseEmail(kit, emailId);
        if (parsed is null) return (null, error);
        var inputs = Inputs(kit, edits, "https://example.com/landing-page-preview", logoUrl);
        inputs["recipient.first_name"] = "Alex";
        inputs["recipient.last_name"] = "Morgan";
        inputs["recipient.company"] = "Example Dental";
        inputs["recipient.email"] = "alex.morgan@example.com";
        inputs["links.unsubscribe"] = "https://example.com/unsubscribe-preview";
        var (rendered, renderError) = parsed.Render(CoBrandingModel.For(brand, inputs), Options(brand, new LiquidTracking("tcma", "email", kit.KitId, emailId)));
        return rendered is null ? (null, renderError!.ToString()) : (rendered, null);
    }

    public IReadOnlyList<SocialPreview> Social(KitVersion kit, BrandProfile brand, IReadOnlyDictionary<string, string> edits, string landingUrl, string logoUrl)
    {
        var model = CoBrandingModel.For(brand, Inputs(kit, edits, landingUrl, logoUrl));
        var posts = new List<SocialPreview>();
        foreach (var post in kit.Manifest.Content.Social)
        {
            var parsed = LiquidTemplate.Parse(Text(kit, post.Text), post.Text, LiquidContentKind.Text);
            var result = parsed.Template?.Render(model, Options(brand, new LiquidTracking("tcma", "social", kit.KitId, post.Id)));
            var text = result?.Text ?? "";
            var problem = parsed.Template is null ? string.Join("; ", parsed.Errors) : result!.Succeeded ? SocialPostLimits.Check(post.Network, text).Problem : result.Error!.ToString();
            posts.Add(new SocialPreview(post.Id, post.Network.ToString(), text, problem));
        }
        return posts;
    }

    private static string Text(KitVersion kit, string path) => Encoding.UTF8.GetString(kit.Files.Read(path) ?? []);

    private static CultureInfo CultureFor(string language)
    {
        try
        {
            return CultureInfo.GetCultureInfo(language);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.InvariantCulture;
        }
    }
}
