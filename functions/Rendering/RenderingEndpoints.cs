using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using ValidationProblem = Microsoft.AspNetCore.Http.HttpResults.ValidationProblem;
using Tcma.Domain.Rendering;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Rendering.Images;
using Tcma.Rendering.Liquid;
using Tcma.Storage.Rendering;

namespace Tcma.Functions.Rendering;

/// <summary>A brand profile as the API shows it: the logo is a link, never inline bytes.</summary>
public sealed record BrandProfileView(
    string PartnerId, string CompanyName, string PrimaryColour, string SecondaryColour, string LogoUrl, int LogoWidth, int LogoHeight,
    ContactBlock Contact, string PhoneForDisplay, IReadOnlyDictionary<string, string> SocialHandles, string? Tagline, string? Disclaimer,
    string TimeZone, string Language);

public static class RenderingEndpoints
{
    public const string RenderFunction = "RenderAsset";
    public const string RenderQueue = "render-requests";

    /// <summary>A logo is at most 5 MB (see LogoLimits); the rest of the form is a few hundred bytes.</summary>
    private const long MaxBrandProfileRequestBytes = 6 * 1024 * 1024;

    public static WebApplicationBuilder AddRendering(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ImageRenderer>(services =>
        {
            var renderer = new ImageRenderer();
            // Which encoders a machine got (native libjpeg-turbo/libwebp, or SkiaSharp's slower fallback) decides render speed.
            services.GetRequiredService<ILogger<ImageRenderer>>().LogInformation("Image encoders: {Encoders}", renderer.Encoders);
            return renderer;
        });
        builder.Services.AddSingleton<KitVersionFiles>();
        builder.Services.AddSingleton<BrandProfileStore>();
        builder.Services.AddSingleton<RenderStore>();
        builder.Services.AddSingleton<RenderService>();
        builder.Services.AddFunction(new FunctionDefinition(RenderFunction, new QueueFunctionTrigger(RenderQueue), RenderFromQueueAsync));
        return builder;
    }

    public static WebApplication MapRendering(this WebApplication app)
    {
        var profiles = app.MapGroup("/api/vendors/{vendorId}/partners/{partnerId}/brand-profile")
            .RequireVendorScope()
            .WithTags("Rendering");
        profiles.MapPut("/", PutBrandProfile).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        profiles.MapGet("/", GetBrandProfile).RequireAuthorization(Policies.VendorUser);
        profiles.MapGet("/logo", GetLogo).RequireAuthorization(Policies.VendorUser);

        app.MapGet("/api/vendors/{vendorId}/kits/{kitId}/versions/{version}/images/{imageId}/preview", Preview)
            .RequireAuthorization(Policies.VendorUser)
            .RequireVendorScope()
            .WithTags("Rendering");
        app.MapGet("/api/vendors/{vendorId}/kits/{kitId}/versions/{version}/emails/{emailId}/preview", PreviewEmail)
            .RequireAuthorization(Policies.VendorUser)
            .RequireVendorScope()
            .WithTags("Rendering");
        return app;
    }

