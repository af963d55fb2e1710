using Microsoft.AspNetCore.Authorization;

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
        return builder;
    }

    public static WebApplication MapWeb(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            // People get a page, programs a ProblemDetails; neither sees the exception.
            app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), b => b.UseExceptionHandler("/error", createScopeForErrors: true));
            app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), b => b.UseExceptionHandler());
        }
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
