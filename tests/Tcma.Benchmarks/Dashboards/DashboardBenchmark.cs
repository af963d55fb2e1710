using Stopwatch = System.Diagnostics.Stopwatch;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Dashboards;
using Tcma.Storage.Dashboards;
using Tcma.Storage.Partners;

namespace Tcma.Benchmarks.Dashboards;

/// <summary>
/// Counters for one vendor loaded through the counting path (bulk activities: each carries many events), then the
/// console home page and a partner scorecard read through HTTP, p50/p95, with the rows each page reads; and the cost of
/// counting one event. Options: --partners N (default 2000), --days N active days per partner in the quarter (default 3),
/// --views N (default 20), --events N single events timed (default 500).
/// </summary>
public sealed class DashboardBenchmark : IBenchmark
{
    public string Name => "dashboards";
    public string Description => "home page, scorecard and report PDF p50/p95 over counters for many partners; cost of counting one event";

    private const string Vendor = "bench";

    public async Task RunAsync(string[] args)
    {
        int Option(string name, int fallback) => args.SkipWhile(a => a != name).Skip(1).Select(int.Parse).FirstOrDefault(fallback);
        var partnerCount = Option("--partners", 2000);
        var days = Option("--days", 3);
        var views = Option("--views", 20);
        var singles = Option("--events", 500);
        var azurite = await LocalServices.Azurite();
        await using var factory = BenchmarkHost.Start(azurite, localTriggerHost: false);
        var services = factory.Services;
        var dashboards = services.GetRequiredService<DashboardService>();
        var directory = services.GetRequiredService<PartnerDirectory>();
        var today = dashboards.Today;
        var quarterStart = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
        var span = today.DayNumber - quarterStart.DayNumber + 1;

        var load = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, partnerCount).Select(i => $"partner-{i:D5}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (id, ct) =>
            await directory.SaveAsync(Vendor, new Partner(id, $"{id} IT", id.EndsWith('0') ? "Gold" : "Silver", "EMEA", "DE", ["Backup"],
                [new PartnerContact("Owner", $"{id}@example.com", "Owner", true)], PartnerStatus.Active), "bench", DateTimeOffset.UtcNow, ct: ct));
        long events = 0;
        var activities = ids.SelectMany((id, i) => Enumerable.Range(0, days).SelectMany(d =>
        {
            var day = quarterStart.AddDays((i * 7 + d * 13) % span);
            var at = new DateTimeOffset(day.ToDateTime(new TimeOnly(10, 0)), TimeSpan.Zero);
            return new[]
            {
                new Activity(Vendor, $"{id}|{d}|s", ActivityKind.EmailSent, id, $"kit-{i % 20}", "1.0.0", at, Quantity: 300),
                new Activity(Vendor, $"{id}|{d}|o", ActivityKind.EmailOpened, id, $"kit-{i % 20}", "1.0.0", at, Quantity: 90),
                new Activity(Vendor, $"{id}|{d}|c", ActivityKind.EmailClicked, id, $"kit-{i % 20}", "1.0.0", at, Quantity: 12),
            };
        })).ToList();
        await Parallel.ForEachAsync(activities.GroupBy(a => (a.At.Year, a.At.Month)), async (month, ct) =>
        {
            foreach (var a in month) { await dashboards.CountAsync(a, ct); Interlocked.Add(ref events, a.Quantity); }
        });
        Console.WriteLine($"dashboards: {partnerCount:N0} partners, {activities.Count:N0} bulk activities ({events:N0} events) counted in {load.Elapsed.TotalSeconds:0} s, {Environment.ProcessorCount} cores, Azurite");

