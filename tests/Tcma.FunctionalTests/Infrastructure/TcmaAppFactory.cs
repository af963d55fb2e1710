using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Tcma.FunctionalTests.Infrastructure;

/// <summary>
/// The real app against the shared Azurite and maildev, isolated by a unique storage name prefix.
/// Create one with <see cref="StartAsync"/>; pass a <see cref="FakeTimeProvider"/> to drive SLAs,
/// deadlines and timers; ask for Kestrel when a real browser or a real socket must reach the app.
/// </summary>
public sealed class TcmaAppFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> settings;
    private readonly FakeTimeProvider? clock;

    private TcmaAppFactory(Dictionary<string, string?> settings, FakeTimeProvider? clock)
    {
        this.settings = settings;
        this.clock = clock;
    }

    public string StoragePrefix => settings["Storage:NamePrefix"]!;
    public string StorageConnectionString => settings["AzureWebJobsStorage"]!;
    public MailDevInbox Inbox { get; private set; } = null!;
    public FakeTimeProvider? Clock => clock;

    /// <summary>The base address a browser uses; set when started with Kestrel.</summary>
    public Uri? PublicAddress { get; private set; }

    public static async Task<TcmaAppFactory> StartAsync(
        FakeTimeProvider? clock = null,
        IDictionary<string, string?>? overrides = null,
        bool kestrel = false,
        bool localTriggerHost = true)
    {
        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = "t" + Guid.NewGuid().ToString("N")[..12],
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = mail.SmtpPort.ToString(),
            ["LocalTriggerHost:Enabled"] = localTriggerHost ? "true" : "false",
        };
        foreach (var (k, v) in overrides ?? new Dictionary<string, string?>()) settings[k] = v;
        var factory = new TcmaAppFactory(settings, clock) { Inbox = mail.Inbox };
        if (kestrel)
        {
            var port = LocalServices.FreePort();
            factory.UseKestrel(port);
            factory.StartServer();
            factory.PublicAddress = new Uri($"http://127.0.0.1:{port}/");
        }
        else
        {
            _ = factory.Server; // start now, so start-up failures surface in the test that asked
        }
        return factory;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings) builder.UseSetting(key, value);
        if (clock is not null)
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
    }
}
