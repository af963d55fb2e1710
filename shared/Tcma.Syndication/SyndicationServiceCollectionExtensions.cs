using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Tcma.Syndication;

public static class SyndicationServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>Syndication:*</c>, registers the token protector and one typed HttpClient per connector. In
    /// Development, with no key configured, a fixed development key is used; anywhere else a missing key fails
    /// at the first use of the protector instead of storing tokens unencrypted.
    /// </summary>
    public static IServiceCollection AddSyndication(this IServiceCollection services, IHostEnvironment? environment = null)
    {
        services.AddOptions<SyndicationOptions>()
            .BindConfiguration(SyndicationOptions.Section)
            .PostConfigure(options =>
            {
                if (environment?.IsDevelopment() == true && options.TokenKeys.Count == 0)
                {
                    options.TokenKeys["dev"] = SocialTokenProtector.DevelopmentKey;
                    options.ActiveTokenKey ??= "dev";
                }
            });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SocialTokenProtector>();
        services.AddHttpClient<LinkedInConnector>();
        services.AddHttpClient<XConnector>();
        services.AddHttpClient<FacebookConnector>();
        services.AddHttpClient<SocialOAuthClient>();
        services.AddTransient<ISocialConnector>(sp => sp.GetRequiredService<LinkedInConnector>());
        services.AddTransient<ISocialConnector>(sp => sp.GetRequiredService<XConnector>());
        services.AddTransient<ISocialConnector>(sp => sp.GetRequiredService<FacebookConnector>());
        return services;
    }

    public static ISocialConnector For(this IEnumerable<ISocialConnector> connectors, SocialNetwork network) =>
        connectors.Single(c => c.Network == network);
}
