using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Kits;
using Tcma.Functions.Launches;
using Tcma.Storage.Launches;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;
using static Tcma.FunctionalTests.Launches.LaunchSetup;

namespace Tcma.FunctionalTests.Launches;

/// <summary>The partner's whole journey in a real browser at phone width, from the invitation email to a launch.</summary>
public sealed partial class LaunchJourneyTests
{
    [Fact]
    public async Task A_partner_opens_the_emailed_link_brands_edits_uploads_contacts_and_launches_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 5, 0, 0, TimeSpan.Zero));
        await using var app = await TcmaAppFactory.StartAsync(clock, kestrel: true);
        // The vendor's side (tested through its API elsewhere) done in-process: this browser plays the partner.
        var uploads = app.Services.GetRequiredService<KitUploads>();
        await uploads.UploadAsync(Vendor, new MemoryStream(Kits.KitZips.CloudBackupWith()), "kit.zip", "casey", default);
        await uploads.ChangeAsync(Vendor, Kit, "1.0.0", Domain.Kits.KitAction.Publish, "casey", default);
        var owner = Unique("owner");
        var (partner, _) = Domain.Partners.PartnerValidator.Validate("harbour", new Domain.Partners.PartnerInput
        {
            CompanyName = "Harbour IT Services", Tier = "Gold", Region = "North America", Specialisations = ["Backup"], Contacts = [new Domain.Partners.PartnerContactInput("Dana Ortiz", owner, "Owner", true)],
        });
        await app.Services.GetRequiredService<PartnerDirectory>().SaveAsync(Vendor, partner!, "casey", clock.GetUtcNow());
        var invited = await app.Services.GetRequiredService<LaunchService>().InviteAsync(Vendor,
            new InvitationRequest(Kit, "1.0.0", null, null, null, ["harbour"]), "casey", app.PublicAddress!.ToString().TrimEnd('/'), default);
        Assert.IsType<Outcome<InvitationsResult>.Done>(invited);

        // The invitation, as the partner reads it in their mailbox.
        var invitation = Assert.Single(await app.Inbox.WaitForAsync(owner));
        var link = new Uri(LinkInText().Match(invitation.Text!).Value);

        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        await page.GotoAsync(link.PathAndQuery);
        Assert.StartsWith("Launch “Northwind Cloud Backup", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());

        // No brand profile yet: the partner completes it right here, with their own logo.
        var logoFile = Path.Combine(RepoPaths.Root, "campaign-templates", "demo-partner", "logo.png");
        await page.GetByLabel("Logo (PNG or JPEG)").SetInputFilesAsync(logoFile);
        await page.GetByLabel("Phone").FillAsync("+1 617 555 0143");
        await page.GetByLabel("Website").FillAsync("https://harbour-it.example");
        await page.GetByLabel("Street").FillAsync("200 Atlantic Avenue");
        await page.GetByLabel("City").FillAsync("Boston");
        await page.GetByLabel("Postal code").FillAsync("02110");
        await page.GetByLabel("Country").SelectOptionAsync("US");
        await page.GetByLabel("Time zone").FillAsync("America/New_York");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save my brand" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Your campaign" }).WaitForAsync();

        // Their own logo is in the previews: the banner has rendered, and the email shows the logo they uploaded.
        await Assertions.Expect(page.Locator("#render-progress")).ToHaveTextAsync("All previews are ready.");
        Assert.True(await page.Locator("img.preview").First.EvaluateAsync<int>("img => img.naturalWidth") > 0);
        var email = page.Locator("iframe[data-kind=email]").First.ContentFrame;
        var logoSrc = await email.Locator("img").First.GetAttributeAsync("src");
        Assert.StartsWith("/api/partner/launch/logo?t=", logoSrc);
        var logo = await page.APIRequest.GetAsync(logoSrc!);
        Assert.Equal(await File.ReadAllBytesAsync(logoFile), await logo.BodyAsync());

        // An edit re-renders the previews; text with markup stays text.
        await page.GetByLabel("Your introduction (emails)").FillAsync("Harbour IT keeps <b>Boston</b> backed up.");
        await Assertions.Expect(email.Locator("body")).ToContainTextAsync("Harbour IT keeps <b>Boston</b> backed up.");

        var (ann, ben) = (Unique("ann"), Unique("ben"));
        await page.GetByLabel("Your contacts (CSV with Email and Consent columns)").SetInputFilesAsync(new FilePayload
        {
            Name = "contacts.csv", MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes($"Email,First name,Consent\n{ann},Ann,yes\n{ben},Ben,yes\nno@example.com,No,no\n"),
        });
        await Assertions.Expect(page.Locator("#contacts-result")).ToHaveTextAsync("2 imported, 1 without consent (not emailed), 0 duplicates, 0 invalid.");
        await Assertions.Expect(page.Locator("#schedule tbody tr")).ToHaveCountAsync(3);
        Assert.Contains("America/New_York", await page.Locator("#schedule tbody tr").First.InnerTextAsync());

        // The whole page fits a phone: nothing (a long link in a post included) makes it scroll sideways.
        Assert.Equal(375, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
        var screenshot = Browser.ScreenshotPath("launch-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Launch this campaign" }).ClickAsync();
        await Assertions.Expect(page.Locator("#launch-result")).ToContainTextAsync("Launched: cloud-backup-nurture-1");

        // A second click (the button re-enabled, as a second tab would have it) creates nothing new.
        await page.EvaluateAsync("() => { const b = document.getElementById('confirm'); b.disabled = false; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Launched" }).ClickAsync();
        await Assertions.Expect(page.Locator("#launch-result")).ToContainTextAsync("Already launched: cloud-backup-nurture-1");
        Assert.Equal(["cloud-backup-nurture-1"], await app.Services.GetRequiredService<LaunchStore>().LaunchIdsOfAsync(Vendor, Kit, "1.0.0", default));

        // The status link shows the touches in the partner's time.
        await page.Locator("#launch-result a").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Launch cloud-backup-nurture-1");
        Assert.Contains("America/New_York", await page.Locator("#touches").InnerTextAsync());
        var statusPage = page.Url;

        // Day 0 at 09:00 in New York: the contacts get the first email, in the partner's name and with their logo.
        var engine = app.Services.GetRequiredService<WorkflowEngine>();
        clock.Advance(new DateTimeOffset(2026, 12, 8, 14, 0, 0, TimeSpan.Zero) - clock.GetUtcNow());
        await engine.SweepAsync();
        var toAnn = Assert.Single(await app.Inbox.WaitForAsync(ann));
        Assert.Single(await app.Inbox.WaitForAsync(ben));
        Assert.Contains("Harbour IT Services", toAnn.From[0].Name);
        Assert.Contains("Harbour IT keeps &lt;b&gt;Boston&lt;/b&gt; backed up.", toAnn.Html);
        Assert.Contains("Boston", toAnn.Text); // the partner's postal address in the footer
        var emailLogo = LogoInHtml().Match(toAnn.Html!).Groups[1].Value;
        Assert.Equal(await File.ReadAllBytesAsync(logoFile), await (await page.APIRequest.GetAsync(new Uri(emailLogo).PathAndQuery)).BodyAsync());

        // Tracked links lead, through the redirect, to this launch's landing page.
        var tracked = TrackedInHtml().Matches(toAnn.Html!).Select(m => new Uri(System.Net.WebUtility.HtmlDecode(m.Value)).PathAndQuery).Distinct().ToList();
        Assert.NotEmpty(tracked);
        var targets = new List<string>();
        foreach (var path in tracked)
            targets.Add((await page.APIRequest.GetAsync(path, new() { MaxRedirects = 0 })).Headers.GetValueOrDefault("location") ?? "");
        Assert.Contains(targets, t => t.Contains($"/p/{Vendor}/harbour/{Kit}?launch=cloud-backup-nurture-1"));

        // Ann unsubscribes with the link in her email.
        var unsubscribe = UnsubscribeInHtml().Match(toAnn.Html!).Value;
        await page.GotoAsync(new Uri(System.Net.WebUtility.HtmlDecode(unsubscribe)).PathAndQuery);
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You are unsubscribed");

        // The partner pauses from the status page: the next touch (day 5) is not sent.
        await page.GotoAsync(statusPage);
        await page.GetByRole(AriaRole.Link, new() { Name = "Pause" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("The launch is now paused.");
        clock.Advance(TimeSpan.FromDays(5));
        await engine.SweepAsync();
        await Task.Delay(1500);
        Assert.Single(await app.Inbox.ToAsync(ben));
        await page.GotoAsync(statusPage);
        Assert.Contains("Paused", await page.GetByRole(AriaRole.Main).InnerTextAsync());
        // Per email: sent, opened (Ann's clicks count as an open; no pixel was loaded), clicked, left out by the audience.
        Assert.Equal(["welcome", "2", "1", "1", "0"], await page.Locator("#email-stats tbody tr[data-touch='0-welcome'] td").AllInnerTextsAsync());
        Assert.Equal(["case-study (to non-openers)", "0", "0", "0", "0"], await page.Locator("#email-stats tbody tr[data-touch='2-case-study'] td").AllInnerTextsAsync());
        Assert.Equal(375, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
    }

    [GeneratedRegex("<img[^>]+src=\"([^\"]+/api/brand-logos/[^\"]+)\"")]
    private static partial Regex LogoInHtml();

    [GeneratedRegex("""https?://[^"'\s<>]+/r/[^"'\s<>]+""")]
    private static partial Regex TrackedInHtml();

    [GeneratedRegex("""https?://[^"'\s<>]+/u/[^"'\s<>]+""")]
    private static partial Regex UnsubscribeInHtml();

    [GeneratedRegex(@"https?://\S+/partner/launch\?t=\S+")]
    private static partial Regex LinkInText();
}
