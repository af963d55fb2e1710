using System.Globalization;
using System.Text;
using Tcma.Domain.Kits;
using Tcma.Domain.Partners;
using Tcma.Functions.Kits;
using Tcma.Functions.Rendering;
using Tcma.Rendering.CoBranding;
using Tcma.Rendering.Liquid;
using Tcma.Storage;
using Tcma.Storage.Partners;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Launches;

/// <summary>A form field as the landing page shows it; Value is what the visitor typed (kept after an error).</summary>
public sealed record LandingPageField(string Name, string Label, string Type, bool Required, IReadOnlyList<string> Options, int MaxLength)
{
    /// <summary>A country picked from the list of those a lead may have (<see cref="Tcma.Domain.Countries"/>).</summary>
    public const string CountryType = "country";
}

/// <summary>
/// One partner's co-branded landing page for one kit: the kit's page rendered for the partner's brand, cut where the
/// kit asks for the form, and the form with its consent text exactly as the visitor will see it.
/// </summary>
public sealed record LandingPage(
    string VendorId, string PartnerId, string KitId, string Version, string Title, string Language,
    string BrandName, string PrimaryColour, string SecondaryColour, string? Tagline, string ContactLine,
    string BeforeForm, string AfterForm, IReadOnlyList<LandingPageField> Fields, string ConsentText, string SubmitLabel,
    string? PartnerCountry)
{
    public string Path => $"/p/{Uri.EscapeDataString(VendorId)}/{Uri.EscapeDataString(PartnerId)}/{Uri.EscapeDataString(KitId)}";
}

/// <summary>
/// Finds and renders a partner's landing page: the newest published version of the kit that targets this partner
/// today, co-branded with the partner's brand profile. Unknown or inactive partners, kits without a landing page and
/// kits the partner may not use all answer "no page" alike, so the address reveals nothing.
/// </summary>
public sealed class LandingPages(KitIndex index, KitVersionFiles kits, PartnerDirectory partners, BrandProfileStore brands, Tcma.Storage.Launches.LaunchStore launches, TimeProvider clock)
{
    /// <summary>Where a kit's landing page asks for the form (see the sample kits); without it the form follows the page.</summary>
    public const string FormMarker = "<!-- The platform places the kit's lead form here";

    /// <summary>
    /// The page of <paramref name="launchId"/> when it is this partner's launch of this kit and its version is still
    /// published: that version, with the partner's edits. Otherwise (no launch, another partner's, a recalled version)
    /// the newest published version the partner may use, with the kit's default texts.
    /// </summary>
    public async Task<LandingPage?> FindAsync(string vendorId, string partnerId, string kitId, string? launchId, CancellationToken ct)
    {
        if (!TableKeys.IsValid(vendorId) || vendorId.Length > 100 || !PartnerValidator.IsPartnerId(partnerId) || !TableKeys.IsValid(kitId) || kitId.Length > 100)
            return null;
        var partner = await partners.GetAsync(vendorId, partnerId, ct);
        if (partner is null || partner.Partner.Status != PartnerStatus.Active) return null;
        var now = clock.GetUtcNow();
        var published = (await index.ListAsync(vendorId, kitId, ct)).SingleOrDefault(k => k.KitId == kitId)?.Versions
            .Where(v => v.Status == KitStatus.Published && MayUse(v.Targeting, partner.Partner, now))
            .OrderByDescending(v => v.PublishedAt ?? v.UploadedAt)
            .ToList() ?? [];
        var launch = launchId is null ? null : await launches.LaunchAsync(vendorId, launchId, ct);
        if (launch is not null && (launch.PartnerId != partnerId || launch.KitId != kitId)) launch = null;
        var version = published.FirstOrDefault(v => v.Version == launch?.Version) ?? published.FirstOrDefault();
        if (version is null) return null;
        var edits = launch?.Version == version.Version ? launch.Edits : null;
        var kit = await kits.GetAsync(vendorId, kitId, version.Version, ct);
        if (kit?.Manifest.Content.LandingPage is null) return null;
        var brand = await brands.GetAsync(vendorId, partnerId, ct);
        if (brand is null) return null;
        return Build(kit, brand, partner.Partner, edits, now, ct);
    }

