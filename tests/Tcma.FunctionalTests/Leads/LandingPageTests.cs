using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.FunctionalTests.Kits;
using Tcma.Functions.Kits;
using Tcma.Functions.Leads;
using Tcma.Functions.Partners;
using Tcma.Storage.Leads;

namespace Tcma.FunctionalTests.Leads;

/// <summary>A vendor with the cloud-backup kit published and the demo partners (with Harbour IT's brand profile) onboarded.</summary>
internal static class LandingPageSetup
{
    public const string Vendor = "northwind";
    /// <summary>Gold, North America, Backup: the cloud-backup kit targets it.</summary>
    public const string Partner = "demo-partner";
    /// <summary>Registered tier: the cloud-backup kit (Gold, Silver) does not target it.</summary>
    public const string UntargetedPartner = "maple-managed";
    public const string Kit = "cloud-backup-nurture";
    public const string Origin = "http://localhost";

    public static string PagePath(string partner = Partner, string kit = Kit) => $"/p/{Vendor}/{partner}/{kit}";

    public static async Task SetUpAsync(TcmaAppFactory app)
    {
        var uploads = app.Services.GetRequiredService<KitUploads>();
        using var zip = new MemoryStream(KitZips.CloudBackupWith());
        var outcome = await uploads.UploadAsync(Vendor, zip, "kit.zip", "test", default);
        var stored = Assert.IsType<KitUploadOutcome.Stored>(outcome);
        await uploads.ChangeAsync(Vendor, stored.Version.KitId, stored.Version.Version, Tcma.Domain.Kits.KitAction.Publish, "test", default);
        var samples = Path.Combine(RepoPaths.Root, "campaign-templates");
        await using (var csv = File.OpenRead(Path.Combine(samples, "demo-partners.csv")))
            await PartnerEndpoints.ImportAsync(app.Services.GetRequiredService<Tcma.Storage.Partners.PartnerDirectory>(), Vendor, csv, "test", DateTimeOffset.UtcNow, default);
        var brand = System.Text.Json.JsonSerializer.Deserialize<Tcma.Domain.Rendering.BrandProfileInput>(
            await File.ReadAllBytesAsync(Path.Combine(samples, "demo-partner", "brand.json")), System.Text.Json.JsonSerializerOptions.Web)!
            with { Logo = await File.ReadAllBytesAsync(Path.Combine(samples, "demo-partner", "logo.png")), LogoFileName = "logo.png" };
        var (profile, _) = Tcma.Domain.Rendering.BrandProfileValidator.Validate(brand);
        await app.Services.GetRequiredService<Tcma.Storage.Rendering.BrandProfileStore>().SaveAsync(Vendor, Partner, profile!);
    }

    public static string SubmissionIdIn(string html) =>
        Regex.Match(html, $"name=\"{LandingCapture.SubmissionField}\" value=\"([0-9a-f]{{32}})\"").Groups[1].Value;

    public static Dictionary<string, string> Person(string email = "ana.silva@contoso.example", string firstName = "Ana") => new()
    {
        ["email"] = email, ["firstName"] = firstName, ["lastName"] = "Silva", ["company"] = "Contoso GmbH",
        ["companySize"] = "11-50", ["country"] = "DE", [LandingCapture.ConsentField] = "yes",
    };

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, IDictionary<string, string> form, string ip = "203.0.113.7",
        string? origin = Origin, string? launch = "launch-1", string? path = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, (path ?? PagePath()) + (launch is null ? "" : $"?launch={launch}"))
        {
            Content = new FormUrlEncodedContent(form),
        };
        if (origin is not null) request.Headers.Add("Origin", origin);
        request.Headers.Add("X-Forwarded-For", ip);
        return await client.SendAsync(request);
    }

    public static HttpClient Browser(TcmaAppFactory app) =>
        app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
}

/// <summary>
/// The public landing page of a partner's launch: co-branded, serving the kit's form, and feeding the same capture path as
/// the API; bots, foreign origins, floods, oversized and hostile input are turned away without losing a real lead.
/// </summary>
public sealed class LandingPageTests
{
    private static async Task<string[]> QueuedAsync(TcmaAppFactory app)
    {
        var queue = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{LeadEndpoints.CapturedQueue}");
        await queue.CreateIfNotExistsAsync();
        return [.. (await queue.PeekMessagesAsync(32)).Value.Select(m => Encoding.UTF8.GetString(Convert.FromBase64String(m.Body.ToString())))];
    }

