using System.Security.Claims;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Tcma.Domain.Leads;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Functions.Kits;
using Tcma.Storage.Leads;
using Tcma.Syndication;

namespace Tcma.Functions.Leads;

public sealed record CrmWebhookRequest(string? Url, bool RotateSecret = false);

/// <summary>The configuration as the API shows it. Secret is set only in the answer that created it: it is never shown again.</summary>
public sealed record CrmWebhookView(string Url, DateTimeOffset SecretCreatedAt, DateTimeOffset UpdatedAt, string UpdatedBy, string? Secret, string SignatureHeader, int SchemaVersion);

public sealed record CrmDeliveriesView(IReadOnlyList<CrmDeliveryAttempt> Recent, IReadOnlyList<CrmDeliveryState> DeadLetters);

public static class CrmWebhookEndpoints
{
    public const int MaxUrlLength = 2048;

    public static WebApplicationBuilder AddCrmWebhooks(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CrmWebhookStore>();
        builder.Services.AddSingleton<ICrmSecretProtector, CrmSecretProtector>();
        builder.Services.AddSingleton<CrmWebhookDelivery>();
        builder.Services.AddOptions<CrmWebhookOptions>().BindConfiguration(CrmWebhookOptions.Section);
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddHttpClient(CrmWebhookDelivery.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => CrmWebhookDelivery.Handler(AllowsPrivate(sp.GetRequiredService<IOptions<CrmWebhookOptions>>().Value, development)));
        builder.Services.AddFunction(new FunctionDefinition(CrmWebhookDelivery.FunctionName, new QueueFunctionTrigger(CrmNotification.Queue), CrmWebhookDelivery.HandleAsync));
        return builder;
    }

    public static WebApplication MapCrmWebhooks(this WebApplication app)
    {
        var crm = app.MapGroup("/api/vendors/{vendorId}/crm-webhook").RequireVendorScope().WithTags("Leads");
        crm.MapPut("/", Put).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        crm.MapGet("/", Get).RequireAuthorization(Policies.VendorAdmin);
        crm.MapGet("/schema", () => TypedResults.Json(CrmWebhook.Schema(), contentType: "application/schema+json")).RequireAuthorization(Policies.VendorUser);
        crm.MapGet("/deliveries", Deliveries).RequireAuthorization(Policies.VendorAdmin);
        crm.MapPost("/dead-letters/{eventId}/replay", Replay).RequireAuthorization(Policies.VendorAdmin).DisableAntiforgery();
        return app;
    }

    private static bool AllowsPrivate(CrmWebhookOptions options, bool development) => options.AllowPrivateAddresses ?? development;

    /// <summary>
    /// Sets where lead changes go. https only; plain http only to a loopback address where private addresses are allowed
    /// (Development, tests). The first PUT, and one with rotateSecret, answers with the new secret; no other answer has it.
    /// </summary>
    private static async Task<Results<Ok<CrmWebhookView>, ValidationProblem>> Put(
        string vendorId, CrmWebhookRequest? body, ClaimsPrincipal user, CrmWebhookStore store, TimeProvider clock,
        IOptions<CrmWebhookOptions> options, IHostEnvironment environment, CancellationToken ct)
    {
        var url = body?.Url?.Trim();
        string? problem = null;
        if (string.IsNullOrEmpty(url)) problem = "is required";
        else if (url.Length > MaxUrlLength) problem = $"is longer than {MaxUrlLength} characters";
        else if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) problem = "is not an absolute URL";
        else if (uri.UserInfo.Length > 0) problem = "must not carry a user name or password; the signature authenticates us";
        else if (uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback && AllowsPrivate(options.Value, environment.IsDevelopment())))
            problem = "must be an https:// address";
        if (problem is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = [problem] }, title: "The CRM webhook was not saved.");
        var (config, secret) = await store.SaveConfigAsync(vendorId, url!, body!.RotateSecret, KitEndpoints.Actor(user), clock.GetUtcNow(), ct);
        return TypedResults.Ok(View(config, secret));
    }

    private static async Task<Results<Ok<CrmWebhookView>, ProblemHttpResult>> Get(string vendorId, CrmWebhookStore store, CancellationToken ct) =>
        await store.GetConfigAsync(vendorId, ct) is { } config
            ? TypedResults.Ok(View(config, null))
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No CRM webhook is set up.");

    private static async Task<Ok<CrmDeliveriesView>> Deliveries(string vendorId, CrmWebhookStore store, CancellationToken ct) =>
        TypedResults.Ok(new CrmDeliveriesView(await store.RecentAsync(vendorId, 50, ct), await store.DeadLettersAsync(vendorId, 50, ct)));

    private static async Task<Results<Accepted, ProblemHttpResult>> Replay(string vendorId, string eventId, CrmWebhookDelivery delivery, CancellationToken ct) =>
        await delivery.ReplayAsync(vendorId, eventId, ct)
            ? TypedResults.Accepted((string?)null)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No dead-lettered delivery with that event id.");

    private static CrmWebhookView View(CrmWebhookConfig c, string? secret) =>
        new(c.Url, c.SecretCreatedAt, c.UpdatedAt, c.UpdatedBy, secret, WebhookSignature.HeaderName, CrmWebhook.SchemaVersion);
}

/// <summary>
/// The CRM secret under the social tokens' AES-GCM protector and keys (<c>Syndication:TokenKeys</c>, rotated the same
/// way). The binding names the purpose as well as the vendor, so neither a social token nor another vendor's secret
/// decrypts in its place. Resolved at first use: the store must still list configs when the keys are missing.
/// </summary>
internal sealed class CrmSecretProtector(IServiceProvider services) : ICrmSecretProtector
{
    private static string Binding(string vendorId) => $"crm-webhook-secret|{vendorId}";

    public string Protect(string secret, string vendorId) => services.GetRequiredService<SocialTokenProtector>().Protect(secret, Binding(vendorId));

    public string Unprotect(string protectedSecret, string vendorId)
    {
        try
        {
            return services.GetRequiredService<SocialTokenProtector>().Unprotect(protectedSecret, Binding(vendorId));
        }
        catch (Exception e) when (e is SocialTokenException or InvalidOperationException)
        {
            throw new System.Security.Cryptography.CryptographicException(e.Message, e);
        }
    }
}
