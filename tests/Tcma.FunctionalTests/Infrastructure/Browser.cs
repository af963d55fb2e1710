using Microsoft.Playwright;

namespace Tcma.FunctionalTests.Infrastructure;

/// <summary>
/// One Playwright driver and one headless Debian Chromium per test assembly; each test takes a fresh context
/// (its own cookies and storage). Playwright never downloads a browser here: we point it at /usr/bin/chromium.
/// </summary>
public static class Browser
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly Lazy<Task<IBrowser>> Shared = new(LaunchAsync);

    /// <summary>A new isolated browser context; dispose it at the end of the test.</summary>
    public static async Task<IBrowserContext> NewContextAsync(Uri baseAddress, int width = 1280, int height = 800)
    {
        var browser = await Shared.Value;
        return await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = "en-GB",
        });
    }

    /// <summary>
    /// Waits until the page has navigated to <paramref name="urlGlob"/> and its document is parsed. Not the
    /// <c>load</c> event: that also waits for every image and stylesheet, and on a loaded CI machine one slow logo
    /// timed a form's redirect out (the assertions that follow wait for their own elements).
    /// </summary>
    /// <remarks>
    /// The parsed document is asked of the page itself rather than awaited as an event: under load, a wait for the
    /// DOMContentLoaded event after a form's post-then-redirect timed out with the page loaded and idle on the network
    /// (the event had come and gone before the wait listened for it).
    /// </remarks>
    public static async Task ArrivedAtAsync(this IPage page, string urlGlob)
    {
        await page.WaitForURLAsync(urlGlob, new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.WaitForFunctionAsync("() => document.readyState !== 'loading'");
    }

    /// <summary>A path for a screenshot under the temp folder, so a failing run leaves something to look at.</summary>
    public static string ScreenshotPath(string name) =>
        Path.Combine(Path.GetTempPath(), "tcma-screenshots", $"{name}-{DateTime.UtcNow:yyyyMMddHHmmss}.png");

    private static async Task<IBrowser> LaunchAsync()
    {
        // Belt and braces: nothing in this process may fetch a browser build.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_VALIDATE_HOST_REQUIREMENTS", "1");
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException($"{ExecutablePath} is missing: install Debian's chromium (apt-get install -y chromium).");

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                browser.CloseAsync().Wait(TimeSpan.FromSeconds(5));
                playwright.Dispose();
            }
            catch
            {
                // The process is ending; the driver goes with it.
            }
        };
        return browser;
    }
}
