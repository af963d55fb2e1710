using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Storage.Launches;
using Tcma.Storage.Rendering;
using static Tcma.FunctionalTests.Portal.PortalSetup;

namespace Tcma.FunctionalTests.Portal;

/// <summary>The portal as a partner on a phone lives it: from asking for a sign-in link to signing out.</summary>
public sealed class PortalJourneyTests
{
    [Fact]
    public async Task A_partner_signs_in_from_the_email_filters_the_library_launches_sees_the_launch_rebrands_and_signs_out()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock, kestrel: true);
        var email = Unique("dana");
        await PartnerAsync(app, "harbour", email, tier: "Gold", specialisations: ["Backup"]);
        await app.Services.GetRequiredService<BrandProfileStore>().SaveAsync(Vendor, "harbour", SamplePartner.Profile);
        await PublishAsync(app, "backup-basics");
        await PublishAsync(app, "webinar-week", m => m.Replace("\"topics\": [\"Backup\", \"Small business\"]", "\"topics\": [\"Webinar\"]")
            .Replace("\"name\": \"Northwind Cloud Backup: small-business nurture\"", "\"name\": \"Webinar week\""));
        await PublishAsync(app, "platinum-only", m => m.Replace("\"tiers\": [\"Gold\", \"Silver\"]", "\"tiers\": [\"Platinum\"]"));

        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        async Task FitsAPhoneAsync(string name)
        {
            var path = Browser.ScreenshotPath($"portal-{name}-375");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
            Assert.Equal(375, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        }

        // Asking for a link, and reading it in the mailbox.
        await page.GotoAsync("/partner");
        Assert.Contains("/partner/signin", page.Url);
        await page.GetByLabel("Your work email").FillAsync(email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Email me a sign-in link" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Check your email");
        await page.GotoAsync(await LinkFromEmailAsync(app, email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Welcome, harbour IT");
        Assert.Contains("Webinar week", await page.GetByRole(AriaRole.Main).InnerTextAsync()); // the newest campaigns
        await FitsAPhoneAsync("home");

        // The library lists what is aimed at this partner only, and filters by topic.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal" }).GetByRole(AriaRole.Link, new() { Name = "Campaigns" }).ClickAsync();
        await Assertions.Expect(page.Locator("article.kit-card")).ToHaveCountAsync(2);
        Assert.DoesNotContain("platinum-only", await page.ContentAsync());
        await page.GetByLabel("Topic").SelectOptionAsync("Webinar");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show campaigns" }).ClickAsync();
        await Assertions.Expect(page.Locator("article.kit-card")).ToHaveCountAsync(1);
        Assert.Equal("webinar-week", await page.Locator("article.kit-card").GetAttributeAsync("data-kit"));
        var card = page.Locator("article.kit-card img");
        Assert.True(await card.EvaluateAsync<int>("async img => { await img.decode(); return img.naturalWidth; }") > 0);
        var thumbnailBefore = await card.GetAttributeAsync("src");
        await FitsAPhoneAsync("library");

        // Launch: the existing launch page, opened from the portal, with one contact.
        await page.GetByRole(AriaRole.Link, new() { Name = "Launch Webinar week" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Launch “Webinar week”");
        await page.GetByLabel("Your contacts (CSV with Email and Consent columns)").SetInputFilesAsync(new FilePayload
        {
            Name = "contacts.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes($"Email,Consent\n{Unique("ann")},yes\n"),
        });
        await Assertions.Expect(page.Locator("#contacts-result")).ToContainTextAsync("1 imported");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launch this campaign" }).ClickAsync();
        await Assertions.Expect(page.Locator("#launch-result")).ToContainTextAsync("Launched: webinar-week-1");

        // My launches shows it, and the library card now points at the launch instead of offering another.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal" }).GetByRole(AriaRole.Link, new() { Name = "My launches" }).ClickAsync();
        var item = page.Locator("li.launch-item[data-launch='webinar-week-1']");
        await Assertions.Expect(item).ToContainTextAsync("Webinar week");
        await Assertions.Expect(item).ToContainTextAsync("email to 1 contact");
        await FitsAPhoneAsync("launches");
        await page.GotoAsync("/partner/library?topic=Webinar");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "See your launch of Webinar week" })).ToBeVisibleAsync();

        // A new brand colour: the previews are redrawn before saving, and the library's previews follow the saved brand.
        // The page's script arrives late here, so the colour is typed before it runs: what was typed is still drawn.
        await page.RouteAsync("**/assets/brand.js", async route => { await Task.Delay(1500); await route.ContinueAsync(); });
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Portal" }).GetByRole(AriaRole.Link, new() { Name = "My brand" }).ClickAsync();
        var banner = page.Locator("#brand-banner");
        var bannerBefore = await banner.GetAttributeAsync("src");
        await page.GetByLabel("Main colour").FillAsync("#a33a00");
        // The banner is drawn on the server; with the whole suite running beside it that can take longer than the default wait.
        await Assertions.Expect(page.Locator("#preview-state")).ToHaveAttributeAsync("data-drawn", new System.Text.RegularExpressions.Regex("^[0-9]+$"), new() { Timeout = 20_000 });
        await page.UnrouteAsync("**/assets/brand.js");
        Assert.NotEqual(bannerBefore, await banner.GetAttributeAsync("src"));
        Assert.Contains("#A33A00", (await page.Locator("#brand-email").GetAttributeAsync("srcdoc"))!, StringComparison.OrdinalIgnoreCase);
        await FitsAPhoneAsync("brand");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save my brand" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("brand-message")).ToContainTextAsync("saved", new() { IgnoreCase = true });
        Assert.Equal("#A33A00", (await app.Services.GetRequiredService<BrandProfileStore>().GetAsync(Vendor, "harbour", default))!.PrimaryColour.ToString(), ignoreCase: true);
        await page.GotoAsync("/partner/library");
        var thumbnails = await page.Locator("article.kit-card img").EvaluateAllAsync<string[]>("imgs => imgs.map(i => i.getAttribute('src'))");
        Assert.DoesNotContain(thumbnailBefore, thumbnails);

        // Signing out: the portal asks to sign in again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).First.ClickAsync();
        await page.GotoAsync("/partner/launches");
        Assert.Contains("/partner/signin", page.Url);
        Assert.Single(await app.Services.GetRequiredService<LaunchStore>().LaunchIdsOfAsync(Vendor, "webinar-week", "1.0.0", default));
    }
}
