using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Identity;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Dashboards;
using Tcma.Storage.Dashboards;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Workflows;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Dashboards;

/// <summary>
/// The console's home page counts what partners did, from counters the producing functions feed: equal to the source
/// records, once per event however often it is delivered, only ever the signed-in vendor's.
/// </summary>
public sealed partial class DashboardTests
{
    private static readonly DateTimeOffset Monday = new(2026, 12, 7, 5, 0, 0, TimeSpan.Zero);

    [GeneratedRegex("""data-figure="(\w+)">([\d,]+)<""")]
    private static partial Regex FigureRegex();

    [GeneratedRegex("""https?://[^"'\s<>]+/o/[^"'\s<>]+""")]
    private static partial Regex PixelUrl();

    [GeneratedRegex("""https?://[^"'\s<>]+/r/[^"'\s<>]+""")]
    private static partial Regex TrackedUrl();

    private static string PathOf(string url) => new Uri(WebUtility.HtmlDecode(url)).PathAndQuery;

    private static async Task<Dictionary<string, long>> FiguresAsync(HttpClient console, string query = "")
    {
        var html = await console.GetStringAsync("/console" + query);
        return FigureRegex().Matches(html).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value.Replace(",", "")));
    }

    [Fact]
    public async Task A_real_launch_its_emails_opens_clicks_and_a_lead_appear_on_the_home_page_as_the_source_records_have_them()
    {
        var clock = new FakeTimeProvider(Monday);
        await using var app = await TcmaAppFactory.StartAsync(clock);
        var (vendor, token, invitationId, _) = await InvitedPartnerAsync(app);
        var partner = Partner(app, token);
        var (opener, clicker, idle) = (Unique("opener"), Unique("clicker"), Unique("idle"));
        var contacts = await UploadContactsAsync(partner, $"Email,First name,Consent\n{opener},Olga,yes\n{clicker},Carl,yes\n{idle},Ida,yes\n");
        var confirmed = await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", contacts));
        Assert.Equal(HttpStatusCode.Created, confirmed.StatusCode);
        var launchId = (await confirmed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("launchId").GetString()!;
        // The same confirm again (a double click) is the same launch, counted once.
        await partner.PostAsJsonAsync("/api/partner/launch", Confirm(invitationId, "2026-12-07", contacts));

        clock.Advance(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero) - clock.GetUtcNow());
        await app.Services.GetRequiredService<WorkflowEngine>().SweepAsync();
        var toOpener = Assert.Single(await app.Inbox.WaitForAsync(opener));
        var toClicker = Assert.Single(await app.Inbox.WaitForAsync(clicker));
        var toIdle = Assert.Single(await app.Inbox.WaitForAsync(idle));
        var pixel = PathOf(PixelUrl().Match(toOpener.Html!).Value);
        await app.Anonymous().GetAsync(pixel);
        await app.Anonymous().GetAsync(pixel); // opened again: still one opened email
        var link = PathOf(TrackedUrl().Match(toClicker.Html!).Value);
        await app.Anonymous().GetAsync(link);
        await app.Anonymous().GetAsync(link);

        var log = app.Services.GetRequiredService<CampaignSendLog>();
        var summary = await EventuallyAsync(() => log.SummariseAsync(Vendor, launchId), s => s.Count("0-welcome", CampaignSendState.Sent) == 3);
        var engagement = await app.Services.GetRequiredService<CampaignEngagementStore>().ByTouchAsync(Vendor, launchId);

        var console = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var figures = await EventuallyAsync(() => FiguresAsync(console), f => f.GetValueOrDefault("sent") == 3);
        Assert.Equal(1, figures["launches"]);
        Assert.Equal(summary.Count("0-welcome", CampaignSendState.Sent), figures["sent"]);
        Assert.Equal(engagement.Values.Sum(t => t.Opened), figures["opened"]);
        Assert.Equal(engagement.Values.Sum(t => t.Clicked), figures["clicked"]);
        Assert.Equal((2, 1), (figures["opened"], figures["clicked"]));

        // A landing-page lead of this launch: counted once its workflow announces it, for the partner and the kit.
        var landing = Tcma.FunctionalTests.Leads.LandingPageSetup.Browser(app);
        var page = $"/p/{Vendor}/contoso/{Kit}";
        Assert.Equal(HttpStatusCode.OK, (await landing.GetAsync(page + $"?launch={launchId}")).StatusCode);
        var posted = await Tcma.FunctionalTests.Leads.LandingPageSetup.PostAsync(landing, Tcma.FunctionalTests.Leads.LandingPageSetup.Person(Unique("lead")),
            launch: launchId, path: page);
        Assert.Equal(HttpStatusCode.Redirect, posted.StatusCode);
        figures = await EventuallyAsync(() => FiguresAsync(console), f => f.GetValueOrDefault("leads") == 1);
        var leads = await app.Services.GetRequiredService<LeadStore>().ListAsync(Vendor, null, 100, default);
        Assert.Equal(leads.Count(l => l.Source is Tcma.Domain.Leads.LeadSource.LandingPage lp && lp.LaunchId == launchId), figures["leads"]);

        var kitRow = Regex.Match(await console.GetStringAsync("/console"), $"<tr data-kit=\"{Kit}\">(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(["1", "3", "2", "1", "0", "0", "1", "0"], Regex.Matches(kitRow, "<td>([\\d,]+)").Select(m => m.Groups[1].Value).ToArray());
        var funnel = await console.GetStringAsync("/console?step=lead");
        Assert.Contains("data-partner=\"contoso\"", funnel);

        // The kits table as CSV, with the same figures; a cell a spreadsheet would run is neutralised.
        var csv = await console.GetStringAsync("/console/dashboard/kits.csv");
        Assert.Contains($"{Kit},1.0.0,1,3,2,1,0,0,1,0,0,0.00", csv);

        // The same emails opened and clicked again next month (next year, even) are still the first opens, on their first day.
        clock.Advance(new DateTimeOffset(2027, 1, 4, 9, 0, 0, TimeSpan.Zero) - clock.GetUtcNow());
        await app.Anonymous().GetAsync(pixel);
        await app.Anonymous().GetAsync(link);
        console = await app.SignedInAsync(Vendor, VendorRole.ChannelManager); // a month later the first session has ended
        var both = await FiguresAsync(console, "?period=custom&from=2026-12-01&to=2027-01-04");
        Assert.Equal((3, 2, 1), (both["sent"], both["opened"], both["clicked"]));
        var january = await FiguresAsync(console);
        Assert.Equal((0, 0), (january.GetValueOrDefault("opened"), january.GetValueOrDefault("clicked")));

        // Rebuilt from the source records, the counters are what counting event by event made, row by row; an open that
        // arrives while the rebuild runs is counted once.
        var store = app.Services.GetRequiredService<DashboardCounterStore>();
        var (from, to, today) = (new DateOnly(2026, 12, 1), new DateOnly(2027, 1, 4), new DateOnly(2027, 1, 4));
        // A month on, the lead's SLA ran out with no partner left to take it: its lapse and its move to the pool are announced
        // (and counted) in the background; the comparison waits for both.
        async Task<Counts> VendorTotals() => Counts.Sum((await store.ReadAsync(Vendor, from, to)).Where(r => r.KitId is null && r.PartnerId is null).Select(r => r.Counts));
        for (var i = 0; i < 150 && (await VendorTotals())[ActivityKind.LeadPooled] == 0; i++) await Task.Delay(100);
        Assert.Equal((1, 1), ((await VendorTotals())[ActivityKind.LeadLapsed], (await VendorTotals())[ActivityKind.LeadPooled]));
        var incremental = Snapshot(await store.ReadAsync(Vendor, from, to)) + Snapshot(await store.ReadAsync(Vendor, from, to, rollupsThrough: today));
        Assert.Equal(HttpStatusCode.Forbidden, (await console.PostAsJsonAsync($"/api/vendors/{Vendor}/dashboard/rebuild", new { fromMonth = "2026-12", toMonth = "2027-01" })).StatusCode);
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        foreach (var (bad, why) in new[] { ("2026-13", "like"), ("2027-02", "has not started"), ("2025-01", "at most 18 months") })
        {
            var refused = await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/dashboard/rebuild", new { fromMonth = bad == "2025-01" ? bad : "2026-12", toMonth = bad == "2025-01" ? "2027-01" : bad });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains(why, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        }
        var rebuilt = await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/dashboard/rebuild", new { fromMonth = "2026-12", toMonth = "2027-01" });
        Assert.Equal(HttpStatusCode.OK, rebuilt.StatusCode);
        var result = await rebuilt.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(result.GetProperty("rowsCleared").GetInt32() > 0);
        // 1 launch, 3 sent, 2 opened, 1 clicked, and the lead's announced changes.
        Assert.True(result.GetProperty("eventsCounted").GetInt32() >= 8, result.ToString());
        Assert.Equal(incremental, Snapshot(await store.ReadAsync(Vendor, from, to)) + Snapshot(await store.ReadAsync(Vendor, from, to, rollupsThrough: today)));

        var idlePixel = PathOf(PixelUrl().Match(toIdle.Html!).Value);
        var during = admin.PostAsJsonAsync($"/api/vendors/{Vendor}/dashboard/rebuild", new { fromMonth = "2026-12", toMonth = "2027-01" });
        await app.Anonymous().GetAsync(idlePixel);
        Assert.Equal(HttpStatusCode.OK, (await during).StatusCode);
        var after = await FiguresAsync(admin, "?period=custom&from=2026-12-01&to=2027-01-04");
        engagement = await app.Services.GetRequiredService<CampaignEngagementStore>().ByTouchAsync(Vendor, launchId);
        Assert.Equal((3, engagement.Values.Sum(t => t.Opened), 1), (after["sent"], after["opened"], after["clicked"]));
        Assert.Equal(3, after["opened"]);
    }

    /// <summary>Rows as comparable text: the counts of each day, kit version and partner (the vendor's shards summed).</summary>
    private static string Snapshot(IReadOnlyList<CounterRow> rows) => string.Join("\n", rows
        .GroupBy(r => $"{r.Day:yyyy-MM-dd}|{r.KitId}|{r.Version}|{r.PartnerId}|{r.Group}")
        .OrderBy(g => g.Key, StringComparer.Ordinal)
        .Select(g => $"{g.Key}={string.Join(",", Enum.GetValues<ActivityKind>().Select(k => g.Sum(r => r.Counts[k])))},{g.Sum(r => r.Counts.Won)}")) + "\n";

    [Fact]
    public async Task An_event_delivered_again_or_many_times_at_once_counts_once_and_rows_for_kits_and_partners_agree()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = app.Services.GetRequiredService<DashboardCounterStore>();
        var vendor = "v" + Guid.NewGuid().ToString("N")[..8];
        var day = new DateOnly(2026, 11, 20);
        var events = Enumerable.Range(0, 40).Select(i => new Activity(vendor, $"send-{i}", i % 4 == 0 ? ActivityKind.EmailClicked : ActivityKind.EmailSent,
            $"partner-{i % 3}", $"kit-{i % 2}", "1.0.0", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero))).ToList();
        // Every event three times, all at once, as a queue might redeliver them while they are being counted.
        var results = await Task.WhenAll(events.Concat(events).Concat(events).Select(e => Task.Run(() => store.CountAsync(e, day))));
        Assert.Equal(40, results.Count(r => r));
        // A second app instance (its own memory of ETags) counting the same events: nothing changes.
        await using (var other = await TcmaAppFactory.StartAsync(localTriggerHost: false, overrides: new Dictionary<string, string?> { ["Storage:NamePrefix"] = app.StoragePrefix }))
            Assert.All(await Task.WhenAll(events.Take(5).Select(e => other.Services.GetRequiredService<DashboardCounterStore>().CountAsync(e, day))), Assert.False);

        var rows = await store.ReadAsync(vendor, day, day);
        long Total(Func<CounterRow, bool> which, ActivityKind kind) => rows.Where(which).Sum(r => r.Counts[kind]);
        Assert.Equal(30, Total(r => r.KitId is null && r.PartnerId is null, ActivityKind.EmailSent));
        Assert.Equal(10, Total(r => r.KitId is null && r.PartnerId is null, ActivityKind.EmailClicked));
        Assert.Equal(30, Total(r => r.KitId is not null, ActivityKind.EmailSent));
        Assert.Equal(30, Total(r => r.PartnerId is not null, ActivityKind.EmailSent));
        Assert.Equal(14, Total(r => r.PartnerId == "partner-0", ActivityKind.EmailSent) + Total(r => r.PartnerId == "partner-0", ActivityKind.EmailClicked));
        Assert.Empty(await store.ReadAsync(vendor, day.AddDays(1), day.AddDays(40)));

        // The month rows the home page reads for a whole month hold what the day rows hold, partner by partner and kit by kit.
        var month = await store.ReadAsync(vendor, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30), rollupsThrough: new DateOnly(2026, 12, 7));
        var byDay = await store.ReadAsync(vendor, new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30));
        string Totals(IEnumerable<CounterRow> r, Func<CounterRow, string?> key, bool lastDay = true) => string.Join(";", r.Where(x => key(x) is not null).GroupBy(key).OrderBy(g => g.Key)
            .Select(g => $"{g.Key}:{string.Join(",", Enum.GetValues<ActivityKind>().Select(k => g.Sum(x => x.Counts[k])))}:{(lastDay ? g.Max(x => x.Day).ToString("O") : "")}"));
        Assert.Equal(3, month.Count(r => r.PartnerId is not null));
        Assert.Equal(Totals(byDay, r => r.PartnerId), Totals(month, r => r.PartnerId));
        Assert.Equal(Totals(byDay.Where(r => r.KitId is not null), r => r.KitId + "|" + r.Version, lastDay: false),
            Totals(month.Where(r => r.KitId is not null), r => r.KitId + "|" + r.Version, lastDay: false));
        Assert.Equal(2, month.Count(r => r.KitId is not null));
    }

    [Fact]
    public async Task Another_vendors_figures_never_show_and_bad_periods_get_a_clear_answer()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        await dashboards.CountAsync(new Activity("fabrikam", "l-1", ActivityKind.Launched, "p-1", "secret-kit", "1.0.0", Monday.AddDays(-3)), default);
        await dashboards.CountAsync(new Activity(Vendor, "l-2", ActivityKind.Launched, "p-2", "our-kit", "1.0.0", Monday.AddDays(-3)), default);

        var ours = await app.SignedInAsync(Vendor, VendorRole.MdfApprover);
        var figures = await FiguresAsync(ours);
        Assert.Equal(1, figures["launches"]);
        var html = await ours.GetStringAsync("/console");
        Assert.Contains("our-kit", html);
        Assert.DoesNotContain("secret-kit", html);
        Assert.DoesNotContain("secret-kit", await ours.GetStringAsync("/console/dashboard/kits.csv"));
        // A filter naming a tier no partner has: zero, not an error and not everything.
        Assert.Equal(0, (await FiguresAsync(ours, "?tier=Diamond"))["launches"]);
        Assert.Equal(1, (await FiguresAsync(ours, "?kit=our-kit"))["launches"]);
        Assert.Equal(0, (await FiguresAsync(ours, "?kit=secret-kit"))["launches"]);

        var reversed = await ours.GetAsync("/console?period=custom&from=2026-12-01&to=2026-11-01");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Contains("after it ends", WebUtility.HtmlDecode(await reversed.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.BadRequest, (await ours.GetAsync("/console/dashboard/kits.csv?period=2031-Q1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ours.GetAsync("/console/dashboard/secrets.csv")).StatusCode);
    }

    [Fact]
    public async Task The_report_pdf_is_one_page_with_this_vendors_figures_for_the_period_asked_and_a_bad_period_is_refused()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        await dashboards.CountAsync(new Activity("fabrikam", "l-1", ActivityKind.Launched, "p-1", "secret-kit", "1.0.0", Monday.AddDays(-3)), default);
        await dashboards.CountAsync(new Activity(Vendor, "l-2", ActivityKind.Launched, "p-2", "report-kit", "1.0.0", Monday.AddDays(-3)), default);
        await dashboards.CountAsync(new Activity(Vendor, "s-2", ActivityKind.EmailSent, "p-2", "report-kit", "1.0.0", Monday.AddDays(-3), Quantity: 1234), default);
        var ours = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);

        var home = await ours.GetStringAsync("/console?period=30d");
        Assert.Contains("href=\"/console/dashboard/report.pdf?period=30d\"", home);
        var response = await ours.GetAsync("/console/dashboard/report.pdf?period=30d");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        using var pdf = UglyToad.PdfPig.PdfDocument.Open(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(1, pdf.NumberOfPages);
        var text = string.Join(" ", pdf.GetPage(1).GetWords().Select(w => w.Text));
        Assert.Contains("report-kit", text);
        Assert.Contains("1,234", text);
        Assert.Contains("8 Nov 2026 to 7 Dec 2026", text);
        Assert.DoesNotContain("secret-kit", text);
        Assert.Contains("No MDF program runs in this period.", text);

        Assert.Equal(HttpStatusCode.BadRequest, (await ours.GetAsync("/console/dashboard/report.pdf?period=2031-Q1")).StatusCode);
        var anonymous = await app.Anonymous().GetAsync("/console/dashboard/report.pdf");
        Assert.NotEqual("application/pdf", anonymous.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_partner_name_that_a_spreadsheet_would_run_is_written_as_text_in_the_csv()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var admin = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        await PartnerAsync(admin, "formula", "Gold", Unique("f"));
        var directory = app.Services.GetRequiredService<Tcma.Storage.Partners.PartnerDirectory>();
        var stored = (await directory.GetAsync(Vendor, "formula"))!.Partner;
        await directory.SaveAsync(Vendor, stored with { CompanyName = "=HYPERLINK(\"http://evil.example\",\"x\")" }, "test", Monday);
        await app.Services.GetRequiredService<DashboardService>().CountAsync(new Activity(Vendor, "l-1", ActivityKind.Launched, "formula", "kit", "1.0.0", Monday.AddDays(-1)), default);
        var csv = await admin.GetStringAsync("/console/dashboard/partners.csv");
        Assert.Contains("'=HYPERLINK", csv);
        Assert.DoesNotContain(",=HYPERLINK", csv);
    }

    [Fact]
    public async Task A_partner_whose_score_fell_against_the_days_before_is_flagged_as_slipping_and_the_partner_table_sorts_by_score()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var console = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        await PartnerAsync(console, "steady", "Gold", Unique("s"));
        await PartnerAsync(console, "slipping", "Gold", Unique("p"));
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        async Task Count(string partner, ActivityKind kind, DateTimeOffset at, int quantity = 1, decimal amount = 0) =>
            await dashboards.CountAsync(new Activity(Vendor, $"{partner}-{kind}-{at:MMdd}", kind, partner, Kit, "1.0.0", at, amount, quantity), default);
        // This quarter so far is 68 days (1 October to 7 December); the 68 days before start on 25 July.
        var (before, now) = (new DateTimeOffset(2026, 8, 14, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero));
        foreach (var (at, big) in new[] { (before, true), (now, false) })
        {
            await Count("steady", ActivityKind.Launched, at);
            await Count("steady", ActivityKind.EmailSent, at, 100);
            await Count("steady", ActivityKind.EmailClicked, at, 5);
            await Count("slipping", ActivityKind.EmailSent, at, big ? 1000 : 100);
            if (!big) continue;
            await Count("slipping", ActivityKind.Launched, at, 3);
            await Count("slipping", ActivityKind.EmailClicked, at, 60);
            await Count("slipping", ActivityKind.LeadCaptured, at, 2);
            await Count("slipping", ActivityKind.LeadAccepted, at, 2);
            await Count("slipping", ActivityKind.LeadWon, at, 1, 5_000);
        }

        var home = await console.GetStringAsync("/console");
        var risk = Regex.Match(home, "<li data-risk=\"slipping\">(.*?)</li>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Matches("score fell from \\d+ to \\d+ against the 68 days before", risk);
        Assert.DoesNotContain("data-risk=\"steady\"", home);
        string[] Order(string html) => Regex.Matches(html, "<tr data-partner=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(["slipping", "steady"], Order(await console.GetStringAsync("/console?sort=lowest")));
        Assert.Equal(["steady", "slipping"], Order(await console.GetStringAsync("/console?sort=score")));
        var csv = await console.GetStringAsync("/console/dashboard/partners.csv");
        Assert.Contains("Won amount,Score", csv);
    }

    [Fact]
    public async Task A_scorecard_shows_the_partners_score_with_its_reasons_and_another_vendors_partner_is_not_found()
    {
        var clock = new FakeTimeProvider(Monday);
        await using var app = await TcmaAppFactory.StartAsync(clock, localTriggerHost: false);
        var admin = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        await PartnerAsync(admin, "harbour", "Gold", Unique("h"));
        await PartnerAsync(admin, "quiet", "Silver", Unique("q"));
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        var at = Monday.AddDays(-30);
        await dashboards.CountAsync(new Activity(Vendor, "l-1", ActivityKind.Launched, "harbour", "kit", "1.0.0", at), default);
        await dashboards.CountAsync(new Activity(Vendor, "bulk-1", ActivityKind.EmailSent, "harbour", "kit", "1.0.0", at, Quantity: 200), default);
        await dashboards.CountAsync(new Activity(Vendor, "bulk-2", ActivityKind.EmailClicked, "harbour", "kit", "1.0.0", at, Quantity: 4), default);

        var html = WebUtility.HtmlDecode(await admin.GetStringAsync("/console/partners/harbour"));
        var expected = EngagementScore.For(new Counts(new Dictionary<ActivityKind, long> { [ActivityKind.Launched] = 1, [ActivityKind.EmailSent] = 200, [ActivityKind.EmailClicked] = 4 }, 0),
            DateOnly.FromDateTime(at.UtcDateTime), new DateOnly(2026, 12, 7), 68, new ScoreWeights());
        Assert.Contains($"data-score=\"{expected.Value}\"", html);
        Assert.Contains("launched 1 campaign (full marks from 3)", html);
        Assert.Contains("2% of emails were clicked", html);
        Assert.Contains("At risk: silent for 30 days", html);

        // The home page flags both: one silent for 30 days, one with nothing in the quarter.
        var home = WebUtility.HtmlDecode(await admin.GetStringAsync("/console"));
        Assert.Contains("data-risk=\"harbour\"", home);
        Assert.Contains("data-risk=\"quiet\"", home);

        var other = await app.SignedInAsync("fabrikam", VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/console/partners/harbour")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/console/partners/nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/console/partners/harbour?period=nonsense")).StatusCode);
    }

    [Fact]
    public async Task A_past_months_figures_are_reused_between_views_but_a_late_event_or_another_instances_count_shows()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var console = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        var november = new DateTimeOffset(2026, 11, 12, 10, 0, 0, TimeSpan.Zero);
        Task Send(DashboardService d, string id, int quantity) => d.CountAsync(new Activity(Vendor, id, ActivityKind.EmailSent, "p-1", Kit, "1.0.0", november, Quantity: quantity), default);
        await Send(dashboards, "s-1", 10);
        Assert.Equal(10, (await FiguresAsync(console))["sent"]);
        Assert.Equal(10, (await FiguresAsync(console, $"?kit={Kit}"))["sent"]);

        // A send of November counted late, by this instance: the next view has it, although November is past.
        await Send(dashboards, "s-2", 5);
        Assert.Equal(15, (await FiguresAsync(console))["sent"]);
        Assert.Equal(15, (await FiguresAsync(console, $"?kit={Kit}"))["sent"]);

        // Another instance's late count shows once this instance's reuse time is over (here none).
        await using var reader = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false,
            overrides: new Dictionary<string, string?> { ["Storage:NamePrefix"] = app.StoragePrefix, ["Dashboards:ClosedMonthCacheTime"] = "00:00:00" });
        var readerConsole = await reader.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(15, (await FiguresAsync(readerConsole))["sent"]);
        await Send(dashboards, "s-3", 7);
        Assert.Equal(22, (await FiguresAsync(readerConsole))["sent"]);
        // A redelivery counts nothing, here or there.
        await Send(reader.Services.GetRequiredService<DashboardService>(), "s-3", 7);
        Assert.Equal(22, (await FiguresAsync(readerConsole))["sent"]);
        Assert.Equal(22, (await FiguresAsync(console))["sent"]);
    }

    [GeneratedRegex("""step=(\w+)[^"]*">[^<]+</a>\s*<strong class="funnel-count">([\d,]+)<""")]
    private static partial Regex FunnelStepRegex();

    private static async Task<Dictionary<string, long>> FunnelAsync(HttpClient console) =>
        FunnelStepRegex().Matches(await console.GetStringAsync("/console")).ToDictionary(m => m.Groups[1].Value, m => long.Parse(m.Groups[2].Value.Replace(",", "")));

    [Fact]
    public async Task The_funnel_counts_an_invitation_once_it_is_emailed_and_its_first_opening_once_however_often_it_is_opened()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var (vendor, token, invitationId, _) = await InvitedPartnerAsync(app);
        var console = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var funnel = await FunnelAsync(console);
        Assert.Equal((1, 0, 0), (funnel["invited"], funnel["opened"], funnel["launched"]));

        var partner = app.Anonymous();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await partner.GetAsync($"/partner/launch?t={Uri.EscapeDataString(token)}")).StatusCode);
        funnel = await FunnelAsync(console);
        Assert.Equal((1, 1, 0), (funnel["invited"], funnel["opened"], funnel["launched"]));
        var opened = (await app.Services.GetRequiredService<LaunchStore>().InvitationAsync(Vendor, invitationId, default))!.OpenedAt;
        Assert.Equal(Monday, opened);

        // Inviting the same partner again is the same invitation: still one.
        await InviteAsync(vendor, new { kitId = Kit, version = "1.0.0", partnerIds = new[] { "contoso" } }, HttpStatusCode.OK);
        Assert.Equal(1, (await FunnelAsync(console))["invited"]);
        // Rebuilt from the invitations, the same.
        var admin = await app.SignedInAsync(Vendor, VendorRole.VendorAdmin);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/vendors/{Vendor}/dashboard/rebuild", new { fromMonth = "2026-12", toMonth = "2026-12" })).StatusCode);
        funnel = await FunnelAsync(console);
        Assert.Equal((1, 1), (funnel["invited"], funnel["opened"]));
    }

    [Fact]
    public async Task A_tier_or_a_region_shows_the_sums_of_its_partners_in_whole_months_and_in_months_the_period_cuts()
    {
        await using var app = await TcmaAppFactory.StartAsync(new FakeTimeProvider(Monday), localTriggerHost: false);
        var console = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var directory = app.Services.GetRequiredService<Tcma.Storage.Partners.PartnerDirectory>();
        foreach (var (id, tier, region) in new[] { ("gold-emea", "Gold", "EMEA"), ("gold-apac", "Gold", "APAC"), ("silver-emea", "Silver", "EMEA") })
            await directory.SaveAsync(Vendor, new Tcma.Domain.Partners.Partner(id, id, tier, region, "DE", [],
                [new Tcma.Domain.Partners.PartnerContact("Owner", $"{id}@example.test", "Owner", true)], Tcma.Domain.Partners.PartnerStatus.Active), "test", Monday);
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        var (november, december) = (new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        foreach (var (id, sent) in new[] { ("gold-emea", 10), ("gold-apac", 20), ("silver-emea", 40) })
        {
            await dashboards.CountAsync(new Activity(Vendor, $"{id}-nov", ActivityKind.EmailSent, id, Kit, "1.0.0", november, Quantity: sent), default);
            await dashboards.CountAsync(new Activity(Vendor, $"{id}-dec", ActivityKind.EmailSent, id, Kit, "1.0.0", december, Quantity: sent * 2), default);
        }

        // This quarter reads November and December whole (the groups' own rows); the last 30 days cut November (day rows).
        foreach (var period in new[] { "", "&period=30d" })
        {
            Assert.Equal(210, (await FiguresAsync(console, "?" + period.TrimStart('&')))["sent"]);
            Assert.Equal(10 + 20 + 20 + 40, (await FiguresAsync(console, "?tier=Gold" + period))["sent"]);
            Assert.Equal(10 + 40 + 20 + 80, (await FiguresAsync(console, "?region=emea" + period))["sent"]);
            Assert.Equal(40 + 80, (await FiguresAsync(console, "?tier=Silver&region=EMEA" + period))["sent"]);
            // The weeks add up to the same, week by week from the same rows.
            var weeks = (await console.GetStringAsync("/console/dashboard/weeks.csv?tier=Gold" + period)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1);
            Assert.Equal(90, weeks.Sum(line => long.Parse(line.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
