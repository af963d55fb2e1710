using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Deals;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Deals;
using Tcma.Storage.Deals;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Deals;

/// <summary>
/// One vendor whose admin published rules of engagement through the API (90 days + 30, first registered, USD from
/// 10,000, one approval level: a channel account manager with a backup), and partners alpha and bravo, on a fake
/// clock at 2026-03-02 09:00 UTC. Addresses are unique to the test and read back from maildev.
/// </summary>
public sealed class DealTestKit : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public required TcmaAppFactory App { get; init; }
    public required FakeTimeProvider Clock { get; init; }
    public required string Vendor { get; init; }
    public HttpClient Admin { get; private set; } = null!;
    public Approver Manager => Person("cam", "Casey Account");
    public Approver ManagerBackup => Person("cam2", "Cory Backup");
    public Dictionary<string, HttpClient> Partners { get; } = [];

    private Approver Person(string who, string name) => new($"dev:{who}@{Vendor}.example", name, $"{who}@{Vendor}.example");
    public string PartnerEmail(string partner) => $"owner@{partner}.{Vendor}.example";

    public static Money Usd(decimal amount) => Money.Of(amount, Currency.USD);

    public static async Task<DealTestKit> StartAsync(bool kestrel = false, Func<RulesOfEngagement, RulesOfEngagement>? rules = null,
        Dictionary<string, string?>? settings = null, params string[] partners)
    {
        var clock = new FakeTimeProvider(Start);
        var app = await TcmaAppFactory.StartAsync(clock: clock, kestrel: kestrel, overrides: settings);
        var kit = new DealTestKit { App = app, Clock = clock, Vendor = "v" + Guid.NewGuid().ToString("N")[..10] };
        foreach (var p in partners.Length == 0 ? ["alpha", "bravo"] : partners) await kit.AddPartnerAsync(p);
        if (!kestrel)
        {
            kit.Admin = await app.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
            var published = await kit.PublishAsync(rules?.Invoke(kit.Rules()) ?? kit.Rules(), 0);
            Assert.True(published.StatusCode == HttpStatusCode.Created, await published.Content.ReadAsStringAsync());
        }
        else
        {
            // Under Kestrel the test server's clients do not reach the app: published as the endpoint does.
            var published = await app.Services.GetRequiredService<DealService>().PublishAsync(kit.Vendor, rules?.Invoke(kit.Rules()) ?? kit.Rules(), 0, "dev:admin", default);
            Assert.Equal(RulesPublishKind.Published, published.Kind);
        }
        return kit;
    }

    public async Task AddPartnerAsync(string id, string tier = "Gold")
    {
        await App.Services.GetRequiredService<PartnerDirectory>().SaveAsync(Vendor,
            new Partner(id, $"{char.ToUpperInvariant(id[0])}{id[1..]} Systems", tier, "EMEA", "GB", [], [new PartnerContact("Pat Partner", PartnerEmail(id), "Owner", true)], PartnerStatus.Active),
            "test", Start);
        var client = App.Anonymous();
        client.DefaultRequestHeaders.Add("X-Tcma-Link", App.PartnerLink(Vendor, id, DealLinkPurposes.Partner, TimeSpan.FromDays(400)));
        Partners[id] = client;
    }

    public RulesOfEngagement Rules() => new()
    {
        ProtectionDays = 90,
        ExtensionDays = 30,
        DealSizes = [new(Usd(10_000m), Usd(50_000_000m))],
        Products = [new("backup", "Cloud Backup"), new("firewall", "Next-Gen Firewall")],
        Benefits = "an extra 10% discount on the registered products",
        Approval = new([new(1, "Channel account manager", ApproverRole.ChannelManager, Usd(0m), Manager, ManagerBackup)]),
        ReminderAfterDays = 2,
        EscalationAfterDays = 4,
        DecisionDays = 10,
    };

    public Task<HttpResponseMessage> PublishAsync(RulesOfEngagement rules, int basedOn) =>
        Admin.PutAsync($"/api/vendors/{Vendor}/deals/rules", Json(new PublishRulesInput(basedOn, rules)));

    public static StringContent Json<T>(T value) => new(JsonSerializer.Serialize(value, MdfJson.Options), System.Text.Encoding.UTF8, "application/json");

    public static RegistrationInput Registration(string company = "Contoso Ltd", string email = "ana@contoso.com", string value = "50000", string currency = "USD",
        string close = "2026-06-30", string[]? products = null, string via = "prospecting", string? launchId = null) => new()
    {
        CompanyName = company, Country = "GB", ContactName = "Ana Silva", ContactEmail = email, Products = products ?? ["backup"],
        EstimatedValue = value, Currency = currency, ExpectedClose = close, FoundVia = via, LaunchId = launchId,
    };

    public Task<HttpResponseMessage> RegisterAsync(string partner, RegistrationInput input) => Partners[partner].PostAsync("/api/partner/deals", Json(input));

    public async Task<DealView> RegisterOkAsync(string partner, RegistrationInput? input = null)
    {
        var response = await RegisterAsync(partner, input ?? Registration());
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DealView>(MdfJson.Options))!;
    }

    public async Task<DealView> OwnAsync(string partner, string id) => (await Partners[partner].GetFromJsonAsync<DealView>($"/api/partner/deals/{id}", MdfJson.Options))!;

    /// <summary>Signed in afresh: a moved fake clock may have ended the admin's session.</summary>
    public async Task<DealView> VendorViewAsync(string id)
    {
        using var admin = await App.SignedInAsync(Vendor, VendorRole.ChannelManager);
        return (await admin.GetFromJsonAsync<DealView>($"/api/vendors/{Vendor}/deals/registrations/{id}", MdfJson.Options))!;
    }

    public Task<HttpResponseMessage> StageAsync(string partner, string id, object body) => Partners[partner].PostAsync($"/api/partner/deals/{id}/stage", Json(body));

    /// <summary>The links of the newest approval email to <paramref name="to"/> about <paramref name="id"/>, by button label.</summary>
    public Task<Dictionary<string, string>> LinksAsync(Approver to, string id, int count = 1) =>
        ApprovalEmails.LinksAsync(App.Inbox, to.Email, id, count);

    public Task<(HttpStatusCode Status, string Html)> ConfirmAsync(string path, Dictionary<string, string>? form = null, HttpClient? client = null) =>
        ApprovalEmails.ConfirmAsync(client ?? App.Anonymous(), path, form);

    public async Task<DealView> ApprovedAsync(string partner, RegistrationInput? input = null)
    {
        var deal = await RegisterOkAsync(partner, input);
        var links = await LinksAsync(Manager, deal.Id);
        var (status, html) = await ConfirmAsync(links["Approve"]);
        Assert.True(status == HttpStatusCode.OK, html);
        var approved = await OwnAsync(partner, deal.Id);
        Assert.Equal(DealStatus.Approved, approved.Status);
        return approved;
    }

    public WorkflowEngine Engine => App.Services.GetRequiredService<WorkflowEngine>();

    /// <summary>Moves the fake clock and runs the sweeper, which fires the timers now due (the queue's delays are real time).</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        await Engine.SweepAsync();
    }

    /// <summary>Waits for the deal-commands queue to catch up with what a step left behind.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done, int seconds = 60)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > until) throw new Xunit.Sdk.XunitException($"not done within {seconds} s: {JsonSerializer.Serialize(value, MdfJson.Options)}");
            await Task.Delay(200);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var c in Partners.Values) c.Dispose();
        Admin?.Dispose();
        await App.DisposeAsync();
    }

}
