using System.Diagnostics;
using System.Globalization;
using System.Security.Claims;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Deals;
using Tcma.Storage;
using Tcma.Storage.Deals;
using Tcma.Storage.Partners;

namespace Tcma.Benchmarks.Deals;

/// <summary>
/// The conflict check of a deal registration against one vendor with 100,000 open registrations and 1,000,000 won
/// customers in its customer index (and the open ones' claim rows), on Azurite: p50/p99 of the check alone, and of a
/// whole submission (check, claim, workflow start with the approval email to maildev, index entry). The path is point
/// reads only: one claim row per exact key, one index bucket row per key, one workflow read per matching registration.
/// </summary>
public sealed class DealRegistrationBenchmark : IBenchmark
{
    public string Name => "deal-registration";
    public string Description => "conflict check against 100,000 open registrations and 1,000,000 won customers (args: [open=100000] [won=1000000] [submissions=500])";

    private const string Vendor = "bench-deals";
    private static readonly string[] Syllables = ["zor", "van", "ta", "quel", "mir", "dex", "lu", "bra", "ko", "sen", "tri", "fal", "nor", "vi", "ca", "ret", "mon", "sul", "pax", "el"];
    private static readonly string[] Forms = ["Ltd", "GmbH", "Inc", "SA", "BV", "AG", "LLC", "Systems", "Group", "Partners"];

    public async Task RunAsync(string[] args)
    {
        var open = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
        var won = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000;
        var submissions = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 500;
        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        await using var app = BenchmarkHost.Start(azurite, mail, localTriggerHost: false);
        var services = app.Services;
        var storage = services.GetRequiredService<StorageAccount>();
        var deals = services.GetRequiredService<DealService>();
        var now = DateTimeOffset.UtcNow;
        Approver Person(string who) => new($"dev:{who}@bench.example", who, $"{who}@bench.example");
        var rules = new RulesOfEngagement
        {
            DealSizes = [new(Money.Of(10_000m, Currency.USD), Money.Of(50_000_000m, Currency.USD))],
            Products = [new("backup", "Cloud Backup"), new("firewall", "Firewall")],
            Approval = new([new(1, "Channel account manager", ApproverRole.ChannelManager, Money.Of(0m, Currency.USD), Person("cam"), Person("cam2"))]),
        };
        var published = await deals.PublishAsync(Vendor, rules, 0, "bench", default);
        rules = published.Current!;
        var directory = services.GetRequiredService<PartnerDirectory>();
        for (var p = 0; p < 20; p++)
            await directory.SaveAsync(Vendor, new Partner($"p{p}", $"Partner {p}", "Gold", "EMEA", "GB", [], [new PartnerContact("Pat", $"pat@p{p}.bench.example", "Owner", true)], PartnerStatus.Active), "bench", now);

        // ---- seed: index bucket rows in 16 passes (by the bucket's first hex digit) so memory stays small -------------
        var seed = Stopwatch.StartNew();
        var index = await storage.TableAsync(CustomerIndex.TableName);
        long entities = 0;
        for (var pass = 0; pass < 16; pass++)
        {
            var digit = "0123456789abcdef"[pass];
            var entries = new List<IndexEntry>();
            foreach (var (kind, i) in Enumerable.Range(0, open).Select(i => (IndexEntry.Registration, i)).Concat(Enumerable.Range(0, won).Select(i => (IndexEntry.Won, i + open))))
            {
                var (name, domain) = Customer(i);
                foreach (var key in CustomerKeys.All(name, [domain]))
                    if (CustomerIndex.Bucket(key)[0] == digit)
                        entries.Add(new IndexEntry(key, kind, $"{kind}{i}", $"p{i % 20}", name, [domain], now.AddDays(-(i % 700))));
            }
            foreach (var chunk in CustomerIndex.BuildRows(Vendor, entries).Chunk(50))
            {
                var batch = new TableBatch();
                foreach (var row in chunk) batch.Add(row);
                await batch.SubmitAsync(index);
                entities += chunk.Length;
            }
        }
        // The open registrations' claim rows (name and domain), as they would hold them.
        var claimTable = await storage.TableAsync(ClaimStore.TableName);
        var claimRows = Enumerable.Range(0, open).SelectMany(i =>
        {
            var (name, domain) = Customer(i);
            return CustomerKeys.Exact(name, [domain]).Select(key => new TableEntity(Vendor, ClaimStore.RowKey(key))
            {
                ["Key"] = key, ["Holders"] = System.Text.Json.JsonSerializer.Serialize(new[] { new ClaimHolder($"r{i}", $"p{i % 20}", ["backup"], now.AddDays(-1)) },
                    new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)),
            });
        }).DistinctBy(e => e.RowKey);
        foreach (var chunk in claimRows.Chunk(100))
        {
            var batch = new TableBatch();
            foreach (var row in chunk) batch.Add(row);
            await batch.SubmitAsync(claimTable);
            entities += chunk.Length;
        }
        Console.WriteLine($"seeded {open:N0} open registrations and {won:N0} won customers: {entities:N0} rows in {seed.Elapsed.TotalSeconds:N0} s");