        var store = services.GetRequiredService<DashboardCounterStore>();
        var months = (today.Year - quarterStart.Year) * 12 + today.Month - quarterStart.Month + 1;
        var stored = await store.ReadAsync(Vendor, quarterStart, today, rollupsThrough: today);
        var byDay = await store.ReadAsync(Vendor, quarterStart, today);
        Console.WriteLine($"rows a quarter's home page reads with nothing reused: unfiltered {stored.Count:N0} in {months * 2} range queries (partners from {DashboardCounterStore.PartnerBuckets * months} month rows), "
            + $"filtered by tier {byDay.Count:N0} in {months * 3} ({byDay.Count(r => r.PartnerId is not null):N0} partner-day rows)");

        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var signin = await client.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(signin, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        await client.PostAsync("/signin/dev", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token), ["Vendor"] = Vendor, ["Email"] = "bench@example.com", ["Role"] = "ChannelManager", ["ReturnUrl"] = "/console",
        }));
        // Before each timed view, optionally something untimed (events arriving).
        async Task<List<double>> TimeAsync(string path, Func<Task>? before = null)
        {
            (await client.GetAsync(path)).EnsureSuccessStatusCode();
            var times = new List<double>();
            for (var i = 0; i < views; i++)
            {
                if (before is not null) await before();
                var sw = Stopwatch.StartNew();
                var r = await client.GetAsync(path);
                r.EnsureSuccessStatusCode();
                await r.Content.ReadAsStringAsync();
                times.Add(sw.Elapsed.TotalMilliseconds);
            }
            return times;
        }
        // Where a home page's time goes: the counter reads alone, then the service's whole view (reads and sums, scores),
        // then the page over HTTP (the view, the MDF and first-launch panels and the HTML).
        async Task<List<double>> TimeDirectAsync(Func<Task> view)
        {
            await view();
            var times = new List<double>();
            for (var i = 0; i < views; i++) { var sw = Stopwatch.StartNew(); await view(); times.Add(sw.Elapsed.TotalMilliseconds); }
            return times;
        }
        var period = DashboardPeriod.Parse(null, null, null, today).Period!;
        var cacheTime = store.ClosedMonthCacheTime;
        foreach (var cached in new[] { false, true })
        {
            store.ClosedMonthCacheTime = cached ? cacheTime : TimeSpan.Zero;
            var reads = await TimeDirectAsync(() => Task.WhenAll(store.ReadAsync(Vendor, period.From, period.To, today, today: today), store.ReadAsync(Vendor, period.Previous.From, period.Previous.To, today, today: today)));
            var service = await TimeDirectAsync(() => dashboards.HomeAsync(Vendor, period, new DashboardFilters(), default));
            var page = await TimeAsync("/console");
            Console.WriteLine($"home page, {(cached ? "past months reused" : "every month read")}: counter reads (this and the previous period) p50 {P(reads, 0.5):0} ms, p95 {P(reads, 0.95):0} ms"
                + $" | the service's view p50 {P(service, 0.5):0} ms, p95 {P(service, 0.95):0} ms | the page p50 {P(page, 0.5):0} ms, p95 {P(page, 0.95):0} ms");
        }

        // This month's rows are read at every view; events keep arriving between views, as they do on a working day.
        var arriving = 0;
        async Task Arrive()
        {
            for (var i = 0; i < 20; i++, arriving++)
                await dashboards.CountAsync(new Activity(Vendor, $"arriving-{arriving}", ActivityKind.EmailOpened, ids[arriving * 37 % ids.Count], "kit-1", "1.0.0", DateTimeOffset.UtcNow), default);
        }
        var home = await TimeAsync("/console", Arrive);
        var gold = await TimeAsync("/console?tier=Gold", Arrive);
        var card = await TimeAsync("/console/partners/partner-00007");
        var report = await TimeAsync("/console/dashboard/report.pdf");
        Console.WriteLine($"with 20 events arriving before each view: home page, this quarter: p50 {P(home, 0.5):0} ms, p95 {P(home, 0.95):0} ms | filtered by tier: p50 {P(gold, 0.5):0} ms, p95 {P(gold, 0.95):0} ms"
            + $" | scorecard: p50 {P(card, 0.5):0} ms, p95 {P(card, 0.95):0} ms | report PDF: p50 {P(report, 0.5):0} ms, p95 {P(report, 0.95):0} ms");

        var one = new List<double>();
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < singles; i++)
        {
            var sw = Stopwatch.StartNew();
            await dashboards.CountAsync(new Activity(Vendor, $"single-{i}", ActivityKind.EmailSent, ids[i % ids.Count], "kit-1", "1.0.0", now), default);
            one.Add(sw.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"counting one event (one transaction when this process wrote the rows last): p50 {P(one, 0.5):0.0} ms, p95 {P(one, 0.95):0.0} ms");
    }

    private static double P(List<double> values, double q) => values.Order().ElementAt(Math.Min(values.Count - 1, (int)(values.Count * q)));
}
