using System.Globalization;
using System.Text;
using Tcma.Domain.Kits;
using Tcma.Functions.Kits;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Rendering;

/// <summary>One co-branded image or PDF of a kit version for one partner. <c>Size</c> is WIDTHxHEIGHT; omitted, the template's first size.</summary>
public sealed record RenderRequest(string VendorId, string KitId, string Version, string ImageId, string PartnerId, string Format = "png", string? Size = null);

public abstract record RenderOutcome
{
    public sealed record Rendered(byte[] Bytes, string ContentType, string Key, bool FromCache, IReadOnlyList<string> Warnings) : RenderOutcome;
    public sealed record Missing(string What) : RenderOutcome;
    public sealed record Invalid(IReadOnlyList<string> Errors) : RenderOutcome;
}

/// <summary>
/// Renders through the content-addressed cache: the render key covers the template, the kit version, the brand
/// profile and every input, so a key found in storage is served as it is and nothing is drawn again. Only
/// complete renders are stored; a render with any error returns its errors and stores nothing.
/// </summary>
public sealed partial class RenderService(KitVersionFiles kits, BrandProfileStore brands, RenderStore renders, ImageRenderer renderer, TimeProvider clock)
{
    private long performed;

    /// <summary>How many renders actually ran (cache hits excluded): what the cache saves is visible.</summary>
    public long RendersPerformed => Interlocked.Read(ref performed);