        // ---- the check: new customers, a tenth of them a spelling of a won customer ----------------------------------
        var random = new Random(11);
        var partner = services.GetRequiredService<PartnerDirectory>();
        DealRegistration Registration(string name, string domain)
        {
            var input = new RegistrationInput
            {
                CompanyName = name, Country = "GB", ContactName = "Ana", ContactEmail = $"ana@{domain}", Products = ["backup"], EstimatedValue = "50000",
                Currency = "USD", ExpectedClose = DateOnly.FromDateTime(now.UtcDateTime.AddDays(60)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), FoundVia = "prospecting",
            };
            return RegistrationCheck.Validate(input, rules, "Gold", now).Value!;
        }
        // Warm-up (JIT, connection pool), not counted.
        for (var w = 0; w < 20; w++) await deals.CheckAsync(Vendor, $"warm{w}", "p3", Registration($"{Syllabic(30_000_000 + w)} Ltd", $"warm{w}.example"), rules, default);
        var checks = new List<double>();
        var hits = 0;
        for (var s = 0; s < submissions; s++)
        {
            var (name, domain) = s % 10 == 0 ? Customer(open + random.Next(won)) : ($"{Syllabic(10_000_000 + s)} {Forms[s % Forms.Length]}", $"fresh{s}.example");
            if (s % 10 == 0) name = name.ToUpperInvariant();
            var r = Registration(name, domain);
            var t = Stopwatch.StartNew();
            var verdict = await deals.CheckAsync(Vendor, $"bench{s}", "p3", r, rules, default);
            checks.Add(t.Elapsed.TotalMilliseconds);
            if (verdict.Evidence.Count > 0) hits++;
        }
        Report("conflict check (point reads, no write)", checks);
        Console.WriteLine($"  {hits} of {submissions} found evidence (the won-customer spellings)");

        // ---- whole submissions: new customers, then the same customers by another partner (refused: protected or first) --
        var whole = new List<double>();
        var refusedTimes = new List<double>();
        var user = new Actor("partner:p1", "p1");
        for (var s = 0; s < Math.Min(submissions, 200); s++)
        {
            var input = new RegistrationInput
            {
                CompanyName = $"{Syllabic(20_000_000 + s)} Ltd", Country = "GB", ContactName = "Ana", ContactEmail = $"ana@whole{s}.example", Products = ["backup"],
                EstimatedValue = "50000", Currency = "USD", ExpectedClose = DateOnly.FromDateTime(now.UtcDateTime.AddDays(60)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), FoundVia = "prospecting",
            };
            var t = Stopwatch.StartNew();
            var outcome = await deals.SubmitAsync(Vendor, "p1", input, user, null, default);
            whole.Add(t.Elapsed.TotalMilliseconds);
            if (outcome.State?.Status != DealStatus.PendingApproval) throw new InvalidOperationException($"submission {s}: {outcome.State?.Status} {string.Join("; ", outcome.Refusals)}");
            t.Restart();
            var second = await deals.SubmitAsync(Vendor, "p2", input with { ContactEmail = $"bob@whole{s}.example" }, new Actor("partner:p2", "p2"), null, default);
            refusedTimes.Add(t.Elapsed.TotalMilliseconds);
            if (second.State?.Status is not (DealStatus.Queued or DealStatus.Refused)) throw new InvalidOperationException($"second submission {s}: {second.State?.Status}");
        }
        Report("whole submission, new customer (claim + workflow start + approval email)", whole);
        Report("whole submission, customer already registered by another partner", refusedTimes);
    }

    /// <summary>A company name and domain made of syllables, deterministic per number, mostly unlike each other.</summary>
    private static (string Name, string Domain) Customer(int i)
    {
        var core = Syllabic(i);
        return ($"{core} {Forms[i % Forms.Length]}", $"{core.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal)}{i % 97}.example");
    }

    private static string Syllabic(int i)
    {
        var chars = new System.Text.StringBuilder();
        var n = (uint)(i * 2654435761u);
        for (var k = 0; k < 4; k++) { chars.Append(Syllables[n % 20]); n /= 20; }
        chars.Append(i.ToString("x", CultureInfo.InvariantCulture));
        chars[0] = char.ToUpperInvariant(chars[0]);
        return chars.ToString();
    }

    private static void Report(string what, List<double> ms)
    {
        ms.Sort();
        double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        Console.WriteLine($"{what}: n={ms.Count} p50={P(0.50):N1} ms p90={P(0.90):N1} ms p99={P(0.99):N1} ms max={ms[^1]:N1} ms");
    }
}
