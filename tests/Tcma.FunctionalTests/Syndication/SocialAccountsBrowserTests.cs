using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tcma.Domain;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.FunctionalTests.Syndication.Fakes;
using Tcma.Functions.Identity;
using Tcma.Functions.Syndication;
using Tcma.Storage.Syndication;

namespace Tcma.FunctionalTests.Syndication;

/// <summary>
/// The partner on a phone-sized Chromium: opens the social accounts link, connects LinkedIn through the (fake) consent
/// page and back, sees it connected, disconnects it. The redirect URI comes from the request's own origin here.
/// </summary>
public sealed class SocialAccountsBrowserTests
{
    [Fact]
    public async Task A_partner_connects_and_disconnects_linkedin_on_a_phone()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var linkedIn = (FakeLinkedIn)await new FakeLinkedIn(clock, "urn:li:person:782bbtaQ").StartAsync();
        await using var x = (FakeX)await new FakeX(clock).StartAsync();
        await using var facebook = (FakeFacebook)await new FakeFacebook(clock).StartAsync();
        var settings = SocialApp.Settings(linkedIn, x, facebook);
        settings.Remove("Syndication:PublicBaseUrl");
        await using var app = await TcmaAppFactory.StartAsync(clock, settings, kestrel: true, localTriggerHost: false);
        var link = app.Services.GetRequiredService<LinkTokens>().Create(SocialLinks.Purpose, "contoso", SocialApp.Vendor, TimeSpan.FromDays(1));
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, width: 375, height: 740);
        var page = await context.NewPageAsync();

        try
        {
            await page.GotoAsync($"/partner/social?t={Uri.EscapeDataString(link)}");
            await page.GetByRole(AriaRole.Link, new() { Name = "Connect LinkedIn" }).ClickAsync();

            await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("LinkedIn is connected");
            await Assertions.Expect(page.GetByText("Posting as Partner Admin")).ToBeVisibleAsync();
            Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling at 375 px");
            Assert.Single(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, "contoso"));

            await page.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }).ClickAsync();

            await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("LinkedIn is disconnected");
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Connect LinkedIn" })).ToBeVisibleAsync();
            Assert.Empty(await app.Services.GetRequiredService<SocialAccountStore>().ListAsync(SocialApp.Vendor, "contoso"));
        }
        catch
        {
            await page.ScreenshotAsync(new() { Path = Browser.ScreenshotPath("social-accounts"), FullPage = true });
            throw;
        }
    }
}
