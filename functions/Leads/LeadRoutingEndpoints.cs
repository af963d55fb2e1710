using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.Domain.Partners;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Functions.Web;
using Tcma.Storage.Leads;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Leads;

/// <summary>A partner's routing settings as the vendor sends them.</summary>
public sealed record PartnerLeadRoutingInput(IReadOnlyList<Territory>? Territories, int? Weight, IReadOnlyList<string>? OptedOutProducts, int? MaxOpenUnaccepted);

/// <summary>
/// Lead routing: the vendor's rules (<c>/api/vendors/{v}/lead-routing</c>), a partner's routing settings, and the two queue
/// functions that choose partners (<c>leads-route</c>) and keep lead rows in step with their workflow (<c>leads-sync</c>).
/// </summary>
public static class LeadRoutingEndpoints
{
    public const string RouteFunction = "LeadRoute";
    public const string SyncFunction = "LeadSync";

    public static WebApplicationBuilder AddLeadRouting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LeadRoutingOptions>().BindConfiguration(LeadRoutingOptions.Section);
        builder.Services.AddSingleton<LeadRoutingStore>();
        builder.Services.AddSingleton<LeadRoutingService>();
        builder.Services.AddWorkflow<LeadRoutingWorkflow>();
        builder.Services.AddFunction(new FunctionDefinition(RouteFunction, new QueueFunctionTrigger(LeadRoutingWorkflow.RouteQueue), RouteFromQueueAsync));
        builder.Services.AddFunction(new FunctionDefinition(SyncFunction, new QueueFunctionTrigger(LeadRoutingWorkflow.SyncQueue), SyncFromQueueAsync));
        return builder;
    }

    public static WebApplication MapLeadRouting(this WebApplication app)
    {
        var group = app.MapGroup("/api/vendors/{vendorId}/lead-routing").RequireVendorScope().WithTags("Leads");
        group.MapGet("/", GetRules).RequireAuthorization(Policies.VendorAdmin);
        group.MapPut("/", PutRules).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        group.MapPut("/partners/{partnerId}", PutPartner).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        return app;
    }

    private static async Task<JsonHttpResult<LeadRoutingRules>> GetRules(string vendorId, LeadRoutingStore store, HttpResponse response, CancellationToken ct)
    {
        var (rules, etag) = await store.GetRulesAsync(vendorId, ct);
        if (etag is { } e) response.Headers.ETag = e.ToString();
        return TypedResults.Json(rules, Json);
    }

    /// <summary>Replaces the rules; <c>If-Match</c> makes it apply only over the version the caller read. Leads already being routed keep the SLA they started with.</summary>
    private static async Task<Results<JsonHttpResult<LeadRoutingRules>, ValidationProblem, ProblemHttpResult>> PutRules(
        string vendorId, HttpRequest request, LeadRoutingStore store, CancellationToken ct)
    {
        var (rules, bad) = await JsonBody.ReadAsync<LeadRoutingRules>(request, 16 * 1024, Json, "routing rules as JSON", ct);
        if (rules is null) return bad!;
        if (rules.Problems() is { Count: > 0 } problems)
            return TypedResults.ValidationProblem(problems, title: "The routing rules have problems; nothing was changed.");
        var ifMatch = request.Headers.IfMatch.ToString();
        var (saved, etag) = await store.SaveRulesAsync(vendorId, rules, ifMatch.Length > 0 ? ifMatch : null, ct);
        if (!saved) return TypedResults.Problem(statusCode: StatusCodes.Status412PreconditionFailed, title: "The rules changed since you read them; read them again.");
        request.HttpContext.Response.Headers.ETag = etag.ToString();
        return TypedResults.Json(rules, Json);
    }

    private static async Task<Results<Ok<Partner>, ValidationProblem, NotFound<ProblemDetails>>> PutPartner(
        string vendorId, string partnerId, PartnerLeadRoutingInput input, PartnerDirectory directory, TimeProvider clock, HttpContext context, CancellationToken ct)
    {
        var problems = new Dictionary<string, string[]>();
        var territories = input.Territories ?? [];
        if (territories.Count > 200 || territories.Any(t => t is null || t.Country is not { Length: 2 } || !t.Country.All(char.IsAsciiLetter)
            || t.Region?.Length > 60 || t.PostalPrefix?.Length > 12))
            problems["territories"] = ["At most 200 territories, each a two-letter country with an optional region (60) or postal prefix (12)."];
        if (input.Weight is < 1 or > 100) problems["weight"] = ["The weight is between 1 and 100."];
        if (input.MaxOpenUnaccepted is < 1 or > 10_000) problems["maxOpenUnaccepted"] = ["The capacity is between 1 and 10,000 open leads."];
        if (input.OptedOutProducts is { } products && (products.Count > 50 || products.Any(p => string.IsNullOrWhiteSpace(p) || p.Length > 60)))
            problems["optedOutProducts"] = ["At most 50 products of 1-60 characters."];
        if (problems.Count > 0) return TypedResults.ValidationProblem(problems);

        var routing = new PartnerLeadRouting(
            [.. territories.Select(t => new Territory(t.Country.ToUpperInvariant(), t.Region?.Trim() is { Length: > 0 } r ? r : null, t.PostalPrefix?.Trim() is { Length: > 0 } p ? p : null))],
            input.Weight ?? 1, input.OptedOutProducts?.Select(p => p.Trim()).ToList() ?? [], input.MaxOpenUnaccepted);
        if (await directory.GetAsync(vendorId, partnerId, ct) is not { } existing)
            return TypedResults.NotFound(new ProblemDetails { Title = "Not found", Status = 404 });
        var outcome = await directory.SaveAsync(vendorId, existing.Partner, context.User.Identity?.Name ?? "api", clock.GetUtcNow(),
            ifMatch: "*", merge: current => (current ?? existing.Partner) with { LeadRouting = routing }, ct: ct);
        return outcome.Stored is { } stored ? TypedResults.Ok(stored.Partner) : TypedResults.NotFound(new ProblemDetails { Title = "Not found", Status = 404 });
    }

    /// <summary>A malformed request throws (retried, then <c>leads-route-poison</c>); a request for a hop already decided is a no-op.</summary>
    internal static async Task RouteFromQueueAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var request = Parse<RouteRequest>(invocation);
        await services.GetRequiredService<LeadRoutingService>().RouteAsync(request.VendorId, request.LeadId, request.Hop, ct);
    }

    internal static async Task SyncFromQueueAsync(FunctionInvocation invocation, IServiceProvider services, CancellationToken ct)
    {
        var request = Parse<LeadSyncRequest>(invocation);
        await services.GetRequiredService<LeadRoutingService>().SyncAsync(request.VendorId, request.LeadId, ct);
    }

    private static T Parse<T>(FunctionInvocation invocation) =>
        invocation.ReadMessage<T>(JsonSerializerOptions.Web) ?? throw new InvalidDataException($"empty {typeof(T).Name}");

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };
}
