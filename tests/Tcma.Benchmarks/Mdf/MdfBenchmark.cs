using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Benchmarks.Mdf;

/// <summary>
/// Many fund requests, approvals and claims against one partner's fund through the whole app (HTTP endpoints, the
/// workflow engine, the ledger, the outbox to maildev) on Azurite: how fast a submission and an approval are, and
/// proof that the fund is never overspent and its balance equals the sum of its movements.
/// </summary>
public sealed class MdfBenchmark : IBenchmark
{
    public string Name => "mdf";
    public string Description => "concurrent MDF requests, approvals from links and claims on one fund through the app (args: [requests=1000] [parallel=32])";

    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
    private const string Vendor = "bench-vendor", Partner = "harbour", ProgramId = "q1-2026";

    public async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 1000;
        var parallel = args.Length > 1 ? int.Parse(args[1]) : 32;
        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        var clock = new FakeTimeProvider(Start);
        await using var app = new App(new()
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = "b" + Guid.NewGuid().ToString("N")[..12],
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = mail.SmtpPort.ToString(),
            ["LocalTriggerHost:Enabled"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        }, clock);
        var services = app.Services;
        var usd = Currency.USD;
        Money Usd(decimal a) => Money.Of(a, usd);
        Approver Person(string who) => new($"dev:{who}@bench.example", who, $"{who}@bench.example");
        // Asked for: about 1,050 on average per request; the fund holds half of what is asked, so it runs out mid-way.
        var allocation = Usd(count * 525m);
        var program = new MdfProgram
        {
            Id = ProgramId, Name = "Bench MDF", Period = ProgramPeriod.Quarter(2026, 1), Currency = usd, FundType = FundType.FixedAllocation, FixedAllocation = allocation,
            ActivityTypes = [new("events", "Events", 0.5m, Usd(10_000m), "6100-EVT")],
            RequestChain = new([new(1, "Channel manager", ApproverRole.ChannelManager, Usd(0m), Person("cm"), Person("cm2"))]),
            ClaimChain = new([new(1, "Finance", ApproverRole.Finance, Usd(0m), Person("fin"), Person("fin2"))]),
            MaxAmount = Usd(1_000_000m),
        };
        await services.GetRequiredService<PartnerDirectory>().SaveAsync(Vendor, new Partner(Partner, "Harbour Ltd", "Gold", "EMEA", "GB", [],
            [new PartnerContact("Pat", "pat@harbour.bench.example", "Owner", true)], PartnerStatus.Active), "bench", Start);
        await services.GetRequiredService<MdfProgramStore>().SaveAsync(Vendor, program, "bench", Start, null);
        var ledger = services.GetRequiredService<FundLedgerStore>();
        var fundId = new FundKey(Vendor, ProgramId, Partner).FundId;
        await ledger.ExecuteAsync(fundId, usd, new AllocateFunds($"allocation|{ProgramId}", allocation, "bench", Start));

        var partner = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        partner.DefaultRequestHeaders.Add("X-Tcma-Link", services.GetRequiredService<LinkTokens>().Create(MdfLinkPurposes.Partner, Partner, Vendor, TimeSpan.FromDays(400)));
        var approvers = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var random = new Random(7);
        var asks = Enumerable.Range(0, count).Select(_ => random.Next(100, 2001)).ToArray();
        Console.WriteLine($"{count} requests of 100-2,000 USD (sum {asks.Sum():N0}) against a fund of {allocation}; {parallel} at a time");