    /// <summary>
    /// A kit email for a sample recipient of the partner: the HTML part, or the text part with <c>?part=text</c>;
    /// subject and preheader in headers. The HTML is the vendor's own markup, so it is served sandboxed: no script
    /// runs and it gets no access to the console's origin.
    /// </summary>
    private static async Task<Results<ContentHttpResult, ProblemHttpResult, ValidationProblem>> PreviewEmail(
        string vendorId, string kitId, string version, string emailId, string? partner, string? part,
        HttpResponse response, RenderService renders, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(partner))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["partner"] = ["Name the partner whose brand to preview with ?partner=<id>."] });
        var logoUrl = $"/api/vendors/{Uri.EscapeDataString(vendorId)}/partners/{Uri.EscapeDataString(partner)}/brand-profile/logo";
        var (email, problem) = await renders.RenderEmailPreviewAsync(vendorId, kitId, version, emailId, partner, logoUrl, ct);
        switch (problem)
        {
            case RenderOutcome.Missing m: return NotFound($"No {m.What}.");
            case RenderOutcome.Invalid i:
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["render"] = [.. i.Errors] }, title: "This email cannot be rendered for this partner.");
        }
        response.Headers["Tcma-Email-Subject"] = Uri.EscapeDataString(email!.Subject);
        response.Headers["Tcma-Email-Preheader"] = Uri.EscapeDataString(email.Preheader);
        KitAssetHeaders.Apply(response, KitAssetHeaders.EmailSecurityPolicy);
        return part == "text"
            ? TypedResults.Text(email.Text, "text/plain", System.Text.Encoding.UTF8)
            : TypedResults.Text(email.Html, "text/html", System.Text.Encoding.UTF8);
    }

    /// <summary>
    /// Creates or replaces a partner's brand profile from a multipart form (the fields of <see cref="BrandProfileInput"/>
    /// plus a <c>logo</c> file). Every problem comes back at once, keyed by field; nothing is stored unless all is well.
    /// </summary>
    private static async Task<Results<Ok<BrandProfileView>, ValidationProblem, ProblemHttpResult>> PutBrandProfile(
        string vendorId, string partnerId, HttpRequest request, BrandProfileStore store, CancellationToken ct)
    {
        if (!request.HasFormContentType)
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the brand profile as multipart/form-data with a 'logo' file.");
        if (request.ContentLength > MaxBrandProfileRequestBytes)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"The brand profile, logo included, must be under {MaxBrandProfileRequestBytes / (1024 * 1024)} MB.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new Microsoft.AspNetCore.Http.Features.FormOptions { MultipartBodyLengthLimit = MaxBrandProfileRequestBytes }, ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be read.", detail: e.Message);
        }
        byte[]? logo = null;
        if (form.Files.GetFile("logo") is { } file)
        {
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes, ct);
            logo = bytes.ToArray();
        }
        string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        var social = form.Keys.Where(k => k.StartsWith("social.", StringComparison.Ordinal))
            .ToDictionary(k => k["social.".Length..], k => form[k].ToString());
        var input = new BrandProfileInput
        {
            CompanyName = Field("companyName"), Logo = logo, LogoFileName = form.Files.GetFile("logo")?.FileName,
            PrimaryColour = Field("primaryColour"), SecondaryColour = Field("secondaryColour"),
            ContactPerson = Field("contactPerson"), Phone = Field("phone"), Email = Field("email"), Website = Field("website"),
            Street = Field("street"), City = Field("city"), Region = Field("region"), PostalCode = Field("postalCode"), CountryCode = Field("countryCode"),
            SocialHandles = social, Tagline = Field("tagline"), Disclaimer = Field("disclaimer"), TimeZone = Field("timeZone"), Language = Field("language"),
        };
        var (profile, problems) = BrandProfileValidator.Validate(input);
        if (profile is not null)
            problems = LogoInspector.Inspect(profile.Logo);
        if (profile is null || problems.Count > 0)
            return TypedResults.ValidationProblem(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                title: "The brand profile has problems; nothing was saved.");
        await store.SaveAsync(vendorId, partnerId, profile, ct);
        return TypedResults.Ok(View(vendorId, partnerId, profile));
    }

    private static async Task<Results<Ok<BrandProfileView>, ProblemHttpResult>> GetBrandProfile(
        string vendorId, string partnerId, BrandProfileStore store, CancellationToken ct) =>
        await store.GetAsync(vendorId, partnerId, ct) is { } profile
            ? TypedResults.Ok(View(vendorId, partnerId, profile))
            : NotFound($"Partner {partnerId} has no brand profile yet.");

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> GetLogo(
        string vendorId, string partnerId, BrandProfileStore store, CancellationToken ct) =>
        await store.GetAsync(vendorId, partnerId, ct) is { } profile
            ? TypedResults.File(profile.Logo.Bytes, profile.Logo.Format == LogoFormat.Png ? "image/png" : "image/jpeg")
            : NotFound($"Partner {partnerId} has no brand profile yet.");

    /// <summary>
    /// One asset of a kit version, co-branded for one partner, as the partner would get it. Served from the render
    /// cache when these exact inputs were rendered before. Warnings (a contrast fallback, a logo plate) travel in the
    /// <c>Tcma-Render-Warnings</c> header so a preview page can say what was adjusted.
    /// </summary>
    private static async Task<Results<FileContentHttpResult, ProblemHttpResult, ValidationProblem>> Preview(
        string vendorId, string kitId, string version, string imageId, string? partner, string? format, string? size,
        HttpResponse response, RenderService renders, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(partner))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["partner"] = ["Name the partner whose brand to preview with ?partner=<id>."] });
        RenderOutcome outcome;
        try
        {
            outcome = await renders.RenderImageAsync(new RenderRequest(vendorId, kitId, version, imageId, partner, format ?? "png", size), ct);
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["request"] = [e.Message] });
        }
        switch (outcome)
        {
            case RenderOutcome.Rendered r:
                if (r.Warnings.Count > 0) response.Headers["Tcma-Render-Warnings"] = JsonSerializer.Serialize(r.Warnings);
                response.Headers.ETag = $"\"{r.Key}\"";
                response.Headers.CacheControl = "private, max-age=300";
                KitAssetHeaders.Apply(response);
                return TypedResults.File(r.Bytes, r.ContentType);
            case RenderOutcome.Missing m:
                return NotFound($"No {m.What}.");
            case RenderOutcome.Invalid i:
                return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["render"] = [.. i.Errors] },
                    title: "This asset cannot be rendered for this partner.");
            default:
                throw new InvalidOperationException($"unexpected outcome {outcome}");
        }
    }

    /// <summary>
    /// Renders one asset into the cache. A malformed request, or one that names what does not exist or cannot be
    /// rendered, throws: the host retries, then moves the message to <c>render-requests-poison</c> with the reason logged.
    /// </summary>
    internal static async Task RenderFromQueueAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var request = invocation.ReadMessage<RenderRequest>(JsonSerializerOptions.Web) ?? throw new InvalidDataException("empty render request");
        if (new[] { request.VendorId, request.KitId, request.Version, request.ImageId, request.PartnerId }.Any(string.IsNullOrWhiteSpace))
            throw new InvalidDataException("render request must name vendorId, kitId, version, imageId and partnerId");
        var outcome = await services.GetRequiredService<RenderService>().RenderImageAsync(request, ct);
        switch (outcome)
        {
            case RenderOutcome.Missing m: throw new InvalidOperationException($"cannot render: no {m.What}");
            case RenderOutcome.Invalid i: throw new InvalidOperationException($"cannot render: {string.Join("; ", i.Errors)}");
        }
    }

    private static ProblemHttpResult NotFound(string title) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title);

    private static BrandProfileView View(string vendorId, string partnerId, BrandProfile p) => new(
        partnerId, p.CompanyName, p.PrimaryColour.ToString(), p.SecondaryColour.ToString(),
        $"/api/vendors/{Uri.EscapeDataString(vendorId)}/partners/{Uri.EscapeDataString(partnerId)}/brand-profile/logo", p.Logo.Width, p.Logo.Height,
        p.Contact, p.Contact.PhoneForDisplay, p.SocialHandles, p.Tagline, p.Disclaimer, p.TimeZone, p.Language);
}