    /// <summary>
    /// The page of one kit version for one partner, exactly as visitors get it: what the public page serves and what
    /// the launch page previews (with the partner's edits as typed), so the preview is the page, not a likeness of it.
    /// </summary>
    public static LandingPage? Build(KitVersion kit, Tcma.Domain.Rendering.BrandProfile brand, Partner partner, IReadOnlyDictionary<string, string>? edits, DateTimeOffset now, CancellationToken ct)
    {
        if (kit.Manifest.Content.LandingPage is not { } landing) return null;
        var (vendorId, partnerId, kitId) = (kit.VendorId, partner.Id, kit.KitId);
        var model = CoBrandingModel.For(brand, RenderService.CampaignInputs(kit.Manifest, edits));
        var options = new RenderOptions
        {
            Culture = CultureFor(brand.Language),
            TimeZone = TimeZoneInfo.TryFindSystemTimeZoneById(brand.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc,
            Now = now,
            CancellationToken = ct,
        };
        // The kit passed these renders for the sample partner at upload; a failure here is a bug, not a visitor's problem.
        var html = Render(Encoding.UTF8.GetString(kit.Files.Read(landing.Html) ?? []), landing.Html, LiquidContentKind.Html, model, options);
        var consent = Render(landing.Form.ConsentText, KitManifestReader.FileName, LiquidContentKind.Text, model, options);
        var cut = html.IndexOf(FormMarker, StringComparison.Ordinal);
        var (before, after) = cut < 0 ? (html, "") : (html[..cut], html[(html.IndexOf("-->", cut, StringComparison.Ordinal) is var end and >= 0 ? end + 3 : html.Length)..]);
        var c = brand.Contact;
        return new LandingPage(vendorId, partnerId, kitId, kit.Version, landing.Title, brand.Language,
            brand.CompanyName, brand.PrimaryColour.ToString(), brand.SecondaryColour.ToString(), brand.Tagline,
            string.Join(" · ", new[] { c.Person, c.PhoneForDisplay, c.Email }.Where(s => !string.IsNullOrWhiteSpace(s))),
            before, after, Fields(landing.Form), consent.Trim(), landing.Form.SubmitLabel ?? "Send", partner.Country ?? brand.Contact.Address.CountryCode);
    }

    /// <summary>The partner's logo, served with the page because the page is public and the brand-profile API is not.</summary>
    public async Task<Tcma.Domain.Rendering.BrandLogo?> LogoAsync(string vendorId, string partnerId, CancellationToken ct) =>
        TableKeys.IsValid(vendorId) && PartnerValidator.IsPartnerId(partnerId) && await partners.GetAsync(vendorId, partnerId, ct) is { Partner.Status: PartnerStatus.Active }
            ? (await brands.GetAsync(vendorId, partnerId, ct))?.Logo
            : null;

    /// <summary>The kit's targeting applied to one partner now: every list given must include the partner, the date window must be open.</summary>
    public static bool MayUse(KitTargetingView t, Partner partner, DateTimeOffset now) =>
        (t.Tiers.Count == 0 || t.Tiers.Contains(partner.Tier, StringComparer.OrdinalIgnoreCase))
        && (t.Regions.Count == 0 || t.Regions.Contains(partner.Region, StringComparer.OrdinalIgnoreCase))
        && (t.Specialisations.Count == 0 || partner.Specialisations.Any(s => t.Specialisations.Contains(s, StringComparer.OrdinalIgnoreCase)))
        && (t.PublishFrom is null || now >= t.PublishFrom)
        && (t.ExpiresAt is null || now < t.ExpiresAt);

    /// <summary>The order a person fills in a contact form: who they are, how to reach them, where they work, where they are.</summary>
    private static readonly string[] PersonOrder = ["firstName", "lastName", "email", "phone", "jobTitle", "company", "companySize", "country", "region", "postalCode"];

    /// <summary>
    /// The kit's fields, plus what every lead needs and the kit may not ask for (last name, country), so a submission
    /// can pass validation, in the order a person expects (names together, then contact, company, place; fields the
    /// form does not know keep the kit's order after those). The country is picked from a list. A kit's free-text
    /// "message" is left out: a lead has no field to keep it in, and a form must not collect what is then thrown away.
    /// </summary>
    public static IReadOnlyList<LandingPageField> Fields(LeadForm form)
    {
        var limits = new Tcma.Domain.Leads.SubmissionLimits();
        int Max(string name) => name switch
        {
            "email" => limits.Email, "firstName" or "lastName" => limits.Name, "phone" => limits.Phone, "company" => limits.Company,
            "jobTitle" => limits.JobTitle, "country" => 2, "region" => limits.Region, "postalCode" => limits.PostalCode,
            "companySize" => limits.CompanySize, "productInterest" => limits.ProductInterest, _ => 200,
        };
        string[] needed = ["email", "firstName", "lastName", "country"];
        var fields = form.Fields.Where(f => f.Name != "message")
            .Select(f => new LandingPageField(f.Name, f.Label, f.Name == "country" ? LandingPageField.CountryType : f.Type, f.Required || needed.Contains(f.Name), f.Options ?? [], Max(f.Name)))
            .ToList();
        foreach (var (name, label, type) in new[] { ("email", "Email", "email"), ("firstName", "First name", "text"), ("lastName", "Last name", "text"), ("country", "Country", LandingPageField.CountryType) })
            if (!fields.Any(f => f.Name == name))
                fields.Add(new LandingPageField(name, label, type, true, [], Max(name)));
        int Rank(LandingPageField f) => Array.IndexOf(PersonOrder, f.Name) is var i and >= 0 ? i : PersonOrder.Length;
        return fields.Select((f, i) => (f, i)).OrderBy(x => Rank(x.f)).ThenBy(x => x.i).Select(x => x.f).ToList();
    }

    private static string Render(string source, string file, LiquidContentKind kind, Tcma.Rendering.Liquid.LiquidModel model, RenderOptions options)
    {
        var parsed = LiquidTemplate.Parse(source, file, kind);
        if (parsed.Template is null)
            throw new InvalidOperationException($"{file} of a published kit does not parse: {string.Join("; ", parsed.Errors)}");
        var result = parsed.Template.Render(model, options);
        return result.Text ?? throw new InvalidOperationException($"{file} of a published kit does not render: {result.Error}");
    }

    private static CultureInfo CultureFor(string language)
    {
        try { return CultureInfo.GetCultureInfo(language); }
        catch (CultureNotFoundException) { return CultureInfo.InvariantCulture; }
    }
}