    public async Task<RenderOutcome> RenderImageAsync(RenderRequest request, CancellationToken cancellationToken = default)
    {
        var kit = await kits.GetAsync(request.VendorId, request.KitId, request.Version, cancellationToken);
        if (kit is null) return new RenderOutcome.Missing($"kit {request.KitId} version {request.Version}");
        var image = kit.Manifest.Content.Images.FirstOrDefault(i => i.Id == request.ImageId);
        if (image is null) return new RenderOutcome.Missing($"image '{request.ImageId}' in kit {request.KitId} {request.Version}");
        var brand = await brands.GetAsync(request.VendorId, request.PartnerId, cancellationToken);
        if (brand is null) return new RenderOutcome.Missing($"brand profile of partner {request.PartnerId}");

        ImageTemplate template;
        var templateJson = Encoding.UTF8.GetString(kit.Files.Read(image.Template) ?? []);
        try
        {
            template = TemplateLoader.Load(image.Template, templateJson, kit.Files);
        }
        catch (TemplateLoader.TemplateException e)
        {
            return new RenderOutcome.Invalid(e.Errors.Select(x => x.ToString()).ToList());
        }

        var inputs = new Dictionary<string, string>(CampaignInputs(kit.Manifest));
        // A template that reads the clock ("now", "today": a countdown) would be frozen by the cache; its renders
        // see the clock to the hour, and that hour is part of the key, so such an asset is redrawn at most hourly.
        var now = clock.GetUtcNow();
        if (ReadsTheClock().IsMatch(templateJson))
        {
            now = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
            inputs["campaign.rendered_at"] = now.ToString("O", CultureInfo.InvariantCulture);
        }
        bool pdf = request.Format.Equals("pdf", StringComparison.OrdinalIgnoreCase);
        ImageFormat format = default;
        RenderSize size = default;
        if (pdf)
        {
            if (template.Pdf is null) return new RenderOutcome.Invalid([$"{image.Template} has no PDF form"]);
        }
        else
        {
            if (!Enum.TryParse(request.Format, ignoreCase: true, out format) || !Enum.IsDefined(format))
                return new RenderOutcome.Invalid([$"format '{request.Format}' is not one of png, jpeg, webp, pdf"]);
            if (!template.Formats.Contains(format))
                return new RenderOutcome.Invalid([$"{image.Template} does not offer {request.Format}; it offers {string.Join(", ", template.Formats).ToLowerInvariant()}"]);
            size = request.Size is null ? template.Sizes[0] : template.Sizes.FirstOrDefault(s => s.ToString() == request.Size);
            if (size == default)
                return new RenderOutcome.Invalid([$"{image.Template} has no size {request.Size}; it has {string.Join(", ", template.Sizes)}"]);
        }

        var key = pdf
            ? RenderKey.ForPdf(template, kit.Files.Version, brand, inputs) + ".pdf"
            : RenderKey.For(template, kit.Files.Version, brand, inputs, size, format) + "." + format.ToString().ToLowerInvariant();
        var contentType = pdf ? "application/pdf" : ImageRenderer.ContentTypeOf(format);
        if (await renders.GetAsync(key, cancellationToken) is { } cached)
            return new RenderOutcome.Rendered(cached, contentType, key, FromCache: true, []);

        var text = new LiquidTextResolver(CoBrandingModel.For(brand, inputs), new RenderOptions
        {
            Culture = CultureFor(brand.Language),
            TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(brand.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc,
            Now = now,
            CancellationToken = cancellationToken,
        });
        Interlocked.Increment(ref performed);
        var result = pdf ? renderer.RenderPdf(template, kit.Files, brand, text) : renderer.Render(template, kit.Files, brand, text, size, format);
        if (!result.Report.Succeeded || result.Bytes is null)
            return new RenderOutcome.Invalid(result.Report.Errors.Select(e => e.ToString()).ToList());
        await renders.PutAsync(key, result.Bytes, contentType, cancellationToken);
        return new RenderOutcome.Rendered(result.Bytes, contentType, key, FromCache: false, result.Report.Warnings.Select(w => w.ToString()).ToList());
    }

    /// <summary>
    /// One kit email as a sample recipient of this partner would read it: subject, preheader, HTML and text, with
    /// placeholder links. Not cached: a Liquid email renders in well under a millisecond.
    /// </summary>
    public async Task<(RenderedEmail? Email, RenderOutcome? Problem)> RenderEmailPreviewAsync(
        string vendorId, string kitId, string version, string emailId, string partnerId, string logoUrl, CancellationToken cancellationToken = default)
    {
        var kit = await kits.GetAsync(vendorId, kitId, version, cancellationToken);
        if (kit is null) return (null, new RenderOutcome.Missing($"kit {kitId} version {version}"));
        var email = kit.Manifest.Content.Emails.FirstOrDefault(e => e.Id == emailId);
        if (email is null) return (null, new RenderOutcome.Missing($"email '{emailId}' in kit {kitId} {version}"));
        var brand = await brands.GetAsync(vendorId, partnerId, cancellationToken);
        if (brand is null) return (null, new RenderOutcome.Missing($"brand profile of partner {partnerId}"));

        string Text(string path) => Encoding.UTF8.GetString(kit.Files.Read(path) ?? []);
        var (parsed, errors) = LiquidEmail.Parse(email.Id, email.Subject, email.Preheader ?? "", Text(email.Html), Text(email.Text));
        if (parsed is null) return (null, new RenderOutcome.Invalid(errors.Select(e => e.ToString()).ToList()));
        var inputs = new Dictionary<string, string>(CampaignInputs(kit.Manifest))
        {
            ["recipient.first_name"] = "Alex",
            ["recipient.last_name"] = "Morgan",
            ["recipient.company"] = "Example Dental",
            ["recipient.email"] = "alex.morgan@example.com",
            ["links.landing_page"] = "https://example.com/landing-page-preview",
            ["links.unsubscribe"] = "https://example.com/unsubscribe-preview",
            ["links.logo"] = logoUrl,
        };
        var (rendered, error) = parsed.Render(CoBrandingModel.For(brand, inputs), new RenderOptions
        {
            Culture = CultureFor(brand.Language),
            TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(brand.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc,
            Now = clock.GetUtcNow(),
            Tracking = new LiquidTracking("tcma", "email", kit.Manifest.Id, email.Id),
            CancellationToken = cancellationToken,
        });
        return rendered is null ? (null, new RenderOutcome.Invalid([error!.ToString()])) : (rendered, null);
    }

    /// <summary>What a kit says before a partner edits anything: the vendor, the campaign and each editable field's default.</summary>
    public static IReadOnlyDictionary<string, string> CampaignInputs(KitManifest kit, IReadOnlyDictionary<string, string>? edits = null)
    {
        var inputs = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["vendor.name"] = kit.Vendor,
            ["campaign.name"] = kit.Name,
            ["campaign.kit_id"] = kit.Id,
            ["campaign.version"] = kit.Version,
        };
        foreach (var field in kit.Editable)
            inputs[$"campaign.{field.Name}"] = edits?.GetValueOrDefault(field.Name) ?? field.Default ?? "";
        return inputs;
    }

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

    [System.Text.RegularExpressions.GeneratedRegex(@"\\?[""'](now|today)\\?[""']")]
    private static partial System.Text.RegularExpressions.Regex ReadsTheClock();
}
