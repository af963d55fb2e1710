using Tcma.Domain;
using Tcma.Functions.Hosting;
using Tcma.Storage.Syndication;

namespace Tcma.Functions.Syndication;

/// <summary>Social publishing: the partner's connected accounts, the social-posts queue function and the ahead-of-time token check.</summary>
public static class SocialSyndicationApp
{
    public static WebApplicationBuilder AddSocialPublishing(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<SocialAccountStore>();
        services.AddSingleton<SocialPostLog>();
        services.AddTransient<SocialAccountAccess>();
        services.AddTransient<ReconnectNotices>();
        services.AddTransient<SocialPublisher>();
        services.AddTransient<SocialAccountChecks>();
        services.AddOptions<SocialPublishingOptions>().BindConfiguration(SocialPublishingOptions.Section);
        services.AddOptions<SocialAccountCheckOptions>().BindConfiguration(SocialAccountCheckOptions.Section);
        services.AddFunction(new FunctionDefinition(SocialPublisher.Function, new QueueFunctionTrigger(Tcma.Domain.Launches.SocialPostDue.Queue), SocialPublisher.HandleAsync));
        services.AddFunction(new FunctionDefinition(SocialAccountChecks.Function, new TimerFunctionTrigger(SocialAccountChecks.Schedule),
            (_, sp, ct) => sp.GetRequiredService<SocialAccountChecks>().RunAsync(ct)));
        return builder;
    }
}
