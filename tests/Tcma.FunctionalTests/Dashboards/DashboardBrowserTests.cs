using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tcma.Domain.Dashboards;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Dashboards;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Dashboards;

/// <summary>A channel manager's morning look at the program, in a real browser at desk and phone width.</summary>
public sealed class DashboardBrowserTests
{
    [Fact]
    public async Task A_channel_manager_reads_the_home_page_switches_the_period_follows_a_funnel_step_to_a_scorecard_and_downloads_the_csv()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock, kestrel: true, localTriggerHost: false);
        var directory = app.Services.GetRequiredService<Tcma.Storage.Partners.PartnerDirectory>();
        foreach (var (id, tier) in new[] { ("harbour", "Gold"), ("alpine", "Silver") })
            await directory.SaveAsync(Vendor, new Domain.Partners.Partner(id, $"{id} IT", tier, "EMEA", "DE", ["Backup"],
                [new Domain.Partners.PartnerContact("Owner", Unique(id), "Owner", true)], Domain.Partners.PartnerStatus.Active), "test", clock.GetUtcNow());
        var dashboards = app.Services.GetRequiredService<DashboardService>();
        async Task Count(string id, ActivityKind kind, string partner, int daysAgo, int quantity = 1, decimal amount = 0) =>
            await dashboards.CountAsync(new Activity(Vendor, id, kind, partner, Kit, "1.0.0", clock.GetUtcNow().AddDays(-daysAgo), amount, quantity), default);
        await Count("l-1", ActivityKind.Launched, "harbour", 5);
        await Count("s-1", ActivityKind.EmailSent, "harbour", 5, 120);
        await Count("c-1", ActivityKind.EmailClicked, "harbour", 4, 9);
        await Count("d-1", ActivityKind.LeadCaptured, "harbour", 3, 2);
        await Count("l-2", ActivityKind.Launched, "alpine", 50); // October: this quarter, not the last 30 days
        await Count("s-2", ActivityKind.EmailSent, "alpine", 50, 80);

        foreach (var (width, height) in new[] { (1280, 800), (375, 740) })
        {
            await using var context = await Browser.NewContextAsync(app.PublicAddress!, width, height);
            var page = await context.NewPageAsync();
            await page.GotoAsync("/console");
            await page.GetByLabel("Vendor id").FillAsync(Vendor);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await page.ArrivedAtAsync("**/console");
            Assert.Equal("2", await page.Locator("[data-figure=launches]").InnerTextAsync());
            Assert.Equal("200", await page.Locator("[data-figure=sent]").InnerTextAsync());
            // Two charts, each an image with a title for screen readers and its numbers behind "Show as table".
            Assert.Equal(2, await page.Locator("svg.chart-svg[role=img]").CountAsync());
            await page.Locator("#email-chart-caption").Locator("..").GetByText("Show as table").ClickAsync();
            await Assertions.Expect(page.Locator("figure:has(#email-chart-caption) table")).ToBeVisibleAsync();
            Assert.Equal(width, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
            var shot = Browser.ScreenshotPath($"dashboard-{width}");
            Directory.CreateDirectory(Path.GetDirectoryName(shot)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        }

        await using var desk = await Browser.NewContextAsync(app.PublicAddress!, 1280, 800);
        var p = await desk.NewPageAsync();
        await p.GotoAsync("/signin?ReturnUrl=/console");
        await p.GetByLabel("Vendor id").FillAsync(Vendor);
        await p.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await p.ArrivedAtAsync("**/console");

        // The last 30 days leave October's launch out.
        await p.GetByLabel("Period", new() { Exact = true }).SelectOptionAsync("30d");
        await p.GetByRole(AriaRole.Button, new() { Name = "Show", Exact = true }).ClickAsync();
        await Assertions.Expect(p.Locator("[data-figure=launches]")).ToHaveTextAsync("1");
        Assert.Contains("Last 30 days", await p.Locator("#period-shown").InnerTextAsync());

        // The partners behind "produced a lead", then one partner's scorecard and why it scores what it does.
        await p.GetByRole(AriaRole.Link, new() { Name = "…and produced a lead" }).ClickAsync();
        await Assertions.Expect(p.Locator("#partners-table tbody tr")).ToHaveCountAsync(1);
        await p.Locator("#partners-table").GetByRole(AriaRole.Link, new() { Name = "harbour IT" }).ClickAsync();
        await Assertions.Expect(p.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("harbour IT");
        var why = await p.Locator(".score-parts").InnerTextAsync();
        Assert.Contains("launched 1 campaign", why);
        Assert.Contains("7.5% of emails were clicked", why);

        // The kits table as a file, with this period's figures.
        await p.GotoAsync("/console?period=30d");
        var download = await p.RunAndWaitForDownloadAsync(() => p.Locator("#kits-heading").Locator("..").GetByRole(AriaRole.Link, new() { Name = "Download as CSV" }).ClickAsync());
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Contains($"{Kit},1.0.0,1,120,0,9,0,0,2,0,0,0.00", text);
    }
}
