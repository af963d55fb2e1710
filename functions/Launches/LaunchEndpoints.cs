using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.Domain.Rendering;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Rendering.Images;
using Tcma.Storage.Launches;
using Tcma.Storage.Rendering;
using Tcma.Storage.Workflows;
using ValidationProblem = Microsoft.AspNetCore.Http.HttpResults.ValidationProblem;

namespace Tcma.Functions.Launches;

/// <summary>
/// Vendors invite partners to launch a published kit version; partners preview, adjust and launch it from their
/// signed link; the launch's work runs from the <c>launch-work</c> queue; kit recalls stop launches.
/// </summary>
public static class LaunchEndpoints
{
    public const string WorkFunction = "LaunchWork";
    public const string RecallFunction = "LaunchKitRecall";
    private const int MaxJsonBytes = 64 * 1024;
    private const string LinkDoesNotWork = "This link does not work.";
    private const string SandboxedHtml = "sandbox; default-src 'none'; img-src 'self' https: http: data:; style-src 'unsafe-inline'";

    public static WebApplicationBuilder AddLaunches(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LaunchOptions>().BindConfiguration(LaunchOptions.Section);
        builder.Services.AddSingleton<LaunchStore>();
        builder.Services.AddSingleton<LaunchPreviews>();
        builder.Services.AddSingleton<LaunchService>();
        builder.Services.AddSingleton<LaunchDemo>();
        // The fan-out decides each touch's audience and records who it left out (the mailer registers the same ones).
        builder.Services.TryAddSingleton<CampaignSendLog>();
        builder.Services.TryAddSingleton<CampaignEngagementStore>();
        builder.Services.AddSingleton<ILaunchSendGate, LaunchSendGate>();
        builder.Services.AddWorkflow<LaunchWorkflow>();
        builder.Services.AddFunction(new FunctionDefinition(WorkFunction, new QueueFunctionTrigger(LaunchWork.Queue), WorkAsync));
        builder.Services.AddFunction(new FunctionDefinition(RecallFunction, new QueueFunctionTrigger(KitIndex.RecallQueue), RecallAsync));
        return builder;
    }

    public static WebApplication MapLaunches(this WebApplication app)
    {
        var invitations = app.MapGroup("/api/vendors/{vendorId}/invitations").RequireVendorScope().WithTags("Launches");
        invitations.MapPost("/", Invite).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        invitations.MapGet("/", ListInvitations).RequireAuthorization(Policies.VendorUser);
        invitations.MapDelete("/{invitationId}", Revoke).RequireAuthorization(Policies.ChannelManager);

        var partner = app.MapGroup("/api/partner/launch").RequireAuthorization(Policies.Partner).WithTags("Launches").DisableAntiforgery();
        partner.MapGet("/images/{imageId}", PreviewImage);
        partner.MapGet("/emails/{emailId}", PreviewEmail);
        partner.MapGet("/landing", PreviewLanding);
        partner.MapGet("/preview", Preview);
        partner.MapGet("/schedule", Schedule);
        partner.MapGet("/logo", Logo);
        partner.MapPost("/contacts", UploadContacts);
        partner.MapPost("/brand", CompleteBrand);
        partner.MapPost("/", Confirm);
        // Logos are in every campaign email a partner sends, so they are public; unknown ids get a plain 404.
        app.MapGet("/api/brand-logos/{vendorId}/{partnerId}", BrandLogo).AllowAnonymous().WithTags("Launches");
        app.MapGet("/api/partner/launches/{launchId}", Status).RequireAuthorization(Policies.Partner).WithTags("Launches");
        return app;
    }

    // ---- vendor -------------------------------------------------------------------------------------------