        // 1. Submissions.
        var created = new ConcurrentBag<string>();
        var refused = 0;
        await Measure($"submit {count} proposals", count, parallel, async i =>
        {
            var response = await partner.PostAsync($"/api/partner/mdf/programs/{ProgramId}/requests", Json(new
            {
                activityTypeId = "events", description = $"Roadshow stop {i}", start = "2026-02-02", end = "2026-02-03",
                estimatedCost = (asks[i] * 2).ToString(), requested = asks[i].ToString(), expectedLeads = 10, expectedPipeline = "10000",
            }));
            if (response.StatusCode == HttpStatusCode.Created) created.Add((await response.Content.ReadFromJsonAsync<RequestView>(MdfJson.Options))!.Id);
            else if (response.StatusCode == HttpStatusCode.Conflict) Interlocked.Increment(ref refused);
            else throw new InvalidOperationException($"submission {i}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        });
        Console.WriteLine($"  {created.Count} reserved, {refused} refused for lack of funds");

        // 2. Approvals through the confirm page, as from the email: every third for 80% of the amount.
        var links = services.GetRequiredService<MdfLinks>();
        var engine = services.GetRequiredService<WorkflowEngine>();
        var ids = created.ToArray();
        await Measure($"approve {ids.Length} from links (a third for less)", ids.Length, parallel, async i =>
        {
            var id = ids[i];
            var lower = i % 3 == 0;
            var state = (await engine.GetRequestAsync(id))!;
            var path = links.ActionPath(Vendor, new ActionLink(MdfSubjectKind.Request, id, state.Step, lower ? LinkPurpose.ApproveLowerAmount : LinkPurpose.Approve, program.RequestChain.Levels[0].Approver.UserId));
            var form = new Dictionary<string, string>();
            if (lower) form["amount"] = state.Amount!.TimesRateRoundedDown(0.8m).ToInvariantString();
            var response = await approvers.PostAsync(path, new FormUrlEncodedContent(form));
            if (response.StatusCode != HttpStatusCode.OK) throw new InvalidOperationException($"approval of {id}: {response.StatusCode}");
        }, skipFirstTiming: false);

        // 3. Claims after the activity, each with a PDF; the actual cost reimburses everything approved.
        clock.Advance(TimeSpan.FromDays(30));
        await Measure($"claim {ids.Length} with a PDF", ids.Length, parallel, async i =>
        {
            var state = (await engine.GetRequestAsync(ids[i]))!;
            var form = new MultipartFormDataContent { { new StringContent((state.Amount!.Amount * 2).ToString(System.Globalization.CultureInfo.InvariantCulture)), "actualCost" } };
            var file = new ByteArrayContent(Pdf);
            file.Headers.ContentType = MediaTypeHeaderValue.Parse("application/pdf");
            form.Add(file, "proof", "invoice.pdf");
            var response = await partner.PostAsync($"/api/partner/mdf/requests/{ids[i]}/claim", form);
            if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"claim on {ids[i]}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        });

        // 4. The books.
        var balance = await ledger.GetAsync(fundId, usd);
        var entries = await ledger.EntriesAsync(fundId);
        var folded = FundBalance.Fold(fundId, usd, entries);
        var claims = 0m;
        foreach (var id in ids) claims += (await engine.GetRequestAsync(id))!.Amount!.Amount;
        var f = balance.Figures;
        Console.WriteLine($"  figures: {FundLedger.Explain(balance)} = available {f.Available}");
        Console.WriteLine($"  overspend: {(f.Available.IsNegative ? -f.Available.Amount : 0m):N2}; in {f.TotalIn} = accounted {f.TotalAccountedFor}: {f.TotalIn == f.TotalAccountedFor}");
        Console.WriteLine($"  ledger: {entries.Count} entries, fold equals balance: {folded.Figures == f}; claimed equals the approved amounts: {f.Claimed.Amount == claims}");
        if (f.Available.IsNegative || folded.Figures != f || f.TotalIn != f.TotalAccountedFor || f.Claimed.Amount != claims)
            throw new InvalidOperationException("the books do not balance");
    }

    private static StringContent Json<T>(T value) => new(JsonSerializer.Serialize(value), Encoding.UTF8, "application/json");

    private static async Task Measure(string what, int count, int parallel, Func<int, Task> body, bool skipFirstTiming = false)
    {
        var latencies = new ConcurrentBag<double>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, _) =>
        {
            var one = Stopwatch.StartNew();
            await body(i);
            latencies.Add(one.Elapsed.TotalMilliseconds);
        });
        watch.Stop();
        var sorted = latencies.Order().ToArray();
        double P(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        Console.WriteLine($"{what,-44} {watch.Elapsed.TotalSeconds,7:N1} s  {count / watch.Elapsed.TotalSeconds,7:N1}/s  p50 {P(0.5),6:N0} ms  p99 {P(0.99),6:N0} ms");
    }

    // Any type of the app assembly names its entry point; "Program" is also the benchmark runner's own name.
    private sealed class App(Dictionary<string, string?> settings, TimeProvider clock) : WebApplicationFactory<MdfService>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            builder.UseContentRoot(Path.Combine(RepoPaths.Root, "functions"));
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton(clock)));
        }
    }
}
