using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Tcma.Syndication;

namespace Tcma.UnitTests.Syndication;

public sealed class SyndicationRegistrationTests
{
    private static ServiceProvider Build(string environment, Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build())
            .AddLogging()
            .AddSyndication(new Environment(environment))
            .BuildServiceProvider();

    [Fact]
    public void Development_without_keys_gets_a_development_key()
    {
        using var services = Build(Environments.Development, []);

        var protector = services.GetRequiredService<SocialTokenProtector>();

        Assert.Equal("secret", protector.Unprotect(protector.Protect("secret", "X:1"), "X:1"));
    }

    [Fact]
    public void Production_without_keys_refuses_to_protect_anything()
    {
        using var services = Build(Environments.Production, []);

        Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<SocialTokenProtector>());
    }

    [Fact]
    public void Settings_bind_to_the_connectors_and_default_to_the_real_hosts()
    {
        using var services = Build(Environments.Production, new()
        {
            ["Syndication:X:BaseUrl"] = "http://127.0.0.1:5999/",
            ["Syndication:LinkedIn:Version"] = "202701",
            ["Syndication:TokenKeys:k1"] = Convert.ToBase64String(new byte[32]),
            ["Syndication:ActiveTokenKey"] = "k1",
        });

        var options = services.GetRequiredService<IOptions<SyndicationOptions>>().Value;

        Assert.Equal("http://127.0.0.1:5999/", options.X.BaseUrl.ToString());
        Assert.Equal("202701", options.LinkedIn.Version);
        Assert.Equal("https://api.linkedin.com/", options.LinkedIn.BaseUrl.ToString());
        Assert.Equal("https://graph.facebook.com/", options.Facebook.BaseUrl.ToString());
        Assert.Equal(3, services.GetServices<ISocialConnector>().Select(c => c.Network).Distinct().Count());
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "Tcma.UnitTests";
        public string ContentRootPath { get; set; } = "/";
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
