using Microsoft.Playwright;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>A vendor admin on a phone in real Chromium: a mistake comes back next to its field, the fixed program is listed on the MDF page.</summary>
public sealed class ProgramConsoleBrowserTests
{
    [Fact]
    public async Task A_vendor_admin_on_a_phone_fixes_a_refused_field_and_sees_the_new_program_listed_without_sideways_scrolling()
    {
        const int width = 375;
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true, localTriggerHost: false);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, width, 740);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/console/mdf");
        await page.GetByLabel("Vendor id").FillAsync("contoso");
        await page.GetByLabel("Email").FillAsync("ada@contoso.example");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Vendor admin" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/mdf");
        await page.GetByRole(AriaRole.Link, new() { Name = "New program" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/mdf/programs/new");

        await page.GetByLabel("Program id").FillAsync("fy-2027");
        await page.GetByLabel("Program name").FillAsync("Partner MDF 2027");
        await page.GetByLabel("Period", new() { Exact = true }).SelectOptionAsync("Year");
        await page.GetByLabel("Period starts on").FillAsync("2027-01-01");
        await page.GetByLabel("Fixed allocation", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Fixed allocation per partner").FillAsync("12,000");
        await page.GetByLabel("Activity 1 Name").FillAsync("Events");
        await page.GetByLabel("Activity 1 Reimbursed %").FillAsync("50");
        await page.GetByLabel("Activity 1 Cap per activity").FillAsync("ten thousand");
        await page.GetByLabel("Activity 1 GL code").FillAsync("6100-EVT");
        await page.GetByLabel("Request level 1 Approver user id").FillAsync("dev:cm@contoso.example");
        await page.GetByLabel("Request level 1 Approver email").FillAsync("cm@contoso.example");
        await page.GetByLabel("Request level 1 Backup user id").FillAsync("dev:cm2@contoso.example");
        await page.GetByLabel("Request level 1 Backup email").FillAsync("cm2@contoso.example");
        await page.GetByLabel("Claim level 1 Approver user id").FillAsync("dev:fin@contoso.example");
        await page.GetByLabel("Claim level 1 Approver email").FillAsync("fin@contoso.example");
        await page.GetByLabel("Claim level 1 Backup user id").FillAsync("dev:fin2@contoso.example");
        await page.GetByLabel("Claim level 1 Backup email").FillAsync("fin2@contoso.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create program" }).ClickAsync();
        // Refused, the form comes back at the same address: wait for the refusal itself.
        await page.Locator("#activity-0-cap-error").WaitForAsync();

        var cap = page.GetByLabel("Activity 1 Cap per activity");
        Assert.Equal("true", await cap.GetAttributeAsync("aria-invalid"));
        Assert.Equal("ten thousand", await cap.InputValueAsync());
        Assert.Contains("is not an amount", await page.Locator("#activity-0-cap-error").InnerTextAsync());
        Assert.Equal("Partner MDF 2027", await page.GetByLabel("Program name").InputValueAsync());
        await AssertFitsAsync(page, width, "mdf-program-form-375");

        await cap.FillAsync("10000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create program" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/mdf/programs/fy-2027?saved=1");
        Assert.Equal("Partner MDF 2027", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("The program was saved.", await page.GetByRole(AriaRole.Main).InnerTextAsync());
        Assert.Equal("12000.00", await page.GetByLabel("Fixed allocation per partner").InputValueAsync());
        await AssertFitsAsync(page, width, "mdf-program-page-375");

        await page.GotoAsync("/console/mdf");
        var link = page.GetByRole(AriaRole.Link, new() { Name = "Partner MDF 2027" });
        Assert.Equal("/console/mdf/programs/fy-2027", await link.GetAttributeAsync("href"));
        Assert.Contains("2027, USD, FixedAllocation, USD 12,000.00 per partner", await page.GetByRole(AriaRole.Main).InnerTextAsync());
        await AssertFitsAsync(page, width, "mdf-console-375");
    }

    private static async Task AssertFitsAsync(IPage page, int width, string name)
    {
        var screenshot = Browser.ScreenshotPath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        var wide = await page.EvaluateAsync<string[]>("w => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w && !e.closest('.table-scroll')).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))", width);
        Assert.True(scrollWidth <= width, $"{name}: page is {scrollWidth}px wide in a {width}px viewport: {string.Join(", ", wide)} (screenshot {screenshot})");
    }
}
