using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Tcma.Domain.Partners;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Storage.Partners;
using ValidationProblem = Microsoft.AspNetCore.Http.HttpResults.ValidationProblem;

namespace Tcma.Functions.Partners;

/// <summary>A partner as the API shows it. <see cref="ETag"/> is also the response's ETag header; send it back as If-Match to change exactly what was read.</summary>
public sealed record PartnerView(
    string Id, string CompanyName, string Tier, string Region, string? Country, IReadOnlyList<string> Specialisations,
    IReadOnlyList<PartnerContact> Contacts, PartnerContact PrimaryContact, PartnerStatus Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy, string ETag)
{
    public static PartnerView From(StoredPartner s) => new(
        s.Partner.Id, s.Partner.CompanyName, s.Partner.Tier, s.Partner.Region, s.Partner.Country, s.Partner.Specialisations,
        s.Partner.Contacts, s.Partner.PrimaryContact, s.Partner.Status, s.CreatedAt, s.UpdatedAt, s.UpdatedBy, s.ETag);
}

/// <summary>What an import did: good rows stored (created, updated, or already so), every bad row listed with its reasons.</summary>
public sealed record PartnerImportView(int Created, int Updated, int Unchanged, IReadOnlyList<RejectedPartnerRow> Rejected);

/// <summary>An import either ran (some rows may be rejected) or the file as a whole was refused.</summary>
public abstract record PartnerImportOutcome
{
    public sealed record Imported(PartnerImportView Result) : PartnerImportOutcome;
    public sealed record Refused(int StatusCode, string Reason) : PartnerImportOutcome;
}

/// <summary>Partner onboarding by the vendor: one partner at a time as JSON, or many from a CSV. Scoped to the caller's own vendor.</summary>
public static class PartnerEndpoints
{
    /// <summary>A partner with twenty contacts is a few KiB; anything near this is not a partner.</summary>
    private const int MaxPartnerJsonBytes = 64 * 1024;

    public static readonly PartnerImportLimits ImportLimits = new();

    public static WebApplicationBuilder AddPartners(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PartnerDirectory>();
        return builder;
    }

    public static WebApplication MapPartners(this WebApplication app)
    {
        var partners = app.MapGroup("/api/vendors/{vendorId}/partners").RequireVendorScope().WithTags("Partners");
        partners.MapGet("/", List).RequireAuthorization(Policies.VendorUser);
        partners.MapPost("/import", Import).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        partners.MapGet("/{partnerId}", Get).RequireAuthorization(Policies.VendorUser);
        partners.MapPut("/{partnerId}", Put).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        return app;
    }

    private static async Task<Ok<IReadOnlyList<PartnerView>>> List(
        string vendorId, string? tier, string? region, string? specialisation, PartnerDirectory directory, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PartnerView>>((await directory.ListAsync(vendorId, tier, region, specialisation, ct)).Select(PartnerView.From).ToList());

    private static async Task<Results<Ok<PartnerView>, ProblemHttpResult>> Get(
        string vendorId, string partnerId, HttpResponse response, PartnerDirectory directory, CancellationToken ct)
    {
        if (await directory.GetAsync(vendorId, partnerId, ct) is not { } stored)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"No partner {partnerId}.");
        response.Headers.ETag = stored.ETag;
        return TypedResults.Ok(PartnerView.From(stored));
    }