    /// <summary>
    /// Invites partners (by tier/region/specialisation, or a list of ids) to launch a published kit version: each gets
    /// one signed link, emailed to every contact. A partner with an open invitation to that version is not invited
    /// again. 201 with the invitations; 400 for a bad request or unknown partners (nobody invited); 404 no such kit
    /// version; 409 not published; 413/415 for oversized or non-JSON bodies.
    /// </summary>
    private static async Task<Results<Created<InvitationsResult>, Ok<InvitationsResult>, ValidationProblem, ProblemHttpResult>> Invite(
        string vendorId, HttpRequest request, ClaimsPrincipal user, LaunchService launches, CancellationToken ct)
    {
        var (body, problem) = await ReadJsonAsync<InvitationRequest>(request, ct);
        if (problem is not null) return problem;
        var outcome = await launches.InviteAsync(vendorId, body!, KitEndpoints.Actor(user), launches.BaseUrl(request), ct);
        return outcome switch
        {
            Outcome<InvitationsResult>.Done { Created: true } d => TypedResults.Created($"/api/vendors/{Uri.EscapeDataString(vendorId)}/invitations", d.Value),
            Outcome<InvitationsResult>.Done d => TypedResults.Ok(d.Value),
            Outcome<InvitationsResult>.Problem { Errors: not null } p => TypedResults.ValidationProblem(p.Errors, title: p.Title),
            Outcome<InvitationsResult>.Problem p => TypedResults.Problem(statusCode: p.Status, title: p.Title),
            _ => throw new InvalidOperationException(),
        };
    }

    private static async Task<Ok<IReadOnlyList<InvitationView>>> ListInvitations(string vendorId, LaunchStore store, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<InvitationView>>((await store.InvitationsAsync(vendorId, ct)).Select(i => InvitationView.From(i, clock.GetUtcNow())).ToList());

    /// <summary>Makes the invitation's link dead at once; revoking again changes nothing. A launch already made keeps running.</summary>
    private static async Task<Results<Ok<InvitationView>, ProblemHttpResult>> Revoke(
        string vendorId, string invitationId, ClaimsPrincipal user, LaunchService launches, CancellationToken ct) =>
        await launches.RevokeAsync(vendorId, invitationId, KitEndpoints.Actor(user), ct) is { } view
            ? TypedResults.Ok(view)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No invitation {invitationId}.");

    // ---- partner ------------------------------------------------------------------------------------------

    private static Dictionary<string, string?> EditsOf(HttpRequest request) =>
        request.Query.Where(q => q.Key.StartsWith("e.", StringComparison.Ordinal)).ToDictionary(q => q.Key[2..], q => (string?)q.Value.ToString());

    private static async Task<(OpenedInvitation? Opened, BrandProfile? Brand, IResult? Problem)> OpenAsync(HttpRequest request, LaunchService launches, bool needBrand, CancellationToken ct)
    {
        var opened = await launches.OpenAsync(LaunchService.TokenOf(request), ct);
        if (opened is null) return (null, null, TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: LinkDoesNotWork));
        var brand = await launches.BrandAsync(opened.VendorId, opened.Invitation.PartnerId, ct);
        if (brand is null && needBrand)
            return (opened, null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Complete your brand profile (logo and contact details) to see the previews."));
        return (opened, brand, null);
    }

    private static (IReadOnlyDictionary<string, string>? Edits, IResult? Problem) Edits(HttpRequest request, OpenedInvitation opened)
    {
        var (edits, problems) = LaunchEdits.Check(opened.Kit.Manifest, EditsOf(request));
        return problems.Count == 0 ? (edits, null)
            : (null, TypedResults.ValidationProblem(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()), title: "Some edits are not allowed."));
    }

