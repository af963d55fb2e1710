using System.Text;
using System.Text.RegularExpressions;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Mdf;
using static Tcma.UnitTests.Mdf.Samples;
using Tcma.Functions.Dashboards;
using Tcma.Rendering.Images;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace Tcma.UnitTests.Dashboards;

/// <summary>
/// The home page's PDF report: one page whatever the data (long names, many rows, nothing at all), its text real text a
/// reader can select and search, and nothing drawn off the page or over something else.
/// </summary>
public sealed class DashboardReportTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 16, 5, 0, TimeSpan.Zero);
    private static readonly DashboardPeriod Q4 = new("2026-q4", new(2026, 10, 1), new(2026, 12, 7), "Q4 2026");
    private readonly ImageRenderer _renderer = new();
    private DashboardReport Report => new(_renderer);

    public void Dispose() => _renderer.Dispose();

    private static Counts C(long launched = 0, long sent = 0, long opened = 0, long clicked = 0, long leads = 0, long accepted = 0, long won = 0, decimal amount = 0) =>
        new(new Dictionary<ActivityKind, long>
        {
            [ActivityKind.Launched] = launched, [ActivityKind.EmailSent] = sent, [ActivityKind.EmailOpened] = opened, [ActivityKind.EmailClicked] = clicked,
            [ActivityKind.LeadCaptured] = leads, [ActivityKind.LeadAccepted] = accepted, [ActivityKind.LeadWon] = won,
        }, amount);

    /// <summary>A busy quarter: every table fuller than the page shows, names as long as <paramref name="name"/> makes them.</summary>
    private static DashboardView Busy(Func<string, int, string> name, DashboardFilters? filters = null, DashboardPeriod? period = null)
    {
        var p = period ?? Q4;
        var weeks = new List<WeekCounts>();
        for (var (w, i) = (DashboardService.WeekStart(p.From), 0); w <= p.To; w = w.AddDays(7), i++)
            weeks.Add(new(w, C(sent: 400 + 90 * (i % 5), opened: 150 + 30 * (i % 3), clicked: 20 + i, leads: 3 + i % 4, accepted: 2 + i % 3, won: i % 2)));
        var partners = Enumerable.Range(0, 40).Select(i => new PartnerResult($"p{i}", name("Partner", i), i % 3 == 0 ? "Gold" : "Silver", i % 2 == 0 ? "EMEA" : "North America",
            C(launched: 1 + i % 3, sent: 300 - i, clicked: 12, leads: 9 - i % 9, accepted: 5 - i % 5, won: i % 4 == 0 ? 1 : 0, amount: i % 4 == 0 ? 125_000m - i : 0))).ToList();
        var kits = Enumerable.Range(0, 9).Select(i => new KitResult(name("kit", i), $"1.{i}.0", C(launched: 20 - i, sent: 4_000 - 100 * i, leads: 30 - i, won: 3, amount: 250_000))).ToList();
        var atRisk = Enumerable.Range(0, 23).Select(i => new AtRiskPartner($"r{i}", name("Quiet partner", i), "Bronze", i, i % 2 == 0 ? "silent for 30 days" : "no activity in the last 68 days")).ToList();
        var totals = Counts.Sum(weeks.Select(w => w.Counts)).Plus(C(launched: 58, amount: 1_234_567));
        FunnelStep[] funnel = [new("Active partners", 52, null), new("Invited to a campaign", 50, "invited"), new("…and opened the launch link", 44, "opened"), new("…and launched a campaign", 40, "launched"), new("…and sent an email", 37, "sent"), new("…and produced a lead", 30, "lead"), new("…and won revenue", 10, "won")];
        return new DashboardView(p, filters ?? new(), totals, weeks, funnel, kits, partners, ["Gold", "Silver"], ["EMEA"], kits.Select(k => k.KitId).ToList(), atRisk);
    }

    private static DashboardView Empty(DashboardPeriod? period = null)
    {
        var p = period ?? Q4;
        var weeks = new List<WeekCounts>();
        for (var w = DashboardService.WeekStart(p.From); w <= p.To; w = w.AddDays(7)) weeks.Add(new(w, Counts.Zero));
        FunnelStep[] funnel = [new("Active partners", 0, null), new("Launched a campaign", 0, "launched"), new("…and sent an email", 0, "sent"), new("…and produced a lead", 0, "lead"), new("…and won revenue", 0, "won")];
        return new DashboardView(p, new(), Counts.Zero, weeks, funnel, [], [], [], [], [], []);
    }

    private static Page OnlyPage(byte[] pdf, string sample)
    {
        File.WriteAllBytes(Path.Combine(Samples(), sample + ".pdf"), pdf);
        Assert.StartsWith("%PDF-", Encoding.Latin1.GetString(pdf, 0, 8));
        // Counted twice: in the bytes (page objects, not the /Pages tree) and by a PDF reader.
        Assert.Single(Regex.Matches(Encoding.Latin1.GetString(pdf), @"/Type /Page\b"));
        var document = PdfDocument.Open(pdf);
        Assert.Equal(1, document.NumberOfPages);
        return document.GetPage(1);
    }

    private static string Samples()
    {
        var folder = Path.Combine(Path.GetTempPath(), "tcma-report-samples");
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Every word inside the page, and no two words drawn over each other (text cut to its column does not spill).</summary>
    private static void AssertLaidOut(Page page)
    {
        var words = page.GetWords().ToList();
        Assert.NotEmpty(words);
        Assert.All(words, w => Assert.True(w.BoundingBox.Left >= 0 && w.BoundingBox.Right <= page.Width && w.BoundingBox.Bottom >= 0 && w.BoundingBox.Top <= page.Height,
            $"'{w.Text}' at {w.BoundingBox} runs off the page"));
        for (var i = 0; i < words.Count; i++)
            for (var j = i + 1; j < words.Count; j++)
            {
                var (a, b) = (words[i].BoundingBox, words[j].BoundingBox);
                // A quarter point of slack: glyph boxes of neighbouring letters may touch.
                var overlaps = a.Left < b.Right - 0.25 && b.Left < a.Right - 0.25 && a.Bottom < b.Top - 0.25 && b.Bottom < a.Top - 0.25;
                Assert.False(overlaps, $"'{words[i].Text}' ({a}) and '{words[j].Text}' ({b}) are drawn over each other");
            }
    }

    [Fact]
    public void A_busy_quarter_is_one_page_of_real_text_with_the_figures_charts_and_tables()
    {
        var pdf = Report.Render(Busy((what, i) => $"{what} {i}"), "Contoso Networks", At);
        var page = OnlyPage(pdf, "busy");
        var text = page.Text;
        foreach (var expected in new[]
        {
            "Channel program report", "Contoso Networks", "Q4 2026", "1 Oct 2026 to 7 Dec 2026",
            "Launches", "Emails sent", "Opened", "Clicked", "Leads", "Accepted", "Won", "1,234,567 revenue",
            "Participation", "Invited to a campaign", "…and launched a campaign", "of the step before", "Emails by week", "Leads by week", "Sent", "New",
            "Top kits", "kit 0 v1.0.0", "and 4 more kit versions", "Top partners", "Partner 0", "and 32 more partners",
            "Partners at risk (23)", "Quiet partner 0", "silent for 30 days", "and 19 more in the console",
            "Generated 7 Dec 2026, 16:05 UTC by Tcma; figures counted as docs/DASHBOARDS.md describes.",
        })
            Assert.Contains(expected, text);
        // The top rows only: the 9th partner, the 6th kit and the 5th partner at risk are left to the console.
        Assert.DoesNotContain("Partner 8", text);
        Assert.DoesNotContain("kit 5", text);
        Assert.DoesNotContain("Quiet partner 4", text);
        Assert.DoesNotContain("No activity in this period", text);
        // 40 of the 44 that opened their launch link launched: 91%, as the console's funnel computes it.
        Assert.Contains("91% of the step before", text);
        var raw = Encoding.Latin1.GetString(pdf);
        Assert.Contains("/FontFile2", raw); // the font travels in the file: text, not outlines or a picture of text
        Assert.DoesNotContain("/Subtype /Image", raw);
        AssertLaidOut(page);
    }

    [Fact]
    public void Long_names_are_cut_with_an_ellipsis_and_the_page_stays_one()
    {
        string Long(string what, int i) => $"{what} {i} " + string.Concat(Enumerable.Repeat("Gesellschaft für Netzwerkintegration und Datensicherheit ", 6));
        var vendor = string.Concat(Enumerable.Repeat("Enormously Long Vendor Name Holdings International ", 8));
        var filters = new DashboardFilters(Long("tier", 0), Long("region", 0), null);
        var pdf = Report.Render(Busy(Long, filters, new DashboardPeriod("custom", new(2026, 1, 1), new(2026, 12, 7), "1 Jan 2026 – 7 Dec 2026")), vendor, At);
        var page = OnlyPage(pdf, "long-names");
        Assert.Contains("…", page.Text);
        Assert.Contains("Partner 0 Gesellschaft", page.Text);
        Assert.Contains("Filtered to tier", page.Text);
        AssertLaidOut(page);
    }

    [Fact]
    public void An_empty_period_says_so_instead_of_drawing_empty_charts()
    {
        var pdf = Report.Render(Empty(), "Contoso", At);
        var page = OnlyPage(pdf, "empty");
        var text = page.Text;
        // The funnel, both charts, both tables: each says there was nothing.
        Assert.Equal(5, Regex.Matches(text, "No activity in this period").Count);
        Assert.Contains("No partner is at risk in this period.", text);
        Assert.Contains("No MDF program runs in this period.", text);
        Assert.DoesNotContain("of the step before", text);
        Assert.Contains("– of sent", text);
        Assert.DoesNotContain("New", text); // no legend over a chart that is not drawn
        AssertLaidOut(page);
    }

    [Fact]
    public void A_kit_with_a_tier_filter_says_why_its_figures_are_zero_and_a_time_zone_shows_in_the_footer()
    {
        var view = Empty() with { Filters = new DashboardFilters("Gold", null, "spring-offer") };
        var pdf = Report.Render(view, "Contoso", new DateTimeOffset(2026, 12, 7, 17, 5, 0, TimeSpan.FromHours(1)));
        var text = OnlyPage(pdf, "kit-and-tier").Text;
        Assert.Contains("Filtered to tier Gold, kit spring-offer", text);
        Assert.Contains("not counted yet", text);
        Assert.Contains("Generated 7 Dec 2026, 17:05 UTC+01:00 by Tcma", text);
    }

    [Fact]
    public void The_mdf_block_shows_each_programs_funds_what_expires_what_waits_and_what_it_returned()
    {
        var figures = new FundFigures(Usd(200_000), Usd(1_500), Usd(0), Usd(10_000), Usd(5_375), Usd(5_125), Usd(250), Usd(180_750));
        ProgramMoney Program(int i) => new(Q1 with { Id = $"p{i}", Name = $"Partner MDF {i}" }, 40, figures, Usd(179_500), 38, 25, []);
        var mdf = new MdfHome([Program(0), Program(1), Program(2)],
            [new("request", "r1", "alpine", "p0", Usd(1_500), "Channel manager", TimeSpan.FromDays(4.5)), new("claim", "c1", "eastbay", "p0", Usd(900), "Finance", TimeSpan.FromDays(42.2))],
            1, [new MoneyReturn(Currency.USD, 7, Usd(23_000), Usd(9_000), Usd(187_500), 20.83m)]);
        var page = OnlyPage(Report.Render(Busy((what, i) => $"{what} {i}"), "Contoso", At, mdf), "mdf");
        var text = page.Text;
        Assert.Contains("Partner MDF 0", text);
        Assert.Contains("Partner MDF 1", text);
        Assert.DoesNotContain("Partner MDF 2", text);
        // Funded is what came in: allocation, accrual and adjustments.
        Assert.Contains("201,500", text);
        Assert.Contains("179,500", text);
        Assert.Contains("180,750", text);
        Assert.Contains("Waiting: 1 request and 1 claim, the oldest 42 days", text);
        Assert.Contains("pipeline per USD 1 of MDF reimbursed: 20.83", text);
        Assert.Contains("1 more program in the console", text);
        AssertLaidOut(page);
    }

    [Fact]
    public void The_same_view_gives_the_same_bytes()
    {
        var view = Busy((what, i) => $"{what} {i}");
        Assert.Equal(Report.Render(view, "Contoso", At), Report.Render(view, "Contoso", At));
        Assert.NotEqual(Report.Render(view, "Contoso", At), Report.Render(view, "Contoso", At.AddMinutes(1)));
    }
}
