using Microsoft.Playwright;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>Finance on a phone and a desktop in real Chromium: export the owed payouts, download the file, mark one paid.</summary>
public sealed class PayoutBrowserTests
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 740)]
    public async Task Finance_exports_downloads_and_marks_a_payout_paid_without_sideways_scrolling(int width, int height)
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true, localTriggerHost: false);
        await PayoutApiTests.OweAsync(app.Services, "northwind", "harbour", 1_200m, 80.5m);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, width, height);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/console/mdf/payouts");
        await page.GetByLabel("Vendor id").FillAsync("northwind");
        await page.GetByLabel("Email").FillAsync("fran@northwind.example");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Finance" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/mdf/payouts");
        Assert.Equal("MDF payouts", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("Total USD 1,280.50", await page.GetByRole(AriaRole.Main).InnerTextAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Export 2 for the ERP" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/mdf/payouts?exported=*");
        Assert.Contains("Exported, waiting for payment (2)", await page.GetByRole(AriaRole.Main).InnerTextAsync());

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the CSV" }).ClickAsync());
        var csv = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.Equal(3, CsvText.Read(csv)!.Count);

        await page.GetByLabel("ERP payment reference for claim CL-harbour-1").FillAsync("ERP-2026-7");
        await page.GetByRole(AriaRole.Form, new() { Name = "Mark claim CL-harbour-1 paid" }).GetByRole(AriaRole.Button).ClickAsync();
        await page.ArrivedAtAsync("**/console/mdf/payouts?paid=*");
        var main = await page.GetByRole(AriaRole.Main).InnerTextAsync();
        Assert.Contains("Paid (1)", main);
        Assert.Contains("ERP-2026-7", main);

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        var wide = await page.EvaluateAsync<string[]>("w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w && !e.closest('.table-scroll')).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))", width);
        Assert.True(scrollWidth <= width, $"page is {scrollWidth}px wide in a {width}px viewport: {string.Join(", ", wide)}");
        var screenshot = Browser.ScreenshotPath($"mdf-payouts-{width}");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
    }
}
