using Tcma.Functions.Hosting;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Domain.Kits;
using Tcma.Functions.Identity;

namespace Tcma.Functions.Kits;

/// <summary>One problem of a rejected upload, as the API lists it.</summary>
public sealed record KitProblemView(string File, string Place, string Message);

/// <summary>Vendor kit upload, list, detail, publish and recall. Every route is scoped to the caller's own vendor.</summary>
public static class KitEndpoints
{
    /// <summary>Every minute, sends the recall messages a crash between a recall's commit and its send left behind.</summary>
    public const string RecallSweeperFunction = "KitRecallSweeper";

    public static WebApplicationBuilder AddKits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KitUploadOptions>().BindConfiguration(KitUploadOptions.Section);
        builder.Services.AddSingleton<KitIndex>();
        builder.Services.AddSingleton<KitPreviews>();
        builder.Services.AddSingleton<KitUploads>();
        builder.Services.AddFunction(new FunctionDefinition(RecallSweeperFunction, new TimerFunctionTrigger("30 * * * * *"),
            (_, services, ct) => services.GetRequiredService<KitUploads>().NotifyPendingRecallsAsync(ct)));
        return builder;
    }

    public static WebApplication MapKits(this WebApplication app)
    {
        var kits = app.MapGroup("/api/vendors/{vendorId}/kits").RequireVendorScope().WithTags("Kits");
        kits.MapPost("/", Upload).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        kits.MapGet("/", List).RequireAuthorization(Policies.VendorUser);
        kits.MapGet("/{kitId}", Detail).RequireAuthorization(Policies.VendorUser);
        kits.MapPost("/{kitId}/versions/{version}/publish", (string vendorId, string kitId, string version, ClaimsPrincipal user, KitUploads uploads, CancellationToken ct) =>
            Change(vendorId, kitId, version, KitAction.Publish, user, uploads, ct)).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        kits.MapPost("/{kitId}/versions/{version}/recall", (string vendorId, string kitId, string version, ClaimsPrincipal user, KitUploads uploads, CancellationToken ct) =>
            Change(vendorId, kitId, version, KitAction.Recall, user, uploads, ct)).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        return app;
    }

    /// <summary>Who did it, as the index records it: the person's name, or the API key's.</summary>
    public static string Actor(ClaimsPrincipal user) => user.DisplayName() ?? user.Identity?.Name ?? "unknown";

    /// <summary>
    /// A kit zip, as multipart/form-data with a <c>kit</c> file or as an <c>application/zip</c> body. 201 with the
    /// stored version; 400 listing every problem found (file, place, message); 409 when that version exists; 413 when
    /// the zip is over the limit. Nothing of a refused upload is stored.
    /// </summary>
    private static async Task<Results<Created<KitVersionView>, ProblemHttpResult>> Upload(
        string vendorId, HttpRequest request, ClaimsPrincipal user, KitUploads uploads, CancellationToken ct)
    {
        var max = uploads.MaxUploadBytes;
        if (request.ContentLength > max + 64 * 1024) return TooLarge(max);
        // The server's default body limit (30 MB) is below what a kit may be.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = max + 64 * 1024;

        KitUploadOutcome outcome;
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max + 64 * 1024 }, ct);
                if (form.Files.GetFile("kit") is not { } file)
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Attach the kit zip as a file field named 'kit'.");
                await using var stream = file.OpenReadStream();
                outcome = await uploads.UploadAsync(vendorId, stream, file.FileName, Actor(user), ct);
            }
            else if (request.ContentType?.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase) == true)
            {
                outcome = await uploads.UploadAsync(vendorId, request.Body, "upload.zip", Actor(user), ct);
            }
            else
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                    title: "Send the kit as multipart/form-data with a 'kit' file, or as an application/zip body.");
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(max);
        }
        catch (InvalidDataException e) when (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return TooLarge(max);
        }
        catch (InvalidDataException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be read.", detail: e.Message);
        }

        return outcome switch
        {
            KitUploadOutcome.Stored s => TypedResults.Created($"/api/vendors/{Uri.EscapeDataString(vendorId)}/kits/{Uri.EscapeDataString(s.Version.KitId)}", s.Version),
            KitUploadOutcome.Rejected r => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: $"The kit has {r.Problems.Count} problem{(r.Problems.Count == 1 ? "" : "s")}; nothing was stored.",
                extensions: new Dictionary<string, object?> { ["problems"] = r.Problems.Select(p => new KitProblemView(p.File, p.Place, p.Message)).ToList() }),
            KitUploadOutcome.AlreadyExists d => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: $"Kit {d.KitId} version {d.Version} already exists. Versions never change: give this upload a new version."),
            KitUploadOutcome.TooLarge t => TooLarge(t.MaxBytes),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    private static ProblemHttpResult TooLarge(long max) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A kit zip may be at most {max / (1024.0 * 1024):0.#} MiB.");

    private static async Task<Ok<IReadOnlyList<KitView>>> List(string vendorId, KitIndex index, CancellationToken ct) =>
        TypedResults.Ok(await index.ListAsync(vendorId, null, ct));

    private static async Task<Results<Ok<KitView>, ProblemHttpResult>> Detail(string vendorId, string kitId, KitIndex index, CancellationToken ct)
    {
        var found = await index.ListAsync(vendorId, kitId, ct);
        return found.FirstOrDefault(k => k.KitId == kitId) is { } kit
            ? TypedResults.Ok(kit)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No kit {kitId}.");
    }

    private static async Task<Results<Ok<KitVersionView>, ProblemHttpResult>> Change(
        string vendorId, string kitId, string version, KitAction action, ClaimsPrincipal user, KitUploads uploads, CancellationToken ct) =>
        await uploads.ChangeAsync(vendorId, kitId, version, action, Actor(user), ct) switch
        {
            KitChangeOutcome.Changed c => TypedResults.Ok(c.Version),
            KitChangeOutcome.Refused r => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: r.Reason),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No kit {kitId} version {version}."),
        };
}
