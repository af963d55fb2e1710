using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Tcma.Domain.Launches;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Deals;
using Tcma.Storage.Launches;

namespace Tcma.FunctionalTests.Deals;

/// <summary>
/// The issue's journey in a real Chromium: rules published, partner A registers (at phone width) a deal it found
/// through its launch of a kit, the channel account manager approves from the email read back from maildev, partner B
/// is told the customer is protected (until when, never by whom), A marks it won, and the vendor's page shows the
/// revenue under that kit.
/// </summary>
public sealed class DealBrowserTests
{
    [Fact]
    public async Task Register_approve_from_email_protected_for_another_partner_won_and_attributed_to_the_kit()
    {
        await using var kit = await DealTestKit.StartAsync(kestrel: true);
        var launches = kit.App.Services.GetRequiredService<LaunchStore>();
        Assert.True(await launches.AddLaunchAsync(new LaunchRecord(kit.Vendor, "alpha", "L-spring", "inv-1", "spring-backup", "1.0.0", new Dictionary<string, string>(),
            new DateOnly(2026, 2, 1), "UTC", true, null, 40, [], "http://localhost", DealTestKit.Start.AddDays(-30)), default));
        var links = kit.App.Services.GetRequiredService<DealLinks>();
        await using var phone = await Browser.NewContextAsync(kit.App.PublicAddress!, 375, 740);
        var page = await phone.NewPageAsync();
        await page.GotoAsync($"/partner/deals?t={links.PartnerToken(kit.Vendor, "alpha")}");
        Assert.Contains("first registration counts", await page.Locator("[data-testid=rules]").InnerTextAsync());

        await page.GetByLabel("Company name").FillAsync("Contoso Ltd");
        await page.GetByLabel("Country (two letters)").FillAsync("GB");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Ana Silva");
        await page.GetByLabel("Email").FillAsync("ana@contoso.com");
        await page.GetByLabel("Cloud Backup").CheckAsync();
        await page.GetByLabel("Estimated value").FillAsync("80,000");
        await page.GetByLabel("Expected close").FillAsync("2026-06-30");
        await page.GetByLabel("How you found it").SelectOptionAsync("launch");
        await page.GetByLabel("Launch id (if a launch)").FillAsync("L-spring");
        await page.GetByRole(AriaRole.Button, new() { Name = "Register the deal" }).ClickAsync();
        var done = await page.Locator("[data-testid=deal-message]").InnerTextAsync();
        Assert.Contains("is with the approvers", done);
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("deals-partner-375"), FullPage = true });
        var id = await page.Locator("[data-deal]").First.GetAttributeAsync("data-deal");

        var approve = (await kit.LinksAsync(kit.Manager, id!))["Approve"];
        var approver = await phone.NewPageAsync();
        await approver.GotoAsync(approve);
        Assert.Contains("Conflict evidence", await approver.GetByRole(AriaRole.Main).InnerTextAsync());
        await approver.GetByRole(AriaRole.Button, new() { Name = "Confirm: Approve" }).ClickAsync();
        Assert.Equal("Done", await approver.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());

        // Partner B, on a desktop, tries the same customer under another spelling.
        await using var desk = await Browser.NewContextAsync(kit.App.PublicAddress!, 1280, 900);
        var bravo = await desk.NewPageAsync();
        await bravo.GotoAsync($"/partner/deals?t={links.PartnerToken(kit.Vendor, "bravo")}");
        await bravo.GetByLabel("Company name").FillAsync("CONTOSO LIMITED");
        await bravo.GetByLabel("Country (two letters)").FillAsync("GB");
        await bravo.GetByLabel("Name", new() { Exact = true }).FillAsync("Bob Jones");
        await bravo.GetByLabel("Email").FillAsync("bob@contoso.com");
        await bravo.GetByLabel("Cloud Backup").CheckAsync();
        await bravo.GetByLabel("Estimated value").FillAsync("60000");
        await bravo.GetByLabel("Expected close").FillAsync("2026-07-31");
        await bravo.GetByRole(AriaRole.Button, new() { Name = "Register the deal" }).ClickAsync();
        var refused = await bravo.Locator("[data-testid=deal-message]").InnerTextAsync();
        Assert.Contains("already registered by another partner until 30 May 2026", refused);
        Assert.DoesNotContain("Alpha", refused);
        await bravo.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("deals-partner-1280"), FullPage = true });

        await page.GotoAsync($"/partner/deals?t={links.PartnerToken(kit.Vendor, "alpha")}");
        await page.Locator($"[data-deal='{id}'] summary", new() { HasText = "Update the stage" }).ClickAsync();
        await page.Locator($"#stage-{id}").SelectOptionAsync("won");
        await page.Locator($"#amount-{id}").FillAsync("75000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save the stage" }).ClickAsync();
        Assert.Equal("The stage is saved.", await page.Locator("[data-testid=deal-message]").InnerTextAsync());
        Assert.Equal("won", await page.Locator($"[data-deal='{id}'] [data-testid=deal-status]").InnerTextAsync());
        // The partner's own return: its revenue under the kit it launched (the attribution is written by the command queue).
        await DealTestKit.EventuallyAsync(async () =>
        {
            // A fresh GET: reloading the page the form's POST answered would send the form again.
            await page.GotoAsync($"/partner/deals?t={links.PartnerToken(kit.Vendor, "alpha")}");
            return await page.Locator("[data-testid=totals-kit]").CountAsync() == 0 ? "" : await page.Locator("[data-testid=totals-kit]").InnerTextAsync();
        }, text => text.Contains("spring-backup") && text.Contains("USD 75,000.00"));
        await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("deals-partner-won-375"), FullPage = true });

        var vendor = await desk.NewPageAsync();
        await vendor.GotoAsync("/console/deals");
        await vendor.GetByLabel("Vendor id").FillAsync(kit.Vendor);
        await vendor.GetByLabel("Email").FillAsync($"cam@{kit.Vendor}.example");
        await vendor.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Channel manager" });
        await vendor.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await vendor.ArrivedAtAsync("**/console/deals");
        await DealTestKit.EventuallyAsync(async () =>
        {
            await vendor.ReloadAsync();
            return await vendor.Locator("[data-testid=totals-kit]").CountAsync() == 0 ? "" : await vendor.Locator("[data-testid=totals-kit]").InnerTextAsync();
        }, text => text.Contains("spring-backup") && text.Contains("USD 75,000.00"));
        Assert.StartsWith("First touch", await vendor.Locator("[data-testid=attribution-rule]").InnerTextAsync());
        await vendor.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("deals-console-1280"), FullPage = true });
        await vendor.SetViewportSizeAsync(375, 740);
        await vendor.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("deals-console-375"), FullPage = true });
    }
}