    /// <summary>One image of the kit co-branded for the partner, with the edits in the query (<c>e.{field}=...</c>).</summary>
    private static async Task<IResult> PreviewImage(string imageId, HttpRequest request, HttpResponse response, LaunchService launches, LaunchPreviews previews, CancellationToken ct)
    {
        var (opened, brand, problem) = await OpenAsync(request, launches, needBrand: true, ct);
        if (problem is not null) return problem;
        var (edits, editProblem) = Edits(request, opened!);
        if (editProblem is not null) return editProblem;
        if (opened!.Kit.Manifest.Content.Images.All(i => i.Id != imageId)) return TypedResults.Problem(statusCode: 404, title: $"No image '{Short(imageId)}' in this kit.");
        var (bytes, key, errors) = await previews.ImageAsync(opened.Kit, brand!, edits!, imageId, ct);
        if (bytes is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["render"] = [.. errors] }, title: "This image cannot be rendered with these edits.");
        response.Headers.CacheControl = "private, max-age=300";
        Tcma.Functions.Kits.KitAssetHeaders.Apply(response);
        return TypedResults.File(bytes, key!.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : ImageRenderer.ContentTypeOf(Enum.Parse<ImageFormat>(Path.GetExtension(key)[1..], true)));
    }

    /// <summary>One email as a sample recipient reads it; sandboxed, since it is the vendor's markup.</summary>
    private static async Task<IResult> PreviewEmail(string emailId, string? part, HttpRequest request, HttpResponse response, LaunchService launches, LaunchPreviews previews, CancellationToken ct)
    {
        var (opened, brand, problem) = await OpenAsync(request, launches, needBrand: true, ct);
        if (problem is not null) return problem;
        var (edits, editProblem) = Edits(request, opened!);
        if (editProblem is not null) return editProblem;
        if (opened!.Kit.Manifest.Content.Emails.All(e => e.Id != emailId)) return TypedResults.Problem(statusCode: 404, title: $"No email '{Short(emailId)}' in this kit.");
        var (email, error) = previews.Email(opened.Kit, brand!, edits!, emailId, LaunchService.LogoUrl("", LaunchService.TokenOf(request)!));
        if (email is null) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["render"] = [error!] }, title: "This email cannot be rendered with these edits.");
        response.Headers["Tcma-Email-Subject"] = Uri.EscapeDataString(email.Subject);
        response.Headers.ContentSecurityPolicy = SandboxedHtml;
        return part == "text" ? TypedResults.Text(email.Text, "text/plain", System.Text.Encoding.UTF8) : TypedResults.Text(email.Html, "text/html", System.Text.Encoding.UTF8);
    }

    private static async Task<IResult> PreviewLanding(HttpRequest request, HttpResponse response, LaunchService launches,
        Tcma.Storage.Partners.PartnerDirectory partners, TimeProvider clock, CancellationToken ct)
    {
        var (opened, brand, problem) = await OpenAsync(request, launches, needBrand: true, ct);
        if (problem is not null) return problem;
        var (edits, editProblem) = Edits(request, opened!);
        if (editProblem is not null) return editProblem;
        if (await partners.GetAsync(opened!.VendorId, opened.Invitation.PartnerId, ct) is not { } partner
            || LandingPages.Build(opened.Kit, brand!, partner.Partner, edits, clock.GetUtcNow(), ct) is not { } page)
            return TypedResults.Problem(statusCode: 404, title: "This kit has no landing page.");
        // The page visitors get (its stylesheet, its form, the partner's country chosen), drawn by the same component;
        // sandboxed, so nothing in it runs and its form cannot be sent from the preview.
        response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; font-src 'self' data: https:; form-action 'none'";
        return new RazorComponentResult<LandingPageView>(new
        {
            State = new LandingPageState
            {
                Page = page, SubmissionId = "preview",
                Values = new Dictionary<string, string> { ["country"] = page.PartnerCountry ?? "" },
            },
        });
    }

    public sealed record PreviewView(IReadOnlyList<EmailHeading> Emails, IReadOnlyList<SocialPreview> Social);
    public sealed record EmailHeading(string Id, string Subject, string Preheader);

    /// <summary>The texts of the previews (subjects, social posts) with the edits: what the page re-renders as the partner types.</summary>
    private static async Task<IResult> Preview(HttpRequest request, LaunchService launches, LaunchPreviews previews, CancellationToken ct)
    {
        var (opened, brand, problem) = await OpenAsync(request, launches, needBrand: true, ct);
        if (problem is not null) return problem;
        var (edits, editProblem) = Edits(request, opened!);
        if (editProblem is not null) return editProblem;
        var logo = LaunchService.LogoUrl("", LaunchService.TokenOf(request)!);
        var emails = opened!.Kit.Manifest.Content.Emails.Select(e => (e.Id, previews.Email(opened.Kit, brand!, edits!, e.Id, logo).Email))
            .Select(x => new EmailHeading(x.Id, x.Email?.Subject ?? "", x.Email?.Preheader ?? "")).ToList();
        return TypedResults.Ok(new PreviewView(emails, previews.Social(opened.Kit, brand!, edits!, "https://example.com/landing-page-preview", logo)));
    }

    public sealed record ScheduleView(string TimeZone, IReadOnlyList<TouchView> Touches, int Missed);

    /// <summary>The kit's schedule placed on the partner's calendar, in local time, with touches that would be missed named.</summary>
    private static async Task<IResult> Schedule(string? start, string? zone, bool? email, string? networks, HttpRequest request, LaunchService launches, TimeProvider clock, CancellationToken ct)
    {
        var (opened, _, problem) = await OpenAsync(request, launches, needBrand: false, ct);
        if (problem is not null) return problem;
        var (date, timeZone, problems) = LaunchService.ReadWhen(start, zone, clock.GetUtcNow());
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems.ToDictionary(p => p.Field, p => new[] { p.Message }), title: "The start is not valid.");
        var chosen = (networks ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => Enum.TryParse<Domain.SocialNetwork>(n, true, out var s) ? s : (Domain.SocialNetwork?)null).OfType<Domain.SocialNetwork>().ToList();
        var touches = launches.Plan(opened!.Kit.Manifest, date, timeZone, email ?? true, chosen);
        return TypedResults.Ok(new ScheduleView(timeZone.Id, LaunchService.Views(touches, timeZone), touches.Count(t => t.State == TouchState.Missed)));
    }

    private static async Task<IResult> Logo(HttpRequest request, LaunchService launches, CancellationToken ct)
    {
        var (_, brand, problem) = await OpenAsync(request, launches, needBrand: true, ct);
        if (problem is not null) return problem;
        return TypedResults.File(brand!.Logo.Bytes, brand.Logo.Format == LogoFormat.Png ? "image/png" : "image/jpeg");
    }

    private static async Task<IResult> BrandLogo(string vendorId, string partnerId, HttpResponse response, BrandProfileStore store, CancellationToken ct)
    {
        if (!VendorIds.IsValid(vendorId) || !Domain.Partners.PartnerValidator.IsPartnerId(partnerId) || await store.GetAsync(vendorId, partnerId, ct) is not { } brand)
            return TypedResults.Problem(statusCode: 404, title: "No such logo.");
        response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.File(brand.Logo.Bytes, brand.Logo.Format == LogoFormat.Png ? "image/png" : "image/jpeg");
    }

    public sealed record ContactsView(string UploadId, int Imported, int WithoutConsent, int Duplicates, int Invalid, IReadOnlyList<SkippedRow> InvalidRows);

    /// <summary>
    /// The partner's contacts as CSV (a <c>file</c> field or a text/csv body): only contacts with consent are kept;
    /// the others, duplicates and invalid rows are counted. Formulas stay text (they are never evaluated). 413 over
    /// 5 MiB, 400 for a file that is not a contact CSV, 415 for another content type.
    /// </summary>
    private static async Task<IResult> UploadContacts(HttpRequest request, LaunchService launches, CancellationToken ct)
    {
        var (opened, _, problem) = await OpenAsync(request, launches, needBrand: false, ct);
        if (problem is not null) return problem;
        var max = new ContactImportLimits().MaxBytes;
        if (request.ContentLength > max + 64 * 1024) return TooLarge(max);
        (ContactImport? Import, string? UploadId, string? Error) result;
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max + 64 * 1024 }, ct);
                if (form.Files.GetFile("file") is not { } file)
                    return TypedResults.Problem(statusCode: 400, title: "Attach the contacts as a CSV file field named 'file'.");
                await using var stream = file.OpenReadStream();
                result = await launches.ImportContactsAsync(opened!.VendorId, opened.Invitation.PartnerId, stream, ct);
            }
            else if (request.ContentType?.Split(';')[0].Trim().ToLowerInvariant() is "text/csv" or "application/csv" or "text/plain")
                result = await launches.ImportContactsAsync(opened!.VendorId, opened.Invitation.PartnerId, request.Body, ct);
            else
                return TypedResults.Problem(statusCode: 415, title: "Send the contacts as a text/csv body or as multipart/form-data with a 'file'.");
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) || e is BadHttpRequestException { StatusCode: 413 }
                ? TooLarge(max) : TypedResults.Problem(statusCode: 400, title: "The form could not be read.", detail: e.Message);
        }
        if (result.Import is null)
            return result.Error!.Contains("larger than", StringComparison.Ordinal) ? TooLarge(max)
                : TypedResults.Problem(statusCode: 400, title: "The contacts were not imported: " + result.Error);
        var i = result.Import;
        return TypedResults.Ok(new ContactsView(result.UploadId!, i.Imported, i.WithoutConsent, i.Duplicates, i.Invalid.Count, i.Invalid.Take(100).ToList()));
    }

    private static ProblemHttpResult TooLarge(long max) =>
        TypedResults.Problem(statusCode: 413, title: $"The contacts file is larger than {max / (1024 * 1024)} MiB; split it into smaller files.");

    /// <summary>A partner without a brand profile completes it on the launch page: the same fields and checks as the vendor's API.</summary>
    private static async Task<IResult> CompleteBrand(HttpRequest request, LaunchService launches, BrandProfileStore store, CancellationToken ct)
    {
        var (opened, brand, problem) = await OpenAsync(request, launches, needBrand: false, ct);
        if (problem is not null) return problem;
        if (!request.HasFormContentType) return TypedResults.Problem(statusCode: 415, title: "Send the brand profile as multipart/form-data with a 'logo' file.");
        const long max = 6 * 1024 * 1024;
        if (request.ContentLength > max) return TypedResults.Problem(statusCode: 413, title: "The brand profile, logo included, must be under 6 MB.");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max }, ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return TypedResults.Problem(statusCode: e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400, title: "The form could not be read.");
        }
        byte[]? logo = null;
        if (form.Files.GetFile("logo") is { } file)
        {
            using var bytes = new MemoryStream();
            await file.CopyToAsync(bytes, ct);
            logo = bytes.ToArray();
        }
        else if (brand is not null) logo = brand.Logo.Bytes;
        string? Field(string name) => form.TryGetValue(name, out var v) ? v.ToString() : null;
        var (profile, problems) = BrandProfileValidator.Validate(new BrandProfileInput
        {
            CompanyName = Field("companyName"), Logo = logo, LogoFileName = form.Files.GetFile("logo")?.FileName ?? "logo.png",
            PrimaryColour = Field("primaryColour"), SecondaryColour = Field("secondaryColour"),
            ContactPerson = Field("contactPerson"), Phone = Field("phone"), Email = Field("email"), Website = Field("website"),
            Street = Field("street"), City = Field("city"), Region = Field("region"), PostalCode = Field("postalCode"), CountryCode = Field("countryCode"),
            Tagline = Field("tagline"), TimeZone = Field("timeZone"), Language = Field("language"),
        });
        if (profile is not null) problems = LogoInspector.Inspect(profile.Logo);
        if (profile is null || problems.Count > 0)
            return TypedResults.ValidationProblem(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                title: "The brand profile has problems; nothing was saved.");
        await store.SaveAsync(opened!.VendorId, opened.Invitation.PartnerId, profile, ct);
        return TypedResults.Ok(new { saved = true });
    }

    /// <summary>
    /// Launches: exactly one launch per invitation, whatever the number of clicks, tabs or retries (201 the first
    /// time, 200 with the same launch afterwards). 400 lists every problem; nothing is launched then.
    /// </summary>
    private static async Task<IResult> Confirm(HttpRequest request, LaunchService launches, CancellationToken ct)
    {
        var (opened, _, problem) = await OpenAsync(request, launches, needBrand: false, ct);
        if (problem is not null) return problem;
        var (body, bodyProblem) = await ReadJsonAsync<LaunchRequest>(request, ct);
        if (bodyProblem is not null) return bodyProblem;
        var outcome = await launches.ConfirmAsync(opened!, body!, launches.BaseUrl(request), ct);
        return outcome switch
        {
            Outcome<LaunchView>.Done { Created: true } d => TypedResults.Created(d.Value.StatusUrl, d.Value),
            Outcome<LaunchView>.Done d => TypedResults.Ok(d.Value),
            Outcome<LaunchView>.Problem { Errors: not null } p => TypedResults.ValidationProblem(p.Errors, title: p.Title),
            Outcome<LaunchView>.Problem p => TypedResults.Problem(statusCode: p.Status, title: p.Title),
            _ => throw new InvalidOperationException(),
        };
    }

    /// <summary>A launch's status for its control link: every touch with its local time and state.</summary>
    private static async Task<IResult> Status(string launchId, HttpRequest request, LaunchService launches, CancellationToken ct)
    {
        var control = await launches.ControlAsync(LaunchService.TokenOf(request), launchId, ct);
        if (control is not { } c) return TypedResults.Problem(statusCode: 404, title: LinkDoesNotWork);
        return await launches.ViewAsync(c.VendorId, c.Launch, Microsoft.AspNetCore.Http.Extensions.UriHelper.GetDisplayUrl(request), ct) is { } view
            ? TypedResults.Ok(view with { Emails = await launches.EmailStatsAsync(c.Launch, view.Touches, ct) })
            : TypedResults.Problem(statusCode: 404, title: LinkDoesNotWork);
    }

    private static async Task<(T? Body, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpRequest request, CancellationToken ct) where T : class
    {
        if (!request.HasJsonContentType()) return (null, TypedResults.Problem(statusCode: 415, title: "Send application/json."));
        if (request.ContentLength > MaxJsonBytes) return (null, TypedResults.Problem(statusCode: 413, title: $"At most {MaxJsonBytes / 1024} KiB of JSON."));
        using var body = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
        {
            if (body.Length + read > MaxJsonBytes) return (null, TypedResults.Problem(statusCode: 413, title: $"At most {MaxJsonBytes / 1024} KiB of JSON."));
            body.Write(buffer, 0, read);
        }
        try
        {
            return JsonSerializer.Deserialize<T>(body.ToArray(), JsonSerializerOptions.Web) is { } value
                ? (value, null) : (null, TypedResults.Problem(statusCode: 400, title: "The body is empty."));
        }
        catch (JsonException e)
        {
            return (null, TypedResults.Problem(statusCode: 400, title: "The body is not valid JSON for this request.", detail: e.Message));
        }
    }

    private static string Short(string s) => s.Length > 60 ? s[..60] + "..." : s;

    // ---- queue functions --------------------------------------------------------------------------------------

    /// <summary>A malformed message throws: retried, then moved to <c>launch-work-poison</c> with the reason logged.</summary>
    internal static async Task WorkAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var work = invocation.ReadMessage<LaunchWork>();
        if (work is null || string.IsNullOrEmpty(work.VendorId) || string.IsNullOrEmpty(work.LaunchId) || work.Kind is not (LaunchWork.Render or LaunchWork.Send))
            throw new InvalidDataException("launch work must name its kind, vendor and launch");
        var launches = services.GetRequiredService<LaunchService>();
        if (work.Kind == LaunchWork.Render) await launches.RenderAssetsAsync(work, ct);
        else await launches.SendTouchAsync(work, ct);
    }

    internal static async Task RecallAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var recalled = invocation.ReadMessage<KitRecalled>();
        if (recalled is null || !VendorIds.IsValid(recalled.VendorId) || string.IsNullOrEmpty(recalled.KitId) || string.IsNullOrEmpty(recalled.Version))
            throw new InvalidDataException("a kit recall must name the vendor, kit and version");
        var stopped = await services.GetRequiredService<LaunchService>().RecallAsync(recalled, ct);
        services.GetRequiredService<ILogger<LaunchService>>().LogInformation("Kit {Kit} {Version} recalled: {Count} launches stopped", recalled.KitId, recalled.Version, stopped);
    }
}
