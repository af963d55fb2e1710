using System.Net;
using Microsoft.AspNetCore.Http.Features;
using Tcma.Domain.Portal;
using Tcma.Domain.Rendering;
using Tcma.Functions.Kits;
using Tcma.Functions.Launches;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Images;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Portal;

/// <summary>What the brand page shows for the form as it stands: every problem, the renderer's warnings, and two previews.</summary>
public sealed record BrandPreview(
    IReadOnlyDictionary<string, string[]> Problems, IReadOnlyList<string> Warnings, string? Banner, string? BannerKit, string EmailHeader);

public abstract record BrandSave
{
    public sealed record Saved(BrandProfile Profile) : BrandSave;
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Problems) : BrandSave;
    /// <summary>Someone saved the brand since the form was read; nothing was written.</summary>
    public sealed record Changed : BrandSave;
}

/// <summary>
/// The partner's own brand, edited in the portal: the same fields and checks as the vendor's brand-profile API, a live
/// preview drawn by the real renderer (one of the partner's library banners, and an email header applying the emails'
/// logo rule), and a save that only replaces the version the partner was looking at.
/// </summary>
public sealed class BrandEditor(
    BrandProfileStore brands, PartnerDirectory partners, PortalCatalog catalog, KitVersionFiles kitFiles, LaunchPreviews previews,
    TimeProvider clock)
{
    public const long MaxRequestBytes = 6 * 1024 * 1024;

    public static async Task<(IFormCollection? Form, IResult? Problem)> ReadFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType) return (null, TypedResults.Problem(statusCode: 415, title: "Send the brand as multipart/form-data."));
        if (request.ContentLength > MaxRequestBytes) return (null, TypedResults.Problem(statusCode: 413, title: "The brand, logo included, must be under 6 MB."));
        try
        {
            return (await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = MaxRequestBytes }, ct), null);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return (null, TypedResults.Problem(statusCode: e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400, title: "The form could not be read."));
        }
    }

    /// <summary>The form's fields as a profile input; without a new logo file, the logo the partner has.</summary>
    public static async Task<BrandProfileInput> InputAsync(IFormCollection form, BrandProfile? current, CancellationToken ct)
    {
        byte[]? logo = current?.Logo.Bytes;
        var file = form.Files.GetFile("logo");
        if (file is { Length: > 0 })
        {
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes, ct);
            logo = bytes.ToArray();
        }
        string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        return new BrandProfileInput
        {
            CompanyName = Field("companyName"), Logo = logo, LogoFileName = file is { Length: > 0 } ? file.FileName : current is null ? null : current.Logo.Format == LogoFormat.Png ? "logo.png" : "logo.jpg",
            PrimaryColour = Field("primaryColour"), SecondaryColour = Field("secondaryColour"),
            ContactPerson = Field("contactPerson"), Phone = Field("phone"), Email = Field("email"), Website = Field("website"),
            Street = Field("street"), City = Field("city"), Region = Field("region"), PostalCode = Field("postalCode"), CountryCode = Field("countryCode"),
            SocialHandles = current?.SocialHandles, Tagline = Field("tagline"), Disclaimer = current?.Disclaimer, TimeZone = Field("timeZone") ?? current?.TimeZone, Language = Field("language") ?? current?.Language,
        };
    }

    public static BrandProfileInput InputOf(BrandProfile p) => new()
    {
        CompanyName = p.CompanyName, Logo = p.Logo.Bytes, LogoFileName = p.Logo.Format == LogoFormat.Png ? "logo.png" : "logo.jpg",
        PrimaryColour = p.PrimaryColour.ToString(), SecondaryColour = p.SecondaryColour.ToString(),
        ContactPerson = p.Contact.Person, Phone = p.Contact.PhoneE164, Email = p.Contact.Email, Website = p.Contact.Website,
        Street = p.Contact.Address.Street, City = p.Contact.Address.City, Region = p.Contact.Address.Region, PostalCode = p.Contact.Address.PostalCode,
        CountryCode = p.Contact.Address.CountryCode, SocialHandles = p.SocialHandles, Tagline = p.Tagline, Disclaimer = p.Disclaimer,
        TimeZone = p.TimeZone, Language = p.Language,
    };

    /// <summary>Every problem of the input, the pixel checks of the logo included, keyed by the form's field names.</summary>
    public static (BrandProfile? Profile, IReadOnlyDictionary<string, string[]> Problems) Check(BrandProfileInput input)
    {
        var (profile, problems) = BrandProfileValidator.Validate(input);
        if (profile is not null) problems = LogoInspector.Inspect(profile.Logo);
        return (problems.Count == 0 ? profile : null,
            problems.GroupBy(p => FieldOf(p.Field)).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()));
    }

    /// <summary>The validator names fields as the API does (address.city); the form names them as it posts them (city).</summary>
    public static string FieldOf(string field) => field switch
    {
        "contact.person" => "contactPerson",
        "contact.email" => "email",
        "contact.phone" => "phone",
        "contact.website" => "website",
        _ when field.StartsWith("address.", StringComparison.Ordinal) => field["address.".Length..],
        _ when field.StartsWith("logo", StringComparison.Ordinal) => "logo",
        _ => field,
    };

    /// <summary>
    /// The form as it would look once saved, nothing stored: its problems, and previews drawn with the form's logo,
    /// colours and name (where a field is still wrong, the saved or sample value stands in so the preview still draws).
    /// </summary>
    public async Task<BrandPreview> PreviewAsync(string vendorId, string partnerId, IFormCollection form, CancellationToken ct)
    {
        var current = await brands.GetAsync(vendorId, partnerId, ct);
        return await PreviewAsync(vendorId, partnerId, await InputAsync(form, current, ct), current, ct);
    }

    /// <summary>The preview of what is saved (or of the sample partner's brand while there is none): the page as it first opens.</summary>
    public async Task<BrandPreview> PreviewSavedAsync(string vendorId, string partnerId, BrandProfile? current, CancellationToken ct) =>
        await PreviewAsync(vendorId, partnerId, InputOf(current ?? SamplePartner.Profile), current, ct);

    private async Task<BrandPreview> PreviewAsync(string vendorId, string partnerId, BrandProfileInput input, BrandProfile? current, CancellationToken ct)
    {
        var (_, problems) = Check(input);
        var stand = InputOf(current ?? SamplePartner.Profile);
        bool Ok(string field) => !problems.ContainsKey(field);
        var shown = stand with
        {
            CompanyName = Ok("companyName") ? input.CompanyName : stand.CompanyName,
            PrimaryColour = Ok("primaryColour") ? input.PrimaryColour : stand.PrimaryColour,
            SecondaryColour = Ok("secondaryColour") ? input.SecondaryColour : stand.SecondaryColour,
            Logo = Ok("logo") && input.Logo is not null ? input.Logo : stand.Logo,
            LogoFileName = Ok("logo") && input.Logo is not null ? input.LogoFileName : stand.LogoFileName,
            Tagline = Ok("tagline") ? input.Tagline : stand.Tagline,
        };
        var brand = Check(shown).Profile ?? Check(stand).Profile!;
        var warnings = new List<string>(EmailWarnings(brand));
        var (banner, kitName, bannerWarnings) = await BannerAsync(vendorId, partnerId, brand, ct);
        warnings.AddRange(bannerWarnings);
        return new BrandPreview(problems, warnings, banner, kitName, EmailHeader(brand));
    }

    /// <summary>What the emails' logo rule and the sample emails' white-on-brand-colour buttons will do with this brand.</summary>
    public static IEnumerable<string> EmailWarnings(BrandProfile brand)
    {
        var logo = LogoInspector.AverageColour(brand.Logo);
        if (LogoPlate.For(logo, brand.PrimaryColour) is { } onPrimary)
            yield return $"In email headers filled with your main colour, your logo goes on a {(onPrimary == Colour.White ? "white" : "dark")} plate: " +
                         $"it has only {Contrast.Ratio(logo, brand.PrimaryColour):0.0}:1 contrast with {brand.PrimaryColour} (3:1 is needed to stand out).";
        if (LogoPlate.For(logo, Colour.White) is not null)
            yield return $"On white email headers your logo goes on a dark plate: it has only {Contrast.Ratio(logo, Colour.White):0.0}:1 contrast with white.";
        var onButton = Contrast.Ratio(Colour.White, brand.PrimaryColour);
        if (onButton < Contrast.BodyMinimum)
            yield return $"White text on your main colour {brand.PrimaryColour} (email buttons, landing page banners) has {onButton:0.0}:1 contrast; below 4.5:1 it is hard to read. A darker main colour reads better.";
    }

    private async Task<(string? DataUrl, string? Kit, IReadOnlyList<string> Warnings)> BannerAsync(string vendorId, string partnerId, BrandProfile brand, CancellationToken ct)
    {
        if (await partners.GetAsync(vendorId, partnerId, ct) is not { } partner) return (null, null, []);
        var kit = Library.Visible(await catalog.PublishedAsync(vendorId, ct), partner.Partner, clock.GetUtcNow()).FirstOrDefault(k => k.CardImage is not null);
        if (kit is null || await kitFiles.GetAsync(vendorId, kit.KitId, kit.Version, ct) is not { } files) return (null, null, []);
        var (result, errors) = previews.Draft(files, brand, kit.CardImage!, ct, thumbnailWidth: PartnerPortal.ThumbnailWidth * 2);
        if (result?.Bytes is null)
            return (null, kit.Name, errors.Concat(result?.Report.Errors.Select(e => e.Message) ?? []).Select(e => $"“{kit.Name}” cannot be drawn with this brand: {e}").ToList());
        return ("data:image/jpeg;base64," + Convert.ToBase64String(result.Bytes), kit.Name,
            result.Report.Warnings.Select(w => $"“{kit.Name}” banner: {w.Message}").ToList());
    }

    /// <summary>An email header as the sample emails draw it: the brand colour, the logo on the plate the rule gives it, the sender block.</summary>
    public static string EmailHeader(BrandProfile brand)
    {
        var partner = CoBrandingModel.Partner(brand);
        string E(object? s) => WebUtility.HtmlEncode(s?.ToString() ?? "");
        var logo = $"data:{(brand.Logo.Format == LogoFormat.Png ? "image/png" : "image/jpeg")};base64,{Convert.ToBase64String(brand.Logo.Bytes)}";
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Email header</title></head>" +
               "<body style=\"margin:0;background:#f3f5f8;font-family:Arial,Helvetica,sans-serif;color:#14181f\">" +
               $"<div style=\"padding:20px 24px;background:{E(partner["primary_colour"])}\">" +
               $"<span style=\"display:inline-block;padding:8px 12px;border-radius:6px;background:{E(partner["logo_plate_on_primary"])}\">" +
               $"<img src=\"{logo}\" alt=\"{E(brand.CompanyName)}\" height=\"48\" style=\"display:block;border:0;max-width:100%\"></span></div>" +
               $"<div style=\"padding:16px 24px;background:#ffffff\"><p style=\"margin:0 0 8px\">{E(brand.Tagline ?? brand.CompanyName)}</p>" +
               $"<p style=\"margin:0;font-size:13px;color:#4a5260\">{E(brand.Contact.Person)} · {E(brand.CompanyName)} · {E(brand.Contact.PhoneForDisplay)}<br>{E(partner["address"])}</p></div>" +
               "</body></html>";
    }

    public async Task<BrandSave> SaveAsync(string vendorId, string partnerId, IFormCollection form, CancellationToken ct)
    {
        var (current, version) = await brands.GetVersionedAsync(vendorId, partnerId, ct);
        var sent = form["version"].ToString();
        if ((sent.Length == 0 ? null : sent) != version) return new BrandSave.Changed();
        var (profile, problems) = Check(await InputAsync(form, current, ct));
        if (profile is null) return new BrandSave.Invalid(problems);
        return await brands.SaveIfUnchangedAsync(vendorId, partnerId, profile, version, ct) ? new BrandSave.Saved(profile) : new BrandSave.Changed();
    }
}
