using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage.Launches;
using Tcma.Storage.Messaging;

namespace Tcma.FunctionalTests.Launches;

/// <summary>A send gate the test opens and closes per launch, standing in for the launch workflow's.</summary>
public sealed class TestSendGate : ILaunchSendGate
{
    private readonly HashSet<string> stopped = [];
    public void Stop(string launchId) { lock (stopped) stopped.Add(launchId); }

    public Task<bool> MaySendAsync(string vendorId, string launchId, string touchId, CancellationToken cancellationToken)
    {
        lock (stopped) return Task.FromResult(!stopped.Contains(launchId));
    }
}

/// <summary>
/// The real app (storage on Azurite, SMTP to maildev, the local trigger host draining campaign-emails) with a fake
/// clock and a test send gate. The factory's own instance starts without a trigger host; the one with the gate,
/// derived from it, is the one that runs.
/// </summary>
public sealed partial class CampaignMailTestApp : IAsyncDisposable
{
    public const string PublicBaseUrl = "https://mail.tcma.test";
    public const string Vendor = "northwind";

    private readonly TcmaAppFactory parent;
    private readonly WebApplicationFactory<Program> app;

    private CampaignMailTestApp(TcmaAppFactory parent, WebApplicationFactory<Program> app, TestSendGate gate)
    {
        this.parent = parent;
        this.app = app;
        Gate = gate;
    }

    public TestSendGate Gate { get; }
    public FakeTimeProvider Clock => parent.Clock!;
    public MailDevInbox Inbox => parent.Inbox;
    public IServiceProvider Services => app.Services;
    public string StoragePrefix => parent.StoragePrefix;
    public string StorageConnectionString => parent.StorageConnectionString;

    public static async Task<CampaignMailTestApp> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var all = new Dictionary<string, string?>
        {
            ["Email:PublicBaseUrl"] = PublicBaseUrl,
            ["Email:CampaignFrom"] = "campaigns@send.tcma.test",
            ["Email:PlatformName"] = "Tcma",
            ["Email:UnsubscribeMailbox"] = "unsubscribe@send.tcma.test",
            ["Email:CampaignRatePerSecond"] = "100000",
            ["Email:CampaignPartnerRatePerSecond"] = "100000",
            ["Email:Timeout"] = "00:00:05",
            ["Email:CampaignRecheckAfter"] = "00:00:01",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) all[k] = v;
        var parent = await TcmaAppFactory.StartAsync(clock, all, localTriggerHost: false);
        var gate = new TestSendGate();
        var app = parent.WithWebHostBuilder(b =>
        {
            b.UseSetting("LocalTriggerHost:Enabled", "true");
            b.ConfigureTestServices(s => s.AddSingleton<ILaunchSendGate>(gate));
        });
        _ = app.Server;
        return new CampaignMailTestApp(parent, app, gate);
    }

    public HttpClient Client() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    public Task SendAsync(CampaignEmail email) => Services.GetRequiredService<IMessageSender>().SendAsync(CampaignEmail.Queue, email);

    public async Task<CampaignSendRecord?> RecordAsync(CampaignEmail email) =>
        (await Services.GetRequiredService<CampaignSendLog>().GetAsync(email.VendorId, email.LaunchId, email.SendId))?.Record;

    /// <summary>Polls the send's record until it is in <paramref name="state"/> (and passes <paramref name="also"/>).</summary>
    public async Task<CampaignSendRecord> WaitForStateAsync(CampaignEmail email, CampaignSendState state, Func<CampaignSendRecord, bool>? also = null, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var record = await RecordAsync(email);
            if (record is not null && record.State == state && (also is null || also(record))) return record;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"send {email.SendId} is {record?.State.ToString() ?? "unrecorded"}, expected {state}");
            await Task.Delay(100);
        }
    }

    /// <summary>Changes a setting of the running app, as an App Service configuration change would.</summary>
    public void Reconfigure(string key, string value)
    {
        var configuration = (IConfigurationRoot)Services.GetRequiredService<IConfiguration>();
        configuration[key] = value;
        configuration.Reload();
    }

    public static CampaignEmail Email(string? recipient = null, string partnerId = "p-contoso", string? launchId = null, string touchId = "touch-1",
        string? html = null, string? text = null, string? sendId = null)
    {
        recipient ??= $"r{Guid.NewGuid():N}"[..13] + "@customer.example";
        launchId ??= "L" + Guid.NewGuid().ToString("N")[..10];
        return new CampaignEmail(Vendor, partnerId, launchId, touchId, sendId ?? $"{launchId}-{touchId}-{recipient}", recipient, "Ana Silva",
            "Contoso Systems", "sales@contoso.example", "Contoso Systems GmbH, Hauptstrasse 1, 10115 Berlin, Germany",
            "Back up your cloud in five minutes",
            html ?? "<html><body><p>Hello Ana,</p><p><a href=\"https://northwind.example/backup?ref=kit&amp;lang=de#pricing\">See pricing</a></p>" +
                    "<p><a href='https://contoso.example/contact'>Talk to us</a> or <a href=\"javascript:alert(1)\">this</a> or <a href=\"data:text/html,hi\">that</a></p>" +
                    $"<p><a href=\"{CampaignEmail.UnsubscribePlaceholder}\">Not interested?</a></p></body></html>",
            text ?? $"Hello Ana,\nSee pricing: https://northwind.example/backup?ref=kit&lang=de#pricing.\nTalk to us (https://contoso.example/contact)\nNot interested? {CampaignEmail.UnsubscribePlaceholder}\n",
            "Cloud Backup Autumn");
    }

    /// <summary>The path (and query) of every link to our domain with the given prefix ("/u/" or "/r/") in a body.</summary>
    public static IReadOnlyList<string> OurLinks(string body, string prefix) =>
        OurUrl().Matches(body).Select(m => m.Value[PublicBaseUrl.Length..]).Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Distinct().ToList();

    [GeneratedRegex(@"https://mail\.tcma\.test/[ur]/[A-Za-z0-9_\-\.]+")]
    private static partial Regex OurUrl();

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await parent.DisposeAsync();
    }
}
