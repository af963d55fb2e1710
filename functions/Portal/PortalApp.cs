using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Portal;

/// <summary>
/// The partner portal (<c>/partner</c>): home, campaign library, launches, brand; its pages are in Web/Pages/Portal,
/// sign-in and sessions in Identity. Here: its services, the library's card previews, the brand page's live preview,
/// and the timer that keeps the contact index (who may sign in) whole.
/// </summary>
public static class PortalApp
{
    public const string ContactIndexRepairFunction = "PartnerContactIndexRepair";

    public static WebApplicationBuilder AddPartnerPortal(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PortalCatalog>();
        builder.Services.AddSingleton<PartnerPortal>();
        builder.Services.AddSingleton<PartnerFigures>();
        builder.Services.AddSingleton<BrandEditor>();
        builder.Services.AddSingleton<PortalBrands>();
        builder.Services.AddSingleton(sp => sp.GetRequiredService<PartnerDirectory>().Contacts);
        builder.Services.AddFunction(new FunctionDefinition(ContactIndexRepairFunction, new TimerFunctionTrigger("0 17 * * * *"), async (_, services, ct) =>
        {
            var added = await services.GetRequiredService<PartnerContactIndex>().RepairAsync(services.GetRequiredService<PartnerDirectory>(), ct);
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(PortalApp)).LogInformation("Partner contact index checked: {Count} contacts", added);
        }));
        return builder;
    }

    public static WebApplication MapPartnerPortal(this WebApplication app)
    {
        app.MapGet("/partner/library/{kitId}/{version}/preview.jpg", Thumbnail).RequireAuthorization(Policies.Partner).WithTags("Partner portal");
        app.MapPost("/api/partner/brand/preview", BrandPreview).RequireAuthorization(Policies.Partner).DisableAntiforgery().WithTags("Partner portal");
        return app;
    }

    /// <summary>A library card's co-branded preview: 404 for any version this partner may not see, as if it did not exist.</summary>
    private static async Task<Results<FileContentHttpResult, NotFound>> Thumbnail(
        string kitId, string version, string? b, ClaimsPrincipal user, HttpResponse response, PartnerPortal portal, CancellationToken ct)
    {
        var bytes = await portal.ThumbnailAsync(user.VendorId()!, user.PartnerId()!, kitId, version, b, ct);
        if (bytes is null) return TypedResults.NotFound();
        // Named by the brand's fingerprint: a new brand is a new address, so the browser may keep this one.
        response.Headers.CacheControl = b is { Length: 32 } ? "private, max-age=86400" : "private, no-cache";
        return TypedResults.File(bytes, "image/jpeg");
    }

    /// <summary>The brand page's live preview of the form as it stands (nothing is saved): see <see cref="BrandEditor.PreviewAsync"/>.</summary>
    private static async Task<IResult> BrandPreview(HttpRequest request, ClaimsPrincipal user, BrandEditor editor, CancellationToken ct)
    {
        var (form, problem) = await BrandEditor.ReadFormAsync(request, ct);
        if (problem is not null) return problem;
        return TypedResults.Ok(await editor.PreviewAsync(user.VendorId()!, user.PartnerId()!, form!, ct));
    }
}
