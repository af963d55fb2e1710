using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Hosting;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// The end of an MDF period on Azurite with a fake clock: partners with money left are reminded 30 and 7 days before
/// (once each, with their balance and a signed link), vendors see the funds at risk, and at the end what is available
/// expires on the ledger exactly once, even when runs repeat or one died half-way.
/// </summary>
public sealed partial class ExpiryTests
{
    private static readonly Currency Usd = Currency.Of("USD");
    private static readonly ProgramPeriod Q4 = ProgramPeriod.Quarter(2026, 4);
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private sealed record Fixture(TcmaAppFactory App, FakeTimeProvider Clock, string Vendor, FundLedgerStore Funds, ExpiryStore Expiries, FundExpiryRun Run);

    private static async Task<Fixture> StartAsync(DateTimeOffset now)
    {
        var clock = new FakeTimeProvider(now);
        var app = await TcmaAppFactory.StartAsync(clock: clock, localTriggerHost: false);
        var storage = app.Services.GetRequiredService<StorageAccount>();
        return new(app, clock, "v" + Guid.NewGuid().ToString("N")[..10], new FundLedgerStore(storage), new ExpiryStore(storage), app.Services.GetRequiredService<FundExpiryRun>());
    }

    /// <summary>A partner with a unique contact address and a fund of <paramref name="allocated"/> in Q4 2026, of which <paramref name="reserved"/> is held by a request.</summary>
    private static async Task<(string FundId, string Email)> FundAsync(Fixture f, string partner, decimal allocated, decimal reserved = 0m, ProgramPeriod? period = null)
    {
        var email = $"{partner}-{Guid.NewGuid():N}@partners.example";
        var directory = f.App.Services.GetRequiredService<PartnerDirectory>();
        await directory.SaveAsync(f.Vendor, new Partner(partner, $"{partner} Networks", "Gold", "EMEA", "GB", [], [new PartnerContact("Robin Reyes", email, "Owner", true)], PartnerStatus.Active), "test", Start);
        var fund = $"{f.Vendor}-q4-{partner}";
        await f.Funds.ExecuteAsync(fund, Usd, new AllocateFunds("alloc", Money.Of(allocated, Usd), "finance", Start));
        if (reserved > 0) await f.Funds.ExecuteAsync(fund, Usd, new ReserveFunds("FR-1", Money.Of(reserved, Usd), partner, Start));
        var p = period ?? Q4;
        await f.Expiries.RegisterAsync(new FundSchedule(f.Vendor, partner, fund, "q4-2026", "Partner MDF Q4 2026", p, Usd));
        return (fund, email);
    }

    [Fact]
    public async Task Partners_with_money_left_are_reminded_30_and_7_days_before_once_each_with_balance_and_a_signed_link()
    {
        var f = await StartAsync(Q4.ExpiresAt.AddDays(-40));
        await using var app = f.App;
        var (_, harbour) = await FundAsync(f, "harbour", 10_000m, reserved: 2_500m);
        var (_, spent) = await FundAsync(f, "spent", 1_000m, reserved: 1_000m);

        Assert.Equal(0, (await f.Run.RunAsync()).Reminded);
        f.Clock.SetUtcNow(Q4.ExpiresAt.AddDays(-30).AddMinutes(5));
        Assert.Equal(1, (await f.Run.RunAsync()).Reminded);
        var first = Assert.Single(await app.Inbox.WaitForAsync(harbour));
        Assert.Contains("USD 7,500.00", first.Subject);
        Assert.Contains("31 December 2026", first.Subject);

        Assert.Contains("USD 7,500.00", first.Text);
        Assert.Contains("in 30 days", first.Text);
        var token = WebUtility.UrlDecode(PartnerLink().Match(first.Text!).Groups[1].Value);
        var verified = app.Services.GetRequiredService<LinkTokens>().Verify(token, "mdf");
        Assert.True(verified.IsValid, $"the link is signed for the partner MDF page ({verified.Failure})");
        Assert.Equal(("harbour", f.Vendor), (verified.Token!.Subject, verified.Token.VendorId));

        // Runs repeat (the host retries, two instances overlap): nothing more is sent.
        await Task.WhenAll(f.Run.RunAsync(), f.Run.RunAsync());
        f.Clock.Advance(TimeSpan.FromDays(3));
        Assert.Equal(0, (await f.Run.RunAsync()).Reminded);

        f.Clock.SetUtcNow(Q4.ExpiresAt.AddDays(-7).AddMinutes(5));
        Assert.Equal(1, (await f.Run.RunAsync()).Reminded);
        Assert.Equal(0, (await f.Run.RunAsync()).Reminded);
        var both = await app.Inbox.WaitForAsync(harbour, count: 2);
        Assert.Equal(2, both.Count);
        await Task.Delay(300);
        Assert.Equal(2, (await app.Inbox.ToAsync(harbour)).Count);
        // A partner with nothing available has nothing to lose and gets no email.
        Assert.Empty(await app.Inbox.ToAsync(spent));
    }

