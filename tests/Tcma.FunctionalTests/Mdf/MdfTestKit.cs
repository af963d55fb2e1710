using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// One vendor with an MDF program (Q1 2026, USD, events at 50% capped at 10,000, digital at 100%; requests above 5,000
/// need the marketing director too; finance approves claims) and a partner with a 20,000 allocation, on a fake clock
/// at 2026-01-05 09:00 UTC. Approvers and the partner have addresses unique to the test, read back from maildev.
/// </summary>
public sealed class MdfTestKit : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    public const string ProgramId = "q1-2026";

    public required TcmaAppFactory App { get; init; }
    public required FakeTimeProvider Clock { get; init; }
    public required string Vendor { get; init; }
    public string Partner => "harbour";
    public string PartnerEmail => $"owner@harbour.{Vendor}.example";
    public Approver ChannelManager => Person("cm", "Chris Channel");
    public Approver ChannelManagerBackup => Person("cm2", "Cleo Backup");
    public Approver Director => Person("md", "Dana Director");
    public Approver DirectorBackup => Person("md2", "Dev Deputy");
    public Approver Finance => Person("fin", "Fran Finance");
    public Approver FinanceBackup => Person("fin2", "Finn Backup");
    public HttpClient PartnerClient { get; private set; } = null!;
    public string PartnerToken { get; private set; } = "";

    public static Money Usd(decimal amount) => Money.Of(amount, Currency.USD);

    private Approver Person(string who, string name) => new($"dev:{who}@{Vendor}.example", name, $"{who}@{Vendor}.example");

    public static async Task<MdfTestKit> StartAsync(bool kestrel = false, decimal allocation = 20_000m, Action<Dictionary<string, string?>>? settings = null)
    {
        var clock = new FakeTimeProvider(Start);
        var overrides = new Dictionary<string, string?>();
        settings?.Invoke(overrides);
        var app = await TcmaAppFactory.StartAsync(clock: clock, overrides: overrides, kestrel: kestrel);
        var kit = new MdfTestKit { App = app, Clock = clock, Vendor = "v" + Guid.NewGuid().ToString("N")[..10] };
        await kit.AddPartnerAsync(kit.Partner, kit.PartnerEmail);
        // Set up through the services (the program API has its own tests): under Kestrel the test server's clients do not reach the app.
        var (kind, _) = await app.Services.GetRequiredService<MdfProgramStore>().SaveAsync(kit.Vendor, kit.Program(allocation), "test", Start, null);
        Assert.Equal(ProgramSaveKind.Created, kind);
        var allocated = await kit.Ledger.ExecuteAsync(kit.FundId, Currency.USD, new AllocateFunds($"allocation|{ProgramId}", Usd(allocation), "test", Start));
        Assert.Null(allocated.Decision.Refusal);
        kit.PartnerToken = app.PartnerLink(kit.Vendor, kit.Partner, MdfLinkPurposes.Partner, TimeSpan.FromDays(400));
        kit.PartnerClient = app.Anonymous();
        kit.PartnerClient.DefaultRequestHeaders.Add("X-Tcma-Link", kit.PartnerToken);
        return kit;
    }

    public async Task AddPartnerAsync(string id, string email)
    {
        var directory = App.Services.GetRequiredService<PartnerDirectory>();
        await directory.SaveAsync(Vendor, new Partner(id, $"{id} Ltd", "Gold", "EMEA", "GB", [], [new PartnerContact("Pat Partner", email, "Owner", true)], PartnerStatus.Active),
            "test", Start);
    }

    public MdfProgram Program(decimal allocation = 20_000m) => new()
    {
        Id = ProgramId,
        Name = "Partner MDF Q1 2026",
        Period = ProgramPeriod.Quarter(2026, 1),
        Currency = Currency.USD,
        FundType = FundType.Both,
        FixedAllocation = Usd(allocation),
        AccrualRate = 0.02m,
        ActivityTypes = [new("events", "Events", 0.5m, Usd(10_000m), "6100-EVT"), new("digital", "Digital advertising", 1.0m, Usd(30_000m), "6200-DIG")],
        ProposalLeadDays = 14,
        ClaimDeadlineDays = 60,
        RequestChain = new([
            new(1, "Channel manager", ApproverRole.ChannelManager, Usd(0m), ChannelManager, ChannelManagerBackup),
            new(2, "Marketing director", ApproverRole.MarketingDirector, Usd(5_000m), Director, DirectorBackup),
        ]),
        ClaimChain = new([new(1, "Finance", ApproverRole.Finance, Usd(0m), Finance, FinanceBackup)]),
        ReminderAfterDays = 2,
        EscalationAfterDays = 5,
        MaxAmount = Usd(1_000_000m),
    };

    public static StringContent Json<T>(T value) => new(JsonSerializer.Serialize(value, MdfJson.Options), Encoding.UTF8, "application/json");

    /// <summary>An event from 2026-02-02 to 02-03 costing 4,000, asking 2,000 (50%).</summary>
    public static object Proposal(string requested = "2000", string cost = "4000", string start = "2026-02-02", string end = "2026-02-03", string activity = "events", string? description = null) => new
    {
        activityTypeId = activity, description = description ?? "Partner breakfast for 40 IT managers", start, end,
        estimatedCost = cost, requested, expectedLeads = 25, expectedPipeline = "100000",
    };

    public async Task<HttpResponseMessage> ProposeAsync(object proposal, string? idempotencyKey = null)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, $"/api/partner/mdf/programs/{ProgramId}/requests") { Content = Json(proposal) };
        if (idempotencyKey is not null) message.Headers.Add("Idempotency-Key", idempotencyKey);
        return await PartnerClient.SendAsync(message);
    }

    public async Task<RequestView> ProposeOkAsync(object proposal)
    {
        var response = await ProposeAsync(proposal);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<RequestView>(MdfJson.Options))!;
    }

    public async Task<PartnerMdfView> OverviewAsync()
    {
        var view = (await PartnerClient.GetFromJsonAsync<PartnerMdfView>("/api/partner/mdf", MdfJson.Options))!;
        foreach (var fund in view.Funds) Assert.True(fund.AddsUp, $"fund {fund.FundId} does not add up: {fund.Figures}");
        return view;
    }

    public async Task<FundFigures> FiguresAsync() => (await OverviewAsync()).Funds.Single(f => f.ProgramId == ProgramId).Figures;

    public WorkflowEngine Engine => App.Services.GetRequiredService<WorkflowEngine>();
    public FundLedgerStore Ledger => App.Services.GetRequiredService<FundLedgerStore>();
    public string FundId => new FundKey(Vendor, ProgramId, Partner).FundId;

    /// <summary>The ledger as written folds to the balance as stored: nothing lost, nothing double.</summary>
    public async Task AssertLedgerExactAsync()
    {
        var entries = await Ledger.EntriesAsync(FundId);
        var balance = await Ledger.GetAsync(FundId, Currency.USD);
        var folded = FundBalance.Fold(FundId, Currency.USD, entries);
        Assert.Equal(folded.Figures, balance.Figures);
        Assert.Equal(balance.Figures.TotalIn, balance.Figures.TotalAccountedFor);
        Assert.False(balance.Available.IsNegative);
    }

    /// <summary>The links of the newest approval email to <paramref name="to"/> that mentions <paramref name="subjectId"/>, by button label.</summary>
    public Task<Dictionary<string, string>> LinksAsync(Approver to, string subjectId, int count = 1) =>
        ApprovalEmails.LinksAsync(App.Inbox, to.Email, subjectId, count);

    /// <summary>Confirms on the page a link opens, as a person would: GET shows it, POST acts.</summary>
    public Task<(HttpStatusCode Status, string Html)> ConfirmAsync(string path, Dictionary<string, string>? form = null, HttpClient? client = null) =>
        ApprovalEmails.ConfirmAsync(client ?? App.Anonymous(), path, form);

    public async Task<RequestView> RequestAsync(string id) => (await PartnerClient.GetFromJsonAsync<RequestView>($"/api/partner/mdf/requests/{id}", MdfJson.Options))!;

    public async Task SweepAsync() => await Engine.SweepAsync();

    public async ValueTask DisposeAsync()
    {
        PartnerClient.Dispose();
        await App.DisposeAsync();
    }

}
