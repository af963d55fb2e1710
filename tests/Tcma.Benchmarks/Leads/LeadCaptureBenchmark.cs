using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Hosting;
using Tcma.Functions.Leads;
using Tcma.Storage.Identity;
using Tcma.Storage.Leads;
using Tcma.Storage.Messaging;

namespace Tcma.Benchmarks.Leads;

/// <summary>
/// Lead capture through the real app and its local trigger host on Azurite: N submissions (20% repeats of earlier
/// people, sources spread over 500 partners' landing pages) checked and queued as capture does, recorded by the
/// LeadCaptured function; captured/s, recorded/s and capture-to-recorded p50/p99, next to Azurite's raw rates for the
/// same operations measured in the same run. Plus the HTTP API's acknowledgement rate on a smaller sample.
/// </summary>
public sealed class LeadCaptureBenchmark : IBenchmark
{
    private const string Vendor = "bench";

    public string Name => "leads";
    public string Description => "lead capture and routing: captured/s, capture-to-recorded and capture-to-assigned p50/p99 vs Azurite raw queue/table rates (args: [leads=10000] [partners=500] [api=1000])";

    public async Task RunAsync(string[] args)
    {
        var count = args.Length > 0 ? int.Parse(args[0]) : 10_000;
        var partners = args.Length > 1 ? int.Parse(args[1]) : 500;
        var apiCount = args.Length > 2 ? int.Parse(args[2]) : 1_000;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TCMA_FUNCTIONS", Path.Combine(RepoPaths.Root, "functions"));
        var azurite = await LocalServices.Azurite();
        var maildev = await LocalServices.MailDev();
        Console.WriteLine($"{count:N0} leads (20% repeats) over {partners} partners, Azurite on 127.0.0.1:{azurite.QueuePort}, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        var rawBefore = await RawRatesAsync(azurite.ConnectionString, 2_000);
        var prefix = "b" + Guid.NewGuid().ToString("N")[..12];
        var recorded = new ConcurrentDictionary<string, long>();
        var assigned = new ConcurrentDictionary<string, long>();
        await using var app = new LeadsApp(azurite.ConnectionString, prefix, maildev.SmtpPort, recorded, assigned);
        _ = app.Server;
        var messages = app.Services.GetRequiredService<IMessageSender>();
        var clock = TimeProvider.System;
        // The partners the landing-page leads are attributed to, so each new lead is routed and offered (source attribution).
        var directory = app.Services.GetRequiredService<Tcma.Storage.Partners.PartnerDirectory>();
        await Parallel.ForEachAsync(Enumerable.Range(0, partners), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (n, ct) =>
            await directory.SaveAsync(Vendor, new Tcma.Domain.Partners.Partner($"partner-{n}", $"Partner {n}", "Gold", "EMEA", "DE", ["Backup"],
                [new Tcma.Domain.Partners.PartnerContact($"Owner {n}", $"owner{n}@partner{n}.example", "Owner", true)], Tcma.Domain.Partners.PartnerStatus.Active),
                "bench", clock.GetUtcNow(), ct: ct));

        var submissions = Submissions(count, partners, clock.GetUtcNow());
        // Warm up: creates the queue and tables and JITs the recording path.
        await messages.SendAsync(LeadEndpoints.CapturedQueue, Submissions(1, 1, clock.GetUtcNow(), "warm")[0]);
        var warmDeadline = DateTime.UtcNow.AddMinutes(2);
        while (recorded.IsEmpty)
        {
            if (DateTime.UtcNow > warmDeadline) throw new TimeoutException("the warm-up lead was never recorded");
            await Task.Delay(50);
        }
        recorded.Clear();
        assigned.Clear();
        Console.Error.WriteLine($"warm; raw before: {rawBefore}");

        var captured = new ConcurrentDictionary<string, long>();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(submissions, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (s, ct) =>
        {
            if (SubmissionValidation.Check(s) is not SubmissionCheck.Valid) throw new InvalidOperationException("bench submission invalid");
            // Stamped before the send: the latency includes the capture itself.
            captured[s.SubmissionId] = Stopwatch.GetTimestamp();
            await messages.SendAsync(LeadEndpoints.CapturedQueue, s, cancellationToken: ct);
        });
        var captureSeconds = watch.Elapsed.TotalSeconds;
        var deadline = DateTime.UtcNow.AddMinutes(20);
        Console.Error.WriteLine($"captured {count} in {captureSeconds:N1} s");
        while (recorded.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            if (watch.ElapsedMilliseconds % 10_000 < 100) Console.Error.WriteLine($"  {watch.Elapsed.TotalSeconds:N0} s: {recorded.Count} recorded");
        }
        var recordSeconds = watch.Elapsed.TotalSeconds;
        var newLeads = count - count / 5;
        while (assigned.Count < newLeads && DateTime.UtcNow < deadline) await Task.Delay(100);
        var assignSeconds = watch.Elapsed.TotalSeconds;
        var toAssigned = captured.Select(c => (c.Value, Assigned: assigned.TryGetValue(LeadStore.LeadId(Vendor, c.Key), out var at) ? at : (long?)null))
            .Where(x => x.Assigned is not null).Select(x => Stopwatch.GetElapsedTime(x.Value, x.Assigned!.Value).TotalMilliseconds).Order().ToArray();

        var latencies = captured.Where(c => recorded.ContainsKey(c.Key)).Select(c => Stopwatch.GetElapsedTime(c.Value, recorded[c.Key]).TotalMilliseconds).Order().ToArray();
        var leadsTable = new TableClient(azurite.ConnectionString, prefix + LeadStore.LeadsTable);
        var leadRows = leadsTable.Query<TableEntity>(select: ["RowKey"]).Count(); // includes the warm-up lead

        var rawAfter = await RawRatesAsync(azurite.ConnectionString, 2_000);
        var raw = rawBefore.Mean(rawAfter);
        Console.WriteLine($"captured (checked + queued, 16 parallel)   : {count / captureSeconds,7:N0} leads/s = {count / captureSeconds / raw.Send:P0} of raw queue send");
        Console.WriteLine($"recorded by LeadCaptured (trigger host)    : {recorded.Count / recordSeconds,7:N0} leads/s = {recorded.Count / recordSeconds / raw.ReceiveDelete:P0} of raw receive(16)+delete; {recorded.Count:N0} recorded, {leadRows - 1:N0} lead rows (expected {count - count / 5:N0})");
        Console.WriteLine($"capture-to-recorded (saturated backlog)    : p50 {Percentile(latencies, 0.50):N0} ms, p99 {Percentile(latencies, 0.99):N0} ms");
        Console.WriteLine($"routed and offered (source attribution)    : {assigned.Count / assignSeconds,7:N0} leads/s; {assigned.Count:N0} of {newLeads:N0} new leads offered within the run");
        Console.WriteLine($"capture-to-assigned (saturated backlog)    : p50 {Percentile(toAssigned, 0.50):N0} ms, p99 {Percentile(toAssigned, 0.99):N0} ms");
        Console.WriteLine($"Azurite raw (mean of before/after)         : send {raw.Send:N0}/s, receive(16)+delete {raw.ReceiveDelete:N0}/s, table insert {raw.Insert:N0}/s, point read {raw.Read:N0}/s");
        Console.WriteLine($"  before: {rawBefore}");
        Console.WriteLine($"  after : {rawAfter}");

        // Unsaturated latency: one lead every 50 ms.
        recorded.Clear();
        assigned.Clear();
        var paced = Submissions(200, partners, clock.GetUtcNow(), "paced");
        var sentAt = new ConcurrentDictionary<string, long>();
        foreach (var s in paced)
        {
            sentAt[s.SubmissionId] = Stopwatch.GetTimestamp();
            await messages.SendAsync(LeadEndpoints.CapturedQueue, s);
            await Task.Delay(50);
        }
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (recorded.Count < paced.Count && DateTime.UtcNow < deadline) await Task.Delay(50);
        var paceLatencies = sentAt.Where(c => recorded.ContainsKey(c.Key)).Select(c => Stopwatch.GetElapsedTime(c.Value, recorded[c.Key]).TotalMilliseconds).Order().ToArray();
        Console.WriteLine($"capture-to-recorded (~20 leads/s, idle)    : p50 {Percentile(paceLatencies, 0.50):N0} ms, p99 {Percentile(paceLatencies, 0.99):N0} ms over {paceLatencies.Length}");
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (assigned.Count < paced.Count - paced.Count / 5 && DateTime.UtcNow < deadline) await Task.Delay(50);
        var paceAssigned = sentAt.Where(c => assigned.ContainsKey(LeadStore.LeadId(Vendor, c.Key)))
            .Select(c => Stopwatch.GetElapsedTime(c.Value, assigned[LeadStore.LeadId(Vendor, c.Key)]).TotalMilliseconds).Order().ToArray();
        Console.WriteLine($"capture-to-assigned (~20 leads/s, idle)    : p50 {Percentile(paceAssigned, 0.50):N0} ms, p99 {Percentile(paceAssigned, 0.99):N0} ms over {paceAssigned.Length}");

        if (apiCount > 0)
        {
            var key = ApiKeySecret.Create(Vendor);
            await app.Services.GetRequiredService<ApiKeyStore>().AddAsync(new ApiKeyRecord(Vendor, key.KeyId, "bench", [VendorRole.ChannelManager], key.Hash, clock.GetUtcNow(), "bench", null, null));
            var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", key.Value);
            var api = Enumerable.Range(0, apiCount).Select(i => new { email = $"api{i}@bench{i % 97}.example", firstName = "Api", lastName = $"Lead{i}", country = "DE", consentText = "Yes, contact me." }).ToArray();
            watch.Restart();
            await Parallel.ForEachAsync(api, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (body, ct) =>
            {
                var response = await client.PostAsJsonAsync($"/api/vendors/{Vendor}/leads", body, ct);
                if ((int)response.StatusCode != 202) throw new InvalidOperationException($"API answered {response.StatusCode}");
            });
            Console.WriteLine($"API capture (HTTP 202 = queued, 16 parallel): {apiCount / watch.Elapsed.TotalSeconds,7:N0} leads/s over {apiCount:N0} (in-process HTTP; the trigger host records meanwhile)");
        }
    }

    private static List<LeadSubmission> Submissions(int count, int partners, DateTimeOffset now, string tag = "s")
    {
        return Enumerable.Range(0, count).Select(i =>
        {
            // Every fifth submission repeats a person seen earlier: a merge, not a new lead.
            var person = i % 5 == 4 ? i / 5 : i - i / 5;
            var partner = person % partners;
            return new LeadSubmission
            {
                SubmissionId = $"{tag}-{i}",
                VendorId = Vendor,
                Source = new LeadSource.LandingPage($"partner-{partner}", $"launch-{partner}", "cloud-backup-nurture"),
                ReceivedAt = now,
                Email = $"{tag}.person{person}@company{person % 1000}.example",
                FirstName = "Ana", LastName = $"Person{person}", Country = "DE", Company = $"Company {person % 1000}",
                ConsentText = "I agree that the partner may contact me.", SourcePage = $"https://tcma.example/p/{Vendor}/partner-{partner}/cloud-backup-nurture",
                IpAddress = "203.0.113.7",
            };
        }).ToList();
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(sorted.Length * p) - 1)];

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private sealed record RawRates(double Send, double ReceiveDelete, double Insert, double Read)
    {
        public RawRates Mean(RawRates o) => new((Send + o.Send) / 2, (ReceiveDelete + o.ReceiveDelete) / 2, (Insert + o.Insert) / 2, (Read + o.Read) / 2);
        public override string ToString() => $"send {Send:N0}/s, receive(16)+delete {ReceiveDelete:N0}/s, insert {Insert:N0}/s, read {Read:N0}/s";
    }