    [Fact]
    public async Task A_fund_first_seen_a_week_before_the_end_gets_only_the_7_day_reminder()
    {
        var f = await StartAsync(Q4.ExpiresAt.AddDays(-5));
        await using var app = f.App;
        var (fund, email) = await FundAsync(f, "late", 800m);

        Assert.Equal(1, (await f.Run.RunAsync()).Reminded);
        Assert.Contains("in 5 days", (await app.Inbox.WaitForAsync(email)).Single().Text);
        Assert.Equal(7, (await f.Expiries.ListAsync(f.Vendor)).Single(s => s.Schedule.FundId == fund).LastReminderDaysBefore);
    }

    [Fact]
    public async Task At_the_end_of_the_period_available_money_expires_once_and_reservations_live_on()
    {
        var f = await StartAsync(Q4.ExpiresAt.AddMinutes(-1));
        await using var app = f.App;
        var (harbour, _) = await FundAsync(f, "harbour", 10_000m, reserved: 2_500m);
        var (bay, _) = await FundAsync(f, "bay", 3_000m);
        var (nextYear, _) = await FundAsync(f, "next", 5_000m, period: ProgramPeriod.Quarter(2027, 1));

        Assert.Equal(0, (await f.Run.RunAsync()).Expired);
        Assert.False((await f.Funds.GetAsync(harbour, Usd)).IsExpired);

        // The run died after booking bay's expiry and before recording it: the next run finishes, nothing doubles.
        f.Clock.SetUtcNow(Q4.ExpiresAt.AddMinutes(5));
        await f.Funds.ExecuteAsync(bay, Usd, new ExpireFunds(Q4.ExpiresAt, FundExpiryRun.Actor, f.Clock.GetUtcNow()));
        var results = await Task.WhenAll(f.Run.RunAsync(), f.Run.RunAsync());
        Assert.Equal(1, results.Sum(r => r.Expired));
        var again = await f.Run.RunAsync();
        Assert.Equal((0, 0), (again.Expired, again.AlreadyExpired));

        var balance = await f.Funds.GetAsync(harbour, Usd);
        Assert.Equal((Money.Of(7_500m, Usd), Money.Of(2_500m, Usd)), (balance.Expired, balance.Reserved));
        Assert.True(balance.Available.IsZero);
        Assert.Single(await f.Funds.EntriesAsync(harbour), e => e.Kind == LedgerEntryKind.Expired);
        Assert.Single(await f.Funds.EntriesAsync(bay), e => e.Kind == LedgerEntryKind.Expired);
        Assert.Equal(Money.Of(3_000m, Usd), (await f.Funds.GetAsync(bay, Usd)).Expired);
        Assert.False((await f.Funds.GetAsync(nextYear, Usd)).IsExpired);
        Assert.All((await f.Expiries.ListAsync(f.Vendor)).Where(s => s.Schedule.Period == Q4), s => Assert.True(s.Expired));

        // The approved activity can still be claimed; what is released afterwards expires at once.
        var released = await f.Funds.ExecuteAsync(harbour, Usd, new ReleaseReservation("FR-1", Money.Zero(Usd), "cancelled", "harbour", f.Clock.GetUtcNow()));
        Assert.Equal(Money.Of(10_000m, Usd), released.Balance.Expired);
        Assert.True(released.Balance.Available.IsZero);
    }

    [Fact]
    public async Task One_fund_that_cannot_be_read_fails_the_run_only_after_every_other_fund_expired()
    {
        var f = await StartAsync(Q4.ExpiresAt.AddMinutes(5));
        await using var app = f.App;
        var (harbour, _) = await FundAsync(f, "harbour", 1_000m);
        var (broken, _) = await FundAsync(f, "broken", 1_000m);
        var (bay, _) = await FundAsync(f, "bay", 500m);
        var table = await app.Services.GetRequiredService<StorageAccount>().TableAsync(FundLedgerStore.TableName);
        await table.UpsertEntityAsync(new Azure.Data.Tables.TableEntity(broken, "balance") { ["Chunks"] = 1, ["Balance0"] = "{not json" });

        await Assert.ThrowsAsync<AggregateException>(() => f.Run.RunAsync());

        Assert.Equal(Money.Of(1_000m, Usd), (await f.Funds.GetAsync(harbour, Usd)).Expired);
        Assert.Equal(Money.Of(500m, Usd), (await f.Funds.GetAsync(bay, Usd)).Expired);
        Assert.False((await f.Expiries.ListAsync(f.Vendor)).Single(s => s.Schedule.FundId == broken).Expired);
    }

