using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Tcma.Domain.Launches;
using Tcma.Email;
using Tcma.Email.Campaigns;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Hosting;
using Tcma.Storage.Launches;
using Tcma.Storage.Messaging;

namespace Tcma.Benchmarks.CampaignMail;

/// <summary>
/// One launch to N contacts through the whole mailer: N CampaignEmail messages on campaign-emails, the local trigger
/// host, suppression check, send record, tracked links, SMTP to maildev, the record again. Counts the emails the SMTP
/// server accepted per second, unthrottled (the mailer's capacity) unless rates are given.
/// </summary>
public sealed class CampaignMailBenchmark : IBenchmark
{
    public string Name => "campaign-mail";
    public string Description => "emails handed to SMTP per second for one launch (args: [contacts=5000] [rate per second, default unthrottled])";

    public async Task RunAsync(string[] args)
    {
        var contacts = args.Length > 0 ? int.Parse(args[0]) : 5000;
        var rate = args.Length > 1 ? args[1] : "1000000";
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TCMA_FUNCTIONS", Path.Combine(RepoPaths.Root, "functions"));
        var azurite = await LocalServices.Azurite();
        var mail = await LocalServices.MailDev();
        var counter = new SmtpCounter();
        await using var app = new BenchmarkApp(new Dictionary<string, string>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Storage:NamePrefix"] = "b" + Guid.NewGuid().ToString("N")[..12],
            ["LocalTriggerHost:Enabled"] = "true",
            // A console line per email would cost more than the email.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Email:SmtpHost"] = "127.0.0.1",
            ["Email:SmtpPort"] = mail.SmtpPort.ToString(),
            ["Email:PublicBaseUrl"] = "https://mail.tcma.test",
            ["Email:CampaignRatePerSecond"] = rate,
            ["Email:CampaignPartnerRatePerSecond"] = rate,
        }, counter);
        _ = app.Server;
        var sender = app.Services.GetRequiredService<IMessageSender>();
        var log = app.Services.GetRequiredService<CampaignSendLog>();
        Console.WriteLine($"{contacts} contacts, rate {rate}/s, {Environment.ProcessorCount} cores, load average {LoadAverage()}");

        // Warm-up: JIT, table and queue creation, first SMTP connections.
        await RunLaunchAsync(sender, log, counter, "warm-up", 50);
        var (enqueue, total, latencies) = await RunLaunchAsync(sender, log, counter, "L-bench", contacts);
        var summary = await log.SummariseAsync("bench", "L-bench");
        var sorted = latencies.Order().ToArray();
        Console.WriteLine($"enqueued {contacts} messages in {enqueue.TotalSeconds:0.0} s ({contacts / enqueue.TotalSeconds:0}/s)");
        Console.WriteLine($"all {contacts} handed to SMTP {total.TotalSeconds:0.0} s after the first enqueue: {contacts / total.TotalSeconds:0} emails/s");
        Console.WriteLine($"SMTP hand-over per email (pooled connections: MAIL, RCPT, DATA): p50 {sorted[sorted.Length / 2]:0.0} ms, p95 {sorted[(int)(sorted.Length * 0.95)]:0.0} ms");
        Console.WriteLine($"records: {string.Join(", ", summary.Counts.Select(c => $"{c.Key} {c.Value}"))}; load average {LoadAverage()}");
    }

    private static async Task<(TimeSpan Enqueue, TimeSpan Total, List<double> Latencies)> RunLaunchAsync(
        IMessageSender sender, CampaignSendLog log, SmtpCounter counter, string launchId, int contacts)
    {
        counter.Reset();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, contacts), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await sender.SendAsync(CampaignEmail.Queue, Email(launchId, i), cancellationToken: ct));
        var enqueue = watch.Elapsed;
        var deadline = DateTime.UtcNow.AddMinutes(15);
        while (counter.Count < contacts)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{counter.Count} of {contacts} sent");
            await Task.Delay(20);
        }
        return (enqueue, counter.LastAt, counter.Latencies.ToList());
    }

    private static CampaignEmail Email(string launchId, int i)
    {
        var recipient = $"contact{i}@{launchId.ToLowerInvariant()}.bench.test";
        return new CampaignEmail("bench", "p-bench", launchId, "touch-1", $"{launchId}-touch-1-{i}", recipient, $"Contact {i}",
            "Contoso Systems", "sales@contoso.example", "Contoso Systems GmbH, Hauptstrasse 1, 10115 Berlin",
            "Back up your cloud in five minutes",
            $"<html><body><p>Hello Contact {i},</p><p><a href=\"https://northwind.example/backup?ref=kit\">See pricing</a> · " +
            $"<a href=\"https://contoso.example/contact\">Talk to us</a></p>{new string('x', 4000)}<p><a href=\"{CampaignEmail.UnsubscribePlaceholder}\">Unsubscribe</a></p></body></html>",
            $"Hello Contact {i},\nSee pricing: https://northwind.example/backup?ref=kit\nUnsubscribe: {CampaignEmail.UnsubscribePlaceholder}\n",
            "Cloud Backup Autumn");
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    /// <summary>Wraps the real SMTP sender: counts the emails the server accepted and how long each hand-over took.</summary>
    private sealed class SmtpCounter
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private TimeSpan started;
        private int count;
        public ConcurrentBag<double> Latencies { get; private set; } = [];
        public int Count => Volatile.Read(ref count);
        public TimeSpan LastAt { get; private set; }

        public void Reset()
        {
            Latencies = [];
            Interlocked.Exchange(ref count, 0);
            started = clock.Elapsed;
        }

        public void Sent(double milliseconds)
        {
            Latencies.Add(milliseconds);
            Interlocked.Increment(ref count);
            LastAt = clock.Elapsed - started;
        }
    }

    private sealed class CountingSender(IEmailSender inner, SmtpCounter counter) : IEmailSender
    {
        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
        {
            var started = Stopwatch.GetTimestamp();
            await inner.SendAsync(message, cancellationToken);
            counter.Sent(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private sealed class OpenGate : ILaunchSendGate
    {
        public Task<bool> MaySendAsync(string vendorId, string launchId, string touchId, CancellationToken cancellationToken) => Task.FromResult(true);
    }

    private sealed class BenchmarkApp(Dictionary<string, string> settings, SmtpCounter counter) : WebApplicationFactory<FunctionCatalog>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Development");
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
            builder.ConfigureServices(services =>
            {
                services.AddSingleton<CampaignSmtpSender>();
                services.Replace(ServiceDescriptor.KeyedSingleton<IEmailSender>(CampaignSmtpSender.ServiceKey,
                    (sp, _) => new CountingSender(sp.GetRequiredService<CampaignSmtpSender>(), counter)));
                services.AddSingleton<ILaunchSendGate, OpenGate>();
            });
        }
    }
}
