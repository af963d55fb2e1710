using System.Diagnostics;
using System.Globalization;
using DotLiquid;
using Tcma.Rendering.Liquid;

namespace Tcma.Benchmarks.Liquid;

/// <summary>
/// Personalised emails per second on one thread for a 60-line HTML email with a loop and conditionals:
/// plain DotLiquid, our engine rendering the whole template, and our engine rendering only the recipient's
/// statements into a launch prepared once.
/// </summary>
public sealed class EmailRenderBenchmark : IBenchmark
{
    public string Name => "emails";
    public string Description => "personalised Liquid emails/s per core: plain DotLiquid vs full render vs prepared launch";

    public Task RunAsync(string[] args)
    {
        var seconds = args.Length > 0 && double.TryParse(args[0], CultureInfo.InvariantCulture, out var s) ? s : 10;
        var recipients = Enumerable.Range(0, 1_000).Select(i => new Dictionary<string, object?>
        {
            ["first_name"] = i % 10 == 0 ? "" : "Recipient" + i,
            ["email"] = $"r{i}@example.com",
            ["company"] = i % 3 == 0 ? null : "Company " + i,
        }).ToArray();
        var links = recipients.Select(r => new Dictionary<string, object?> { ["unsubscribe"] = "https://t.example/u/" + r["email"] }).ToArray();

        var options = new RenderOptions
        {
            Culture = CultureInfo.GetCultureInfo("fr-FR"),
            TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"),
            Currency = "EUR",
            Now = new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero),
            Tracking = new LiquidTracking("acme-it", "email", "spring-launch"),
        };
        var parsed = LiquidTemplate.Parse(EmailTemplates.Ours, "launch.html.liquid");
        if (!parsed.Succeeded) throw new InvalidOperationException(string.Join("\n", parsed.Errors));
        var template = parsed.Template!;
        var launch = template.PrepareLaunch(LiquidModel.Create(EmailTemplates.Partner, EmailTemplates.Vendor, EmailTemplates.Campaign), options).Launch!;

        var plain = Template.Parse(EmailTemplates.PlainDotLiquid);
        var plainShared = Hash.FromDictionary(new Dictionary<string, object>
        {
            ["partner"] = EmailTemplates.Partner, ["vendor"] = EmailTemplates.Vendor, ["campaign"] = EmailTemplates.Campaign,
        });

        string PlainDotLiquid(int i)
        {
            var variables = new Hash();
            variables.Merge(plainShared);
            variables["recipient"] = recipients[i];
            variables["links"] = links[i];
            return plain.Render(new RenderParameters(CultureInfo.InvariantCulture) { LocalVariables = variables, ErrorsOutputMode = ErrorsOutputMode.Rethrow });
        }
        string Full(int i) => template.Render(LiquidModel.Create(EmailTemplates.Partner, EmailTemplates.Vendor, EmailTemplates.Campaign, recipients[i], links[i]), options).Text!;
        string Prepared(int i) => launch.Render(LiquidModel.ForRecipient(recipients[i], links[i])).Text!;

        if (Full(1) != Prepared(1)) throw new InvalidOperationException("the prepared launch and the full render disagree");
        Console.WriteLine($"template: {EmailTemplates.Ours.Split('\n').Length} lines, {template.Statements} top-level statements, {template.PerRecipientStatements} rendered per recipient; email {Prepared(1).Length:N0} chars");
        var variants = new (string Name, Func<int, string> Run)[]
        {
            ("plain DotLiquid 2.3.260", PlainDotLiquid),
            ("ours, full render", Full),
            ("ours, prepared launch", Prepared),
        };
        // The machine is shared: variants take turns over several rounds and the median round is reported.
        var rounds = variants.Select(_ => new List<(double PerSecond, double Kb)>()).ToArray();
        foreach (var v in variants) Measure(v.Run, 0.3, recipients.Length); // warm-up
        for (var round = 0; round < 5; round++)
            for (var k = 0; k < variants.Length; k++)
                rounds[k].Add(Measure(variants[k].Run, seconds / 5, recipients.Length));
        Console.WriteLine($"{"variant (median of 5 rounds)",-34} {"emails/s",10} {"ms/email",9} {"KB alloc/email",15} {"rounds emails/s",30}");
        for (var k = 0; k < variants.Length; k++)
        {
            var sorted = rounds[k].OrderBy(r => r.PerSecond).ToList();
            var (perSecond, kb) = sorted[sorted.Count / 2];
            Console.WriteLine($"{variants[k].Name,-34} {perSecond,10:N0} {1000 / perSecond,9:0.0000} {kb,15:0.0} {string.Join(" ", rounds[k].Select(r => r.PerSecond.ToString("N0", CultureInfo.InvariantCulture))),30}");
        }
        Console.WriteLine($"prepared launch vs plain DotLiquid: x{rounds[2].Select(r => r.PerSecond).Order().ElementAt(2) / rounds[0].Select(r => r.PerSecond).Order().ElementAt(2):0.0}; load average now {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        return Task.CompletedTask;
    }

    private static (double PerSecond, double KbPerEmail) Measure(Func<int, string> run, double seconds, int recipients)
    {
        var count = 0;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed.TotalSeconds < seconds)
            for (var k = 0; k < 100; k++) run(count++ % recipients);
        watch.Stop();
        return (count / watch.Elapsed.TotalSeconds, (GC.GetAllocatedBytesForCurrentThread() - allocated) / 1024.0 / count);
    }
}