    /// <summary>The storage operations capture is made of, bare: queue send (16 parallel), receive(16)+concurrent deletes, table insert and point read (16 parallel).</summary>
    private static async Task<RawRates> RawRatesAsync(string connectionString, int count)
    {
        var queue = new QueueClient(connectionString, $"bench-raw-{Guid.NewGuid():N}");
        await queue.CreateIfNotExistsAsync();
        var body = Convert.ToBase64String(new byte[600]);
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, ct) => await queue.SendMessageAsync(body, ct));
        var send = count / watch.Elapsed.TotalSeconds;
        var receive = await DrainRateAsync(queue, count);
        await queue.DeleteAsync();

        var table = new TableClient(connectionString, "benchraw" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        var json = new string('x', 900);
        watch.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await table.AddEntityAsync(new TableEntity("bench", $"r{i}") { ["Json"] = json }, ct));
        var insert = count / watch.Elapsed.TotalSeconds;
        watch.Restart();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await table.GetEntityIfExistsAsync<TableEntity>("bench", $"r{i}", cancellationToken: ct));
        var read = count / watch.Elapsed.TotalSeconds;
        await table.DeleteAsync();
        return new RawRates(send, receive, insert, read);
    }

    /// <summary>Receives <paramref name="count"/> messages 16 at a time, deleting each batch concurrently: messages per second.</summary>
    internal static async Task<double> DrainRateAsync(QueueClient queue, int count)
    {
        var watch = Stopwatch.StartNew();
        var done = 0;
        while (done < count)
        {
            var batch = (await queue.ReceiveMessagesAsync(16, TimeSpan.FromMinutes(5))).Value;
            await Task.WhenAll(batch.Select(m => queue.DeleteMessageAsync(m.MessageId, m.PopReceipt)));
            done += batch.Length;
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>The real app, local trigger host on, with a log listener that stamps when each submission was recorded.</summary>
    private sealed class LeadsApp(string connectionString, string prefix, int smtpPort, ConcurrentDictionary<string, long> recorded, ConcurrentDictionary<string, long> assigned)
        : WebApplicationFactory<FunctionCatalog>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("AzureWebJobsStorage", connectionString);
            builder.UseSetting("Storage:NamePrefix", prefix);
            builder.UseSetting("LocalTriggerHost:Enabled", "true");
            // Production needs its link-signing key (routing signs each offer's Accept and Reject links).
            builder.UseSetting("Tokens:Keys:bench", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("Tokens:ActiveKey", "bench");
            builder.UseSetting("Email:SmtpHost", "127.0.0.1");
            builder.UseSetting("Email:SmtpPort", smtpPort.ToString());
            builder.UseSetting("LocalTriggerHost:MaxPollingInterval", "00:00:00.500");
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.UseSetting($"Logging:LogLevel:{typeof(LeadEndpoints).FullName}", "Information");
            builder.UseSetting($"Logging:LogLevel:{typeof(LeadRoutingService).FullName}", "Information");
            builder.ConfigureLogging(logging =>
            {
                logging.ClearProviders();
                logging.AddFilter(typeof(LeadEndpoints).FullName, LogLevel.Information);
                logging.AddFilter(typeof(LeadRoutingService).FullName, LogLevel.Information);
                logging.AddProvider(new RecordedListener(recorded, assigned));
            });
        }
    }

    private sealed class RecordedListener(ConcurrentDictionary<string, long> recorded, ConcurrentDictionary<string, long> assigned) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            // Warnings (storage trouble, failed invocations) explain stalls; they go to stderr with a timestamp.
            if (logLevel >= LogLevel.Warning) Console.Error.WriteLine($"  [{DateTime.UtcNow:HH:mm:ss}] {logLevel}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> values) return;
            if (values.FirstOrDefault(v => v.Key == "SubmissionId").Value is string id)
                recorded.TryAdd(id, Stopwatch.GetTimestamp());
            // "Lead {LeadId} ...: hop {Hop} offered to {PartnerId}": the routing decision is stored and the offer committed.
            else if (values.FirstOrDefault(v => v.Key == "LeadId").Value is string lead && values.Any(v => v.Key == "Hop"))
                assigned.TryAdd(lead, Stopwatch.GetTimestamp());
        }
        public void Dispose() { }
    }
}