    [Fact]
    public async Task Vendors_see_funds_at_risk_in_the_last_30_days_and_the_timer_is_declared_daily()
    {
        var f = await StartAsync(Q4.ExpiresAt.AddDays(-12));
        await using var app = f.App;
        await FundAsync(f, "harbour", 10_000m, reserved: 2_500m);
        await FundAsync(f, "spent", 1_000m, reserved: 1_000m);
        await FundAsync(f, "later", 4_000m, period: ProgramPeriod.Quarter(2027, 1));

        var user = await app.SignedInAsync(f.Vendor, VendorRole.ChannelManager);
        var risks = (await user.GetFromJsonAsync<JsonElement[]>($"/api/vendors/{f.Vendor}/mdf/funds-at-risk", JsonSerializerOptions.Web))!;
        var risk = Assert.Single(risks);
        Assert.Equal(("harbour", "harbour Networks", 12, "7500.00", "USD"),
            (risk.GetProperty("partnerId").GetString(), risk.GetProperty("partnerName").GetString(), risk.GetProperty("daysLeft").GetInt32(),
             risk.GetProperty("available").GetProperty("amount").GetString(), risk.GetProperty("available").GetProperty("currency").GetString()));

        var page = await user.GetStringAsync("/console/mdf/funds-at-risk");
        Assert.Contains("harbour Networks", page);
        Assert.Contains("USD 7,500.00", page);
        Assert.DoesNotContain("later Networks", page);
        Assert.Equal(HttpStatusCode.NotFound, (await (await app.SignedInAsync("contoso", VendorRole.ChannelManager)).GetAsync($"/api/vendors/{f.Vendor}/mdf/funds-at-risk")).StatusCode);

        var timer = app.Services.GetRequiredService<FunctionCatalog>().Find(FundExpiryRun.FunctionName)!;
        Assert.Equal("0 5 0 * * *", Assert.IsType<TimerFunctionTrigger>(timer.Trigger).Schedule);
    }

    [Fact]
    public async Task A_program_fund_nobody_registered_is_found_from_its_program_and_expires()
    {
        var f = await StartAsync(Q4.ExpiresAt.AddDays(-30).AddHours(1));
        await using var app = f.App;
        var finance = new Approver("fin-1", "Fran Finance", "fin@vendor.example");
        var program = new MdfProgram
        {
            Id = "q4-2026", Name = "Partner MDF Q4 2026", Period = Q4, Currency = Usd, FundType = FundType.FixedAllocation, FixedAllocation = Money.Of(2_000m, Usd),
            ActivityTypes = [new ActivityType("events", "Events", 0.5m, Money.Of(10_000m, Usd), "6100-EVT")],
            RequestChain = new([new ApprovalLevel(1, "Finance", ApproverRole.Finance, Money.Zero(Usd), finance, finance)]),
            ClaimChain = new([new ApprovalLevel(1, "Finance", ApproverRole.Finance, Money.Zero(Usd), finance, finance)]),
            MaxAmount = Money.Of(100_000m, Usd),
        };
        var storage = app.Services.GetRequiredService<StorageAccount>();
        await (await storage.TableAsync(FundExpiryRun.ProgramsTable)).AddEntityAsync(new Azure.Data.Tables.TableEntity(f.Vendor, program.Id) { ["Program"] = MdfJson.Write(program) });
        var email = $"quay-{Guid.NewGuid():N}@partners.example";
        await app.Services.GetRequiredService<PartnerDirectory>().SaveAsync(f.Vendor,
            new Partner("quay", "Quay Systems", "Gold", "EMEA", "GB", [], [new PartnerContact("Kim Quay", email, "Owner", true)], PartnerStatus.Active), "test", Start);
        var fund = $"{f.Vendor}~{program.Id}~quay";
        await f.Funds.ExecuteAsync(fund, Usd, new AllocateFunds("allocation|q4-2026", Money.Of(2_000m, Usd), "finance", Start));
        // A fund of no known program (another capability's, or a program since deleted) is left alone.
        await f.Funds.ExecuteAsync($"{f.Vendor}~gone~quay", Usd, new AllocateFunds("a", Money.Of(5m, Usd), "finance", Start));

        Assert.Equal(1, (await f.Run.RunAsync()).Reminded);
        Assert.Contains("USD 2,000.00", (await app.Inbox.WaitForAsync(email)).Single().Subject);
        Assert.Equal(0, await f.Run.DiscoverAsync());

        f.Clock.SetUtcNow(Q4.ExpiresAt.AddMinutes(5));
        Assert.Equal(1, (await f.Run.RunAsync()).Expired);
        Assert.Equal(Money.Of(2_000m, Usd), (await f.Funds.GetAsync(fund, Usd)).Expired);
        Assert.False((await f.Funds.GetAsync($"{f.Vendor}~gone~quay", Usd)).IsExpired);
    }

    [GeneratedRegex("/partner/mdf\\?t=([A-Za-z0-9%._~-]+)")]
    private static partial Regex PartnerLink();
}
