using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Tcma.Functions.Hosting;
using Tcma.Functions.Web;
using Tcma.Storage;
using Tcma.Storage.Identity;

namespace Tcma.Functions.Identity;

public static class IdentityApp
{
    public static WebApplicationBuilder AddIdentity(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => StorageAccount.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<VendorUserStore>();
        services.AddSingleton<TokenUseStore>();
        services.AddSingleton<LinkTokens>();
        services.AddSingleton<PartnerSessionStore>();
        services.AddSingleton<PartnerSessions>();
        services.AddSingleton<PartnerSignIn>();
        services.TryAddSingleton<Tcma.Storage.Leads.RateLimitStore>();
        services.AddOptions<PartnerPortalOptions>().BindConfiguration(PartnerPortalOptions.Section);
        services.AddFunction(new FunctionDefinition(PartnerSignIn.FunctionName, new QueueFunctionTrigger(PartnerSignIn.Queue), PartnerSignIn.HandleAsync));
        services.AddMemoryCache();
        services.AddProblemDetails();

        services.AddOptions<TokenOptions>()
            .BindConfiguration(TokenOptions.Section)
            .PostConfigure<IHostEnvironment>((o, env) => { if (env.IsDevelopment()) LinkTokens.GenerateDevelopmentKey(o); })
            // Checked when the first link is made or opened, not at start-up: an app without links to sign (a benchmark,
            // a trigger-only test) still boots, while any link use fails loudly until keys are configured.
            .Validate(TokenOptions.IsValid, "Tokens:Keys must hold Base64 secrets of 32+ bytes under 1-16 letter/digit ids, and Tokens:ActiveKey must name one of them.");

        services.AddAuthentication(Schemes.Tcma)
            .AddPolicyScheme(Schemes.Tcma, "Tcma", o => o.ForwardDefaultSelector = Schemes.Select)
            .AddScheme<AuthenticationSchemeOptions, NobodyAuthentication>(Schemes.Nobody, null)
            .AddScheme<AuthenticationSchemeOptions, AppServiceAuthentication>(Schemes.AppService, null)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(Schemes.ApiKey, null)
            .AddScheme<AuthenticationSchemeOptions, PartnerLinkAuthentication>(Schemes.PartnerLink, null)
            .AddScheme<AuthenticationSchemeOptions, PartnerSessionAuthentication>(Schemes.PartnerSession, null)
            .AddCookie(Schemes.DevCookie, o =>
            {
                o.Cookie.Name = "tcma.dev";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.Events.OnRedirectToLogin = c => Schemes.ChallengeAsync(c.HttpContext);
                o.Events.OnRedirectToAccessDenied = c => Schemes.ForbidAsync(c.HttpContext);
            });
        services.AddAuthorization(Policies.Add);
        services.AddAntiforgery(o => o.Cookie.Name = "tcma.af");
        return builder;
    }

    public static WebApplication MapIdentity(this WebApplication app)
    {
        app.UseErrorHandling();
        // Routing answers a known path called with the wrong method through a 405 endpoint that carries no
        // metadata; without this the deny-by-default policy would send the caller to sign-in instead.
        app.Use((context, next) => context.GetEndpoint() is { DisplayName: "405 HTTP Method Not Supported", RequestDelegate: { } answer405 }
            ? answer405(context)
            : next(context));
        app.UseAuthentication();
        // A partner page opened from any partner's emailed link opens (or keeps) that partner's portal session.
        // Resolved only for such a request: the token service refuses to exist while keys are not configured.
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.AuthenticationType == Schemes.PartnerLink && HttpMethods.IsGet(context.Request.Method))
                await context.RequestServices.GetRequiredService<PartnerSessions>().OpenFromLinkAsync(context, context.RequestAborted);
            await next(context);
        });
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapApiKeys();
        app.MapSignIn();
        app.MapPartnerSessions();
        return app;
    }
}