    [Fact]
    public async Task The_page_is_co_branded_for_the_partner_and_serves_the_kits_form_with_the_partners_consent_text()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);

        var response = await client.GetAsync(LandingPageSetup.PagePath() + "?launch=launch-1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("Harbour IT Services", html);
        Assert.Contains("I agree that Harbour IT Services may contact me about data protection.", html);
        Assert.Contains("background:#0B1F4B", html.Replace(" ", ""), StringComparison.OrdinalIgnoreCase);
        foreach (var field in new[] { "email", "firstName", "lastName", "company", "companySize", "country", LandingCapture.HoneypotField, LandingCapture.ConsentField })
            Assert.Contains($"name=\"{field}\"", html);
        Assert.Contains("action=\"/p/northwind/demo-partner/cloud-backup-nurture?launch=launch-1\"", html);
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        var logo = await client.GetAsync(LandingPageSetup.PagePath() + "/logo");
        Assert.Equal("image/png", logo.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/p/northwind/nobody/cloud-backup-nurture")]
    [InlineData("/p/northwind/demo-partner/no-such-kit")]
    [InlineData("/p/contoso/demo-partner/cloud-backup-nurture")]
    [InlineData("/p/northwind/" + LandingPageSetup.UntargetedPartner + "/cloud-backup-nurture")]
    public async Task Unknown_partners_kits_vendors_and_partners_the_kit_does_not_target_get_a_404_page(string path)
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);

        var page = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("Page not found", await page.Content.ReadAsStringAsync());
        var post = await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(), path: path);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Empty(await QueuedAsync(app));
    }

    [Fact]
    public async Task A_submission_becomes_a_lead_from_the_partners_landing_page_with_the_consent_exactly_as_shown()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock);
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);
        var submissionId = LandingPageSetup.SubmissionIdIn(await client.GetStringAsync(LandingPageSetup.PagePath() + "?launch=launch-1"));
        var form = LandingPageSetup.Person();
        form[LandingCapture.SubmissionField] = submissionId;

        var response = await LandingPageSetup.PostAsync(client, form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/p/northwind/demo-partner/cloud-backup-nurture/thanks?launch=launch-1", response.Headers.Location?.OriginalString);
        Assert.Contains("Thank you", await client.GetStringAsync(response.Headers.Location!.OriginalString));
        var store = app.Services.GetRequiredService<LeadStore>();
        Lead? lead = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (lead = await store.GetAsync(LandingPageSetup.Vendor, LeadStore.LeadId(LandingPageSetup.Vendor, submissionId), default)) is not null);
        Assert.Equal(new LeadSource.LandingPage(LandingPageSetup.Partner, "launch-1", LandingPageSetup.Kit), lead!.Source);
        Assert.Equal("I agree that Harbour IT Services may contact me about data protection. I can unsubscribe at any time.", lead.Consent.Text);
        Assert.Equal(clock.GetUtcNow(), lead.Consent.GivenAt);
        Assert.Equal("http://localhost/p/northwind/demo-partner/cloud-backup-nurture?launch=launch-1", lead.Consent.SourcePage);
        Assert.Equal("203.0.113.7", lead.Consent.IpAddress);
        Assert.Equal("11-50", lead.Person.CompanySize);

        // A double click sends the same hidden submission id: the second post is the same submission, not a second activity.
        Assert.Equal(HttpStatusCode.Redirect, (await LandingPageSetup.PostAsync(client, form)).StatusCode);
        await QueueTriggerTests.WaitUntilAsync(async () => (await QueuedAsync(app)).Length == 0);
        Assert.Single((await store.GetAsync(LandingPageSetup.Vendor, lead.Id, default))!.Activities);
    }

    [Fact]
    public async Task Invalid_input_is_shown_again_with_reasons_and_scripts_escaped_and_nothing_is_queued()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);
        const string script = "<script>alert('x')</script>";
        var form = LandingPageSetup.Person(email: "not-an-email", firstName: script);
        form.Remove(LandingCapture.ConsentField);
        form["companySize"] = "a million";

        var response = await LandingPageSetup.PostAsync(client, form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(script, html);
        Assert.Contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html);
        Assert.Contains("is not a valid email address", html);
        Assert.Contains("is not one of the choices", html);
        Assert.Contains("please tick the box to agree", html);
        Assert.Empty(await QueuedAsync(app));
    }

    [Fact]
    public async Task Script_in_a_valid_submission_is_queued_as_typed()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        const string script = "<script>alert('x')</script>";

        Assert.Equal(HttpStatusCode.Redirect, (await LandingPageSetup.PostAsync(LandingPageSetup.Browser(app), LandingPageSetup.Person(firstName: script))).StatusCode);

        var text = Assert.Single(await QueuedAsync(app));
        if (Tcma.Storage.Messaging.MessageEnvelope.TryRead(text, out var envelope)) text = envelope.Body!;
        var queued = System.Text.Json.JsonSerializer.Deserialize<LeadSubmission>(text);
        Assert.Equal(script, queued!.FirstName);
    }

    [Fact]
    public async Task A_bot_filling_the_honeypot_is_thanked_and_nothing_is_stored()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        var form = LandingPageSetup.Person();
        form[LandingCapture.HoneypotField] = "https://spam.example";

        var response = await LandingPageSetup.PostAsync(LandingPageSetup.Browser(app), form);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.EndsWith("/thanks?launch=launch-1", response.Headers.Location?.OriginalString);
        Assert.Empty(await QueuedAsync(app));
    }

    [Fact]
    public async Task Cross_site_missing_origin_oversized_and_non_form_posts_are_refused()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);

        Assert.Equal(HttpStatusCode.Forbidden, (await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(), origin: "https://evil.example")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(), origin: null)).StatusCode);
        var huge = LandingPageSetup.Person();
        huge["company"] = new string('x', 20_000);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await LandingPageSetup.PostAsync(client, huge)).StatusCode);
        using var json = new HttpRequestMessage(HttpMethod.Post, LandingPageSetup.PagePath()) { Content = new StringContent("{\"email\":\"a@b.example\"}", Encoding.UTF8, "application/json") };
        json.Headers.Add("Origin", LandingPageSetup.Origin);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.SendAsync(json)).StatusCode);
        Assert.Empty(await QueuedAsync(app));
    }

    [Fact]
    public async Task One_address_is_limited_per_minute_with_Retry_After_and_may_send_again_in_the_next_window()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 30, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock, localTriggerHost: false);
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);

        for (var i = 0; i < RateLimit.PerIp.Max; i++)
            Assert.Equal(HttpStatusCode.Redirect, (await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(email: $"p{i}@contoso.example"))).StatusCode);
        var limited = await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(email: "late@contoso.example"));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), limited.Headers.RetryAfter?.Delta);
        // Another visitor is not held up by this one.
        Assert.Equal(HttpStatusCode.Redirect, (await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(email: "other@contoso.example"), ip: "198.51.100.9")).StatusCode);

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Redirect, (await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(email: "late@contoso.example"))).StatusCode);
        Assert.Equal(RateLimit.PerIp.Max + 2, (await QueuedAsync(app)).Length);
    }

    [Fact]
    public async Task A_form_flooded_from_many_addresses_is_limited_as_a_whole()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 5, 4, 10, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock: clock, localTriggerHost: false,
            overrides: new Dictionary<string, string?> { [$"{LandingCaptureOptions.Section}:PerFormMax"] = "3" });
        await LandingPageSetup.SetUpAsync(app);
        var client = LandingPageSetup.Browser(app);

        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Redirect, (await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(email: $"p{i}@contoso.example"), ip: $"198.51.100.{i + 1}")).StatusCode);
        var limited = await LandingPageSetup.PostAsync(client, LandingPageSetup.Person(email: "p9@contoso.example"), ip: "198.51.100.99");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(60), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(3, (await QueuedAsync(app)).Length);
    }

    [Fact]
    public async Task A_visitor_fills_the_form_in_a_real_browser_at_375_pixels_and_the_lead_is_recorded()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await LandingPageSetup.SetUpAsync(app);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        await page.GotoAsync(LandingPageSetup.PagePath() + "?launch=launch-7");
        var submissionId = await page.Locator($"input[name={LandingCapture.SubmissionField}]").GetAttributeAsync("value");

        await page.GetByLabel("Work email").FillAsync("ana.silva@contoso.example");
        await page.GetByLabel("First name").FillAsync("Ana");
        await page.GetByLabel("Last name").FillAsync("Silva");
        await page.GetByLabel("Employees").SelectOptionAsync("11-50");
        Assert.Equal("US", await page.GetByLabel("Country").InputValueAsync());
        await page.GetByLabel("Country").SelectOptionAsync("DE");
        await page.GetByLabel("I agree that Harbour IT Services may contact me").CheckAsync();
        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"page is {scrollWidth}px wide in a 375px viewport");
        var screenshot = Browser.ScreenshotPath("landing-page-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        await page.GetByRole(AriaRole.Button, new() { Name = "Book my free check" }).ClickAsync();

        await page.ArrivedAtAsync("**/thanks?launch=launch-7");
        Assert.Contains("Thank you", await page.GetByRole(AriaRole.Main).InnerTextAsync());
        var store = app.Services.GetRequiredService<LeadStore>();
        Lead? lead = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (lead = await store.GetAsync(LandingPageSetup.Vendor, LeadStore.LeadId(LandingPageSetup.Vendor, submissionId!), default)) is not null);
        Assert.Equal(new LeadSource.LandingPage(LandingPageSetup.Partner, "launch-7", LandingPageSetup.Kit), lead!.Source);
        Assert.Equal("127.0.0.1", lead.Consent.IpAddress);
        Assert.EndsWith("/p/northwind/demo-partner/cloud-backup-nurture?launch=launch-7", lead.Consent.SourcePage);
    }
}
