using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;

namespace Tcma.Functions.Web;

/// <summary>
/// Server-rendered pages (static SSR Razor components, no client framework). Pages live under
/// <c>/console</c> (vendor users), <c>/partner</c> (partners with a signed link), <c>/signin</c>, <c>/forbidden</c>
/// and <c>/error</c>; the stylesheet under <c>/assets</c>.
/// </summary>
public static class WebApp
{
    public static WebApplicationBuilder AddWeb(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        return builder;
    }

    /// <summary>
    /// Outside Development, people get the error page and programs a ProblemDetails; neither sees the exception.
    /// Called before authentication (from MapIdentity) so a failing sign-in lookup is handled the same way.
    /// </summary>
    internal static void UseErrorHandling(this WebApplication app)
    {
        if (app.Environment.IsDevelopment()) return;
        // One handler, not a branch per audience: branched pipelines lose the app's routes, so /error would not be found.
        app.UseExceptionHandler("/error", createScopeForErrors: true);
    }

    /// <summary>API callers get a bare 500 ProblemDetails; everyone else falls through to the /error page.</summary>
    private sealed class ApiExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            // By now the request path is already /error; the feature keeps the path that failed.
            var path = new PathString(context.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? context.Request.Path);
            if (!path.StartsWithSegments("/api")) return false;
            await TypedResults.Problem(statusCode: StatusCodes.Status500InternalServerError, title: "Something went wrong").ExecuteAsync(context);
            return true;
        }
    }

    public static WebApplication MapWeb(this WebApplication app)
    {
        app.UseStaticFiles();
        app.MapRazorComponents<App>().Add(endpoint =>
        {
            // Blazor's own plumbing (e.g. /_framework/opaque-redirect) serves no data; pages declare their policies themselves.
            if (endpoint is RouteEndpointBuilder route && route.RoutePattern.RawText?.StartsWith("/_framework/", StringComparison.Ordinal) == true)
                endpoint.Metadata.Add(new AllowAnonymousAttribute());
        });
        return app;
    }
}
