using Microsoft.Playwright;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Web;

public sealed class ConsoleBrowserTests
{
    [Theory]
    [InlineData(1280, 800)]
    [InlineData(375, 740)]
    public async Task A_channel_manager_signs_in_through_the_dev_page_and_lands_on_the_console(int width, int height)
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, width, height);
        var page = await context.NewPageAsync();

        // A stranger asking for the console is sent to sign in first, and brought back afterwards.
        await page.GotoAsync("/console");
        Assert.EndsWith("/signin?returnUrl=%2Fconsole", page.Url);
        Assert.Empty(await LowContrastTextAsync(page));
        Directory.CreateDirectory(Path.GetDirectoryName(Browser.ScreenshotPath("x"))!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.ScreenshotPath($"signin-{width}"), FullPage = true });
        await page.GetByLabel("Vendor id").FillAsync("acme");
        await page.GetByLabel("Email").FillAsync("casey@acme.example");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Channel manager" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await page.ArrivedAtAsync("**/console");
        Assert.Equal("Your channel program", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        Assert.Equal(["Console", "Kits", "Invitations", "Partners", "Leads", "MDF", "Deals"], await nav.GetByRole(AriaRole.Link).AllInnerTextsAsync());
        Assert.Equal("page", await nav.GetByRole(AriaRole.Link, new() { Name = "Console" }).GetAttributeAsync("aria-current"));
        var header = page.GetByRole(AriaRole.Banner);
        Assert.Contains("casey@acme.example", await header.InnerTextAsync());
        Assert.Contains("Channel manager", await header.InnerTextAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Main).CountAsync());

        Assert.Empty(await LowContrastTextAsync(page));

        // Keyboard users first reach the skip link, and focus is visibly drawn.
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to main content", await page.EvaluateAsync<string>("document.activeElement.textContent"));
        Assert.NotEqual("none", await page.EvaluateAsync<string>("getComputedStyle(document.activeElement).outlineStyle"));

        // Nothing wider than the viewport: usable on a phone without sideways scrolling.
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= width, $"page is {scrollWidth}px wide in a {width}px viewport");

        // The stylesheet is ours and loaded; nothing was fetched from another origin.
        Assert.Equal("rgb(11, 37, 69)", await header.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

        var screenshot = Browser.ScreenshotPath($"console-{width}");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 1000);

        await nav.GetByRole(AriaRole.Link, new() { Name = "Kits" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/kits");
        Assert.Equal("Kits", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
    }

    /// <summary>Every visible piece of text whose colour against its effective background is below WCAG AA's 4.5:1.</summary>
    private static Task<string[]> LowContrastTextAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
          const parse = s => { const m = s.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(parseFloat); return { rgb: p.slice(0, 3), a: p.length > 3 ? p[3] : 1 }; };
          const lum = rgb => { const [r, g, b] = rgb.map(v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          const background = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c && c.a > 0) return c.rgb; } return [255, 255, 255]; };
          const low = [];
          for (const el of document.querySelectorAll('body *')) {
            const text = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent.trim()).join(' ');
            if (!text || el.getClientRects().length === 0) continue;
            const [hi, lo] = [lum(parse(getComputedStyle(el).color).rgb), lum(background(el))].sort((a, b) => b - a);
            const ratio = (hi + 0.05) / (lo + 0.05);
            if (ratio < 4.5) low.push(`${el.tagName} "${text.slice(0, 40)}": ${ratio.toFixed(2)}`);
          }
          return low;
        }
        """);

    [Fact]
    public async Task Every_request_the_console_makes_stays_on_our_origin()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!);
        var page = await context.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);

        await page.GotoAsync("/signin");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/console");

        Assert.Contains(requests, r => r.EndsWith("/assets/tcma.css"));
        Assert.All(requests, r => Assert.StartsWith(app.PublicAddress!.ToString(), r));
    }
}
