using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;

namespace Tcma.Functions.Leads;

public static class LeadImportEndpoints
{
    public static WebApplicationBuilder AddLeadImports(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LeadImports>();
        return builder;
    }

    public static WebApplication MapLeadImports(this WebApplication app)
    {
        app.MapPost("/api/vendors/{vendorId}/leads/imports", Import).RequireVendorScope().WithTags("Leads")
            .RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        return app;
    }

    /// <summary>
    /// A CSV of leads, as a text/csv body or a multipart <c>file</c>; <c>consentText</c> (query or form field) applies to
    /// rows without a Consent text column. 200 with what was queued and every rejected row; the same file again queues
    /// nothing (AlreadyImported). 413 over the size limit, 400 for a file that is not CSV or lacks columns, 415 otherwise.
    /// </summary>
    private static async Task<Results<Ok<LeadImportView>, ProblemHttpResult>> Import(
        string vendorId, HttpRequest request, ClaimsPrincipal user, LeadImports imports, CancellationToken ct)
    {
        var max = LeadImports.Limits.MaxBytes + 64 * 1024;
        if (request.ContentLength > max) return Refused(StatusCodes.Status413PayloadTooLarge, $"the file is larger than {LeadImports.Limits.MaxBytes / (1024 * 1024)} MiB; split it into smaller files");
        LeadImportOutcome outcome;
        try
        {
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max }, ct);
                if (form.Files.GetFile("file") is not { } file)
                    return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Attach the CSV as a file field named 'file'.");
                await using var stream = file.OpenReadStream();
                var consent = form["consentText"].ToString();
                outcome = await imports.ImportAsync(vendorId, stream, file.FileName, consent.Length > 0 ? consent : request.Query["consentText"], KitEndpoints.Actor(user), ct);
            }
            else if (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
                     && type.MediaType.Value?.ToLowerInvariant() is "text/csv" or "application/csv" or "text/plain" or "application/vnd.ms-excel")
            {
                outcome = await imports.ImportAsync(vendorId, request.Body, "leads.csv", request.Query["consentText"], KitEndpoints.Actor(user), ct);
            }
            else
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Send the leads as a text/csv body, or as multipart/form-data with a 'file'.");
            }
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The form could not be read.", detail: e.Message);
        }
        return outcome switch
        {
            LeadImportOutcome.Imported i => TypedResults.Ok(i.Result),
            LeadImportOutcome.Refused r => Refused(r.StatusCode, r.Reason),
            _ => throw new InvalidOperationException($"unexpected outcome {outcome}"),
        };
    }

    private static ProblemHttpResult Refused(int status, string reason) =>
        TypedResults.Problem(statusCode: status, title: "The lead file was not imported: " + reason);
}
