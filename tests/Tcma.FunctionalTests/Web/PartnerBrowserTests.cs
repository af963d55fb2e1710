using Microsoft.Playwright;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Web;

public sealed class PartnerBrowserTests
{
    [Fact]
    public async Task A_partner_link_opens_the_partner_layout_and_a_broken_link_explains_nothing_more_than_it_must()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();

        var link = app.PartnerLink("acme", "northwind", TokenPurposes.Launch);
        await page.GotoAsync($"/partner?t={link}");
        Assert.Equal("Welcome, northwind", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        // The vendor's name (its id, while it has no kit to name it) and the portal's one navigation list.
        var banner = await page.GetByRole(AriaRole.Banner).InnerTextAsync();
        Assert.Contains("acme", banner);
        Assert.Contains("Partner portal", banner);
        Assert.Equal(["Home", "Campaigns", "My launches", "Leads", "Deals", "MDF", "Social", "My brand"],
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal" }).GetByRole(AriaRole.Link).AllInnerTextsAsync());
        var screenshot = Browser.ScreenshotPath("partner-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });

        await page.GotoAsync($"/partner?t={link[..^3]}abc");
        Assert.EndsWith("/partner/link-invalid", page.Url);
        Assert.Equal("This link can't be used", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.DoesNotContain("northwind", await page.ContentAsync());
    }
}