    /// <summary>
    /// Creates (201) or replaces (200) a partner from JSON. With If-Match, only the version read is replaced (412
    /// otherwise, with the current ETag); without it, the change applies to what is there. Every problem comes back
    /// at once by field (400); nothing is stored then.
    /// </summary>
    private static async Task<Results<Created<PartnerView>, Ok<PartnerView>, ValidationProblem, ProblemHttpResult>> Put(
        string vendorId, string partnerId, HttpRequest request, ClaimsPrincipal user, PartnerDirectory directory, TimeProvider clock, CancellationToken ct)
    {
        if (request.HasJsonContentType() is false)
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the partner as application/json.");
        if (request.ContentLength > MaxPartnerJsonBytes)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A partner is at most {MaxPartnerJsonBytes / 1024} KiB of JSON.");
        PartnerInput? input;
        try
        {
            var body = new MemoryStream();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, ct)) > 0)
            {
                if (body.Length + read > MaxPartnerJsonBytes)
                    return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A partner is at most {MaxPartnerJsonBytes / 1024} KiB of JSON.");
                body.Write(buffer, 0, read);
            }
            input = JsonSerializer.Deserialize<PartnerInput>(body.ToArray(), JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = [$"The body is not a partner in JSON: {e.Message}"] },
                title: "The partner has problems; nothing was saved.");
        }
        var (partner, problems) = PartnerValidator.Validate(partnerId, input ?? new PartnerInput());
        if (partner is null)
            return TypedResults.ValidationProblem(problems.GroupBy(p => p.Field).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray()),
                title: "The partner has problems; nothing was saved.");

        var ifMatch = request.Headers.IfMatch.ToString();
        var outcome = await directory.SaveAsync(vendorId, partner, KitEndpoints.Actor(user), clock.GetUtcNow(),
            ifMatch: ifMatch.Length == 0 ? null : ifMatch, ct: ct);
        if (outcome.Stored is { } stored) request.HttpContext.Response.Headers.ETag = stored.ETag;
        return outcome.Kind switch
        {
            PartnerSaveKind.Created => TypedResults.Created($"/api/vendors/{Uri.EscapeDataString(vendorId)}/partners/{partner.Id}", PartnerView.From(outcome.Stored!)),
            PartnerSaveKind.Updated or PartnerSaveKind.Unchanged => TypedResults.Ok(PartnerView.From(outcome.Stored!)),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed,
                title: outcome.Stored is null
                    ? $"Partner {partner.Id} does not exist, so it cannot match If-Match."
                    : $"Partner {partner.Id} changed since you read it: read it again (its ETag is now {outcome.Stored.ETag}) and decide again."),
        };
    }

    /// <summary>
    /// A CSV of partners, as a text/csv body or a multipart <c>file</c>. 200 with what was stored and every rejected
    /// row; each row stands alone, so good rows are stored even when others are bad. 413 for a file over the limit,
    /// 400 for one that is not CSV or lacks the columns, 415 for another content type.
    /// </summary>
    private static async Task<Results<Ok<PartnerImportView>, ProblemHttpResult>> Import(
        string vendorId, HttpRequest request, ClaimsPrincipal user, PartnerDirectory directory, TimeProvider clock, CancellationToken ct)
    {
        var max = ImportLimits.MaxBytes + 64 * 1024;
        if (request.ContentLength > max) return Refused(new PartnerImportOutcome.Refused(StatusCodes.Status413PayloadTooLarge, TooLarge));
        PartnerImportOutcome outcome;
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max }, ct);
                if (form.Files.GetFile("file") is not { } file)
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Attach the CSV as a file field named 'file'.");
                await using var stream = file.OpenReadStream();
                outcome = await ImportAsync(directory, vendorId, stream, KitEndpoints.Actor(user), clock.GetUtcNow(), ct);
            }
            else if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
                     && type.MediaType.Value?.ToLowerInvariant() is "text/csv" or "application/csv" or "text/plain" or "application/vnd.ms-excel")
            {
                outcome = await ImportAsync(directory, vendorId, request.Body, KitEndpoints.Actor(user), clock.GetUtcNow(), ct);
            }
            else
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                    title: "Send the partners as a text/csv body, or as multipart/form-data with a 'file'.");
            }
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) || e is BadHttpRequestException { StatusCode: 413 }
                ? Refused(new PartnerImportOutcome.Refused(StatusCodes.Status413PayloadTooLarge, TooLarge))
                : TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be read.", detail: e.Message);
        }
        return outcome switch
        {
            PartnerImportOutcome.Imported i => TypedResults.Ok(i.Result),
            PartnerImportOutcome.Refused r => Refused(r),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    private static string TooLarge => $"the file is larger than {ImportLimits.MaxBytes / (1024 * 1024)} MiB; split it into smaller files";

    private static ProblemHttpResult Refused(PartnerImportOutcome.Refused r) =>
        TypedResults.Problem(statusCode: r.StatusCode, title: "The partner file was not imported: " + r.Reason);

    /// <summary>Reads the CSV and stores each good row (an existing partner keeps the contacts the file does not mention). Used by the API and the console.</summary>
    public static async Task<PartnerImportOutcome> ImportAsync(
        PartnerDirectory directory, string vendorId, Stream csv, string by, DateTimeOffset now, CancellationToken ct)
    {
        // The request body only reads asynchronously; the file is small enough to hold, and the limit is enforced while copying.
        using var buffered = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await csv.ReadAsync(buffer, ct)) > 0)
        {
            if (buffered.Length + read > ImportLimits.MaxBytes) return new PartnerImportOutcome.Refused(StatusCodes.Status413PayloadTooLarge, TooLarge);
            buffered.Write(buffer, 0, read);
        }
        buffered.Position = 0;
        var (result, error) = PartnerImport.Read(buffered, ImportLimits);
        if (result is null)
            return new PartnerImportOutcome.Refused(StatusCodes.Status400BadRequest, error!);
        int created = 0, updated = 0, unchanged = 0;
        // Ids are unique within a file (duplicates are rejected rows), so rows never race each other.
        await Parallel.ForEachAsync(result.Partners, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (row, token) =>
        {
            var saved = await directory.SaveAsync(vendorId, row.Partner, by, now,
                merge: existing => PartnerImport.Merge(existing, row.Partner, result.HasStatusColumn), ct: token);
            _ = saved.Kind switch
            {
                PartnerSaveKind.Created => Interlocked.Increment(ref created),
                PartnerSaveKind.Updated => Interlocked.Increment(ref updated),
                _ => Interlocked.Increment(ref unchanged),
            };
        });
        return new PartnerImportOutcome.Imported(new PartnerImportView(created, updated, unchanged, result.Rejected));
    }
}
