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
            CompanyName = "Harbour IT Services", Tier = "Gold", Region = "North America", Contacts = [new Domain.Partners.PartnerContactInput("Dana Ortiz", owner, "Owner", true)],
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
        await page.GetByLabel("Country (two letters)").FillAsync("US");
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

        await page.GetByLabel("Your contacts (CSV with Email and Consent columns)").SetInputFilesAsync(new FilePayload
        {
            Name = "contacts.csv", MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes($"Email,First name,Consent\n{Unique("ann")},Ann,yes\n{Unique("ben")},Ben,yes\nno@example.com,No,no\n"),
        });
        await Assertions.Expect(page.Locator("#contacts-result")).ToHaveTextAsync("2 imported, 1 without consent (not emailed), 0 duplicates, 0 invalid.");
        await Assertions.Expect(page.Locator("#schedule tbody tr")).ToHaveCountAsync(3);
        Assert.Contains("America/New_York", await page.Locator("#schedule tbody tr").First.InnerTextAsync());

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
    }

    [GeneratedRegex(@"https?://\S+/partner/launch\?t=\S+")]
    private static partial Regex LinkInText();
}
