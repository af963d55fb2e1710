using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Storage;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;
using ValidationProblem = Microsoft.AspNetCore.Http.HttpResults.ValidationProblem;

namespace Tcma.Functions.Leads;

/// <summary>A submission as a vendor's system sends it to the API; the server adds the id, the source and the time.</summary>
public sealed record LeadCaptureRequest
{
    public string? Email { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
    public string? Company { get; init; }
    public string? JobTitle { get; init; }
    public string? Country { get; init; }
    public string? Region { get; init; }
    public string? PostalCode { get; init; }
    public string? CompanySize { get; init; }
    public string? ProductInterest { get; init; }
    public string? ConsentText { get; init; }
    public string? SourcePage { get; init; }
    public string? IpAddress { get; init; }
    public string? Honeypot { get; init; }
}

public sealed record LeadCaptured(string SubmissionId);

public static class LeadEndpoints
{
    public const string CapturedFunction = "LeadCaptured";
    public const string CapturedQueue = "leads-captured";
    public const string IdempotencyKeyHeader = "Idempotency-Key";
    /// <summary>Every field at its maximum is under 8 KiB; 32 KiB leaves room for JSON escaping and nothing more.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    public static WebApplicationBuilder AddLeads(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LeadStore>();
        builder.Services.AddSingleton<LeadDemo>();
        builder.Services.AddFunction(new FunctionDefinition(CapturedFunction, new QueueFunctionTrigger(CapturedQueue), RecordFromQueueAsync));
        return builder;
    }

    public static WebApplication MapLeads(this WebApplication app)
    {
        var leads = app.MapGroup("/api/vendors/{vendorId}/leads").RequireVendorScope().WithTags("Leads");
        // A vendor's system (API key) or a channel manager; a plain VendorUser may read leads but not create them.
        leads.MapPost("/", Capture).RequireAuthorization(Policies.ChannelManager).DisableAntiforgery();
        leads.MapGet("/{leadId}", Get).RequireAuthorization(Policies.VendorUser);
        return app;
    }

    /// <summary>
    /// Checks the submission and puts it on the queue; 202 only once the queue has it, so nothing acknowledged is
    /// lost. A client retrying after a timeout sends the same <c>Idempotency-Key</c>: it becomes the submission id,
    /// and the queue function records a submission id once however often it arrives. A filled honeypot gets the
    /// same 202 and is neither stored nor queued.
    /// </summary>
    private static async Task<Results<Accepted<LeadCaptured>, ValidationProblem, ProblemHttpResult>> Capture(
        string vendorId, HttpRequest request, ClaimsPrincipal user, IMessageSender messages, TimeProvider clock, CancellationToken ct)
    {
        var idempotencyKey = request.Headers[IdempotencyKeyHeader].ToString();
        if (idempotencyKey.Length > 0 && (idempotencyKey.Length > 100 || !TableKeys.IsValid(idempotencyKey) || idempotencyKey.Any(char.IsWhiteSpace)))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [IdempotencyKeyHeader] = ["must be at most 100 characters without spaces, '/', '\\', '#' or '?'"] });

        var body = await ReadBodyAsync(request, ct);
        if (body is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: $"A lead submission is at most {MaxBodyBytes / 1024} KiB.");
        LeadCaptureRequest? input;
        try
        {
            input = JsonSerializer.Deserialize<LeadCaptureRequest>(body, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not a JSON lead submission.", detail: e.Message);
        }
        if (input is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The body is not a JSON lead submission.");

        var submission = new LeadSubmission
        {
            SubmissionId = idempotencyKey.Length > 0 ? idempotencyKey : Guid.NewGuid().ToString("N"),
            VendorId = vendorId,
            Source = new LeadSource.Api(user.FindFirst(TcmaClaims.ApiKeyId)?.Value ?? user.Identity?.Name ?? "console"),
            ReceivedAt = clock.GetUtcNow(),
            Email = input.Email, FirstName = input.FirstName, LastName = input.LastName, Phone = input.Phone,
            Company = input.Company, JobTitle = input.JobTitle, Country = input.Country, Region = input.Region,
            PostalCode = input.PostalCode, CompanySize = input.CompanySize, ProductInterest = input.ProductInterest,
            ConsentText = input.ConsentText, SourcePage = input.SourcePage, IpAddress = input.IpAddress, Honeypot = input.Honeypot,
        };
        switch (SubmissionValidation.Check(submission))
        {
            case SubmissionCheck.Invalid invalid:
                return TypedResults.ValidationProblem(
                    invalid.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                    title: "The lead has problems; nothing was captured.");
            case SubmissionCheck.Valid:
                await messages.SendAsync(CapturedQueue, submission, cancellationToken: ct);
                break;
        }
        return TypedResults.Accepted((string?)null, new LeadCaptured(submission.SubmissionId));
    }

    /// <summary>The lead as data (JSON): the person, the consent as given and every activity. Text is never turned into markup here.</summary>
    private static async Task<Results<Ok<Lead>, ProblemHttpResult>> Get(string vendorId, string leadId, LeadStore store, CancellationToken ct) =>
        await store.GetAsync(vendorId, leadId, ct) is { } lead
            ? TypedResults.Ok(lead)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found");

    /// <summary>
    /// Records one captured submission (see <see cref="LeadStore.RecordAsync"/>). A message that is not a submission,
    /// or no longer passes validation, throws: the host retries, then moves it to <c>leads-captured-poison</c> with the reason logged.
    /// </summary>
    internal static async Task RecordFromQueueAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var submission = invocation.ReadMessage<LeadSubmission>() ?? throw new InvalidDataException("empty lead submission");
        var valid = SubmissionValidation.Check(submission) switch
        {
            SubmissionCheck.Valid v => v.Submission,
            SubmissionCheck.Invalid i => throw new InvalidDataException($"lead submission {submission.SubmissionId} is invalid: {string.Join("; ", i.Errors)}"),
            _ => null,
        };
        if (valid is null) return;
        var clock = services.GetRequiredService<TimeProvider>();
        var (outcome, lead) = await services.GetRequiredService<LeadStore>().RecordAsync(valid, clock.GetUtcNow(), Deduplication.DefaultWindow, ct);
        services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LeadEndpoints))
            .LogInformation("Submission {SubmissionId} of {VendorId}: {Outcome} lead {LeadId}", valid.SubmissionId, valid.VendorId, outcome, lead.Id);
        // A new lead is routed; a merge re-routes nothing. A redelivery of a submission that created its lead routes again,
        // which the routing workflow recognises (start once, one decision per hop): a crash before routing is finished here.
        if (outcome != CaptureOutcome.Merged && lead.Id == LeadStore.LeadId(valid.VendorId, valid.SubmissionId))
            await services.GetRequiredService<LeadRoutingService>().StartAndRouteAsync(lead, ct);
        // After the lead's write, before this message is deleted (the message is the outbox): see NotifyCapturedAsync.
        await CrmWebhookDelivery.NotifyCapturedAsync(services, valid, lead, ct);
    }

    /// <summary>Null when the body is over the limit, whatever Content-Length claimed.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes) return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[8 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
