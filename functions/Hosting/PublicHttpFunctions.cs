namespace Tcma.Functions.Hosting;

/// <summary>
/// The HTTP functions the Functions host forwards to the app. The host forwards only requests whose path matches
/// a declared route, so every page and API prefix is declared here, and never a root catch-all: that would also
/// forward <c>/{FunctionName}</c>, the host-only invocation path of queue and timer functions. A test proves every
/// endpoint the app maps is reachable through one of these routes.
/// </summary>
public static class PublicHttpFunctions
{
    private static readonly string[] Read = ["GET", "HEAD"];
    private static readonly string[] Forms = ["GET", "HEAD", "POST"];
    private static readonly string[] Api = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

    public static IReadOnlyList<FunctionDefinition> All { get; } =
    [
        new("Api", new HttpFunctionTrigger("api/{*rest}", Api), null),
        new("Console", new HttpFunctionTrigger("console/{*rest}", Forms), null),
        new("Partner", new HttpFunctionTrigger("partner/{*rest}", Forms), null),
        new("SignIn", new HttpFunctionTrigger("signin/{*rest}", Forms), null),
        new("SignOut", new HttpFunctionTrigger("signout", ["POST"]), null),
        new("Forbidden", new HttpFunctionTrigger("forbidden", Forms), null),
        new("Error", new HttpFunctionTrigger("error", Forms), null),
        // Partners' public landing pages: /p/{vendorId}/{partnerId}/{kitId}, their form, thank-you page and logo.
        new("LandingPages", new HttpFunctionTrigger("p/{*rest}", Forms), null),
        new("MdfActions", new HttpFunctionTrigger("mdf/{*rest}", Forms), null),
        // Deal registration approvals from email: /deals/act/{token} (GET shows, POST acts).
        new("DealActions", new HttpFunctionTrigger("deals/{*rest}", Forms), null),
        new("Assets", new HttpFunctionTrigger("assets/{*rest}", Read), null),
        // Campaign emails: unsubscribe (GET shows, POST and one-click act) and tracked-link redirects.
        new("Unsubscribe", new HttpFunctionTrigger("u/{token}", ["GET", "POST"]), null),
        new("TrackedLink", new HttpFunctionTrigger("r/{token}", ["GET"]), null),
        // The open pixel at the end of every campaign email's HTML.
        new("OpenPixel", new HttpFunctionTrigger("o/{token}", ["GET"]), null),
        // Razor components' own endpoints (e.g. redirects during enhanced navigation).
        new("Framework", new HttpFunctionTrigger("_framework/{*rest}", Read), null),
    ];

    public static IServiceCollection AddPublicHttpFunctions(this IServiceCollection services)
    {
        foreach (var function in All) services.AddFunction(function);
        return services;
    }
}
