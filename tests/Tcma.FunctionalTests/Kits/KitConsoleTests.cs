using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Kits;

/// <summary>The console's kit pages: a channel manager uploads through the page, sees every problem or the new version's previews, publishes and recalls.</summary>
public sealed partial class KitConsoleTests
{
    [Fact]
    public async Task A_channel_manager_uploads_the_sample_kit_through_the_page_and_sees_its_previews_load()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin?returnUrl=%2Fconsole%2Fkits");
        await page.GetByLabel("Vendor id").FillAsync("acme");
        await page.GetByLabel("Email").FillAsync("casey@acme.example");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Channel manager" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/kits");
        Assert.Equal("Kits", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());

        await page.GetByLabel("Kit zip").SetInputFilesAsync(new FilePayload { Name = "cloud-backup-nurture.zip", MimeType = "application/zip", Buffer = KitZips.CloudBackupWith() });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/kits/cloud-backup-nurture?uploaded=1.0.0");
        Assert.Equal("Northwind Cloud Backup: small-business nurture", await page.GetByRole(AriaRole.Heading, new() { Level = 1 }).InnerTextAsync());
        Assert.Contains("Version 1.0.0 was uploaded", await page.GetByRole(AriaRole.Status).InnerTextAsync());

        var preview = page.GetByRole(AriaRole.Img, new() { Name = "Social banner and flyer, co-branded for the sample partner" });
        await preview.ScrollIntoViewIfNeededAsync();
        // Previews load lazily: wait for this one (scrolled into view) to finish, loaded or broken.
        await page.WaitForFunctionAsync("img => img.complete", await preview.ElementHandleAsync());
        Assert.True(await preview.EvaluateAsync<int>("i => i.naturalWidth") > 0, "the co-branded preview loaded");
        Assert.Equal(2, await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("^(Is your data backed up\\?|Recovered in an hour)$") }).CountAsync());
        Assert.Contains("Nobody yet", await page.GetByRole(AriaRole.Main).InnerTextAsync());

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"page is {scrollWidth}px wide in a 375px viewport");
        var screenshot = Browser.ScreenshotPath("kit-detail-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });

        await page.GetByRole(AriaRole.Button, new() { Name = "Publish version 1.0.0" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Recall version 1.0.0" }).WaitForAsync();
        Assert.Contains("Partners in tier Gold, Silver", await page.GetByRole(AriaRole.Main).InnerTextAsync());
    }

    [Fact]
    public async Task A_channel_manager_uploading_a_kit_with_disguised_files_sees_each_file_named_with_what_to_do()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin?returnUrl=%2Fconsole%2Fkits");
        await page.GetByLabel("Vendor id").FillAsync("acme");
        await page.GetByLabel("Email").FillAsync("casey@acme.example");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Channel manager" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/kits");

        // A web page saved as the kit's font, an SVG with a script beside the pictures, and a file nothing uses.
        var zip = HostileKits.Zip(f =>
        {
            f["fonts/DejaVuSans.ttf"] = Encoding.UTF8.GetBytes("<!DOCTYPE html><html><body>not a font</body></html>");
            f["images/badge.svg"] = Encoding.UTF8.GetBytes("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"><script>alert(2)</script></svg>");
            f["images/old-banner.png"] = HostileKits.Encode(120, 60, SkiaSharp.SKEncodedImageFormat.Png);
        });
        await page.GetByLabel("Kit zip").SetInputFilesAsync(new FilePayload { Name = "cloud-backup-nurture.zip", MimeType = "application/zip", Buffer = zip });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and check" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await alert.WaitForAsync();
        Assert.Equal("The kit was not uploaded: 3 problems to fix", await alert.GetByRole(AriaRole.Heading).InnerTextAsync());
        var items = await alert.GetByRole(AriaRole.Listitem).AllInnerTextsAsync();
        Assert.Contains(items, i => i.StartsWith("fonts/DejaVuSans.ttf: this file is used as a font but holds an HTML document", StringComparison.Ordinal));
        Assert.Contains(items, i => i.StartsWith("images/badge.svg: SVG is not a kit file", StringComparison.Ordinal) && i.Contains("export it as PNG", StringComparison.Ordinal));
        Assert.Contains(items, i => i.StartsWith("images/old-banner.png: this file is not used by kit.json", StringComparison.Ordinal));
        Assert.Contains("No kits yet", await page.GetByRole(AriaRole.Main).InnerTextAsync());

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"page is {scrollWidth}px wide in a 375px viewport");
        var screenshot = Browser.ScreenshotPath("kit-upload-problems-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
    }

    [Fact]
    public async Task The_upload_page_lists_every_problem_of_a_bad_kit_and_stores_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync("acme", VendorRole.ChannelManager);
        var zip = KitZips.CloudBackupWith(m => m.Replace("\"maxLength\": 20", "\"maxLength\": 5"),
            f => { f.Remove("emails/case-study.txt"); f["emails/welcome.html"] = Encoding.UTF8.GetBytes("<p>{{ recipient.first_name </p>"); });

        var response = await client.PostAsync("/console/kits", await UploadFormAsync(client, zip));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("The kit was not uploaded: 3 problems to fix", html);
        Assert.Contains("$.editable[3].default", html);
        Assert.Contains("$.content.emails[1].text", html);
        Assert.Contains("emails/welcome.html", html);
        Assert.Contains("No kits yet", html);

        // Without the antiforgery token the form is refused.
        var forged = new MultipartFormDataContent { { new ByteArrayContent(zip), "kit", "kit.zip" }, { new StringContent("kit-upload"), "_handler" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/console/kits", forged)).StatusCode);
        Assert.Contains("No kits yet", await client.GetStringAsync("/console/kits"));
    }

    [Fact]
    public async Task Only_channel_managers_see_the_upload_form_and_another_vendors_kit_is_not_found()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var manager = await app.SignedInAsync("acme", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Found, (await manager.PostAsync("/console/kits", await UploadFormAsync(manager, KitZips.CloudBackupWith()))).StatusCode);
        Assert.Contains("Publish version 1.0.0", await manager.GetStringAsync("/console/kits/cloud-backup-nurture"));

        var finance = await app.SignedInAsync("acme", VendorRole.Finance);
        var list = await finance.GetStringAsync("/console/kits");
        Assert.DoesNotContain("Upload and check", list);
        Assert.Contains("cloud-backup-nurture", list);
        Assert.DoesNotContain("Publish version", await finance.GetStringAsync("/console/kits/cloud-backup-nurture"));

        var other = await app.SignedInAsync("globex", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync("/console/kits/cloud-backup-nurture")).StatusCode);
        Assert.DoesNotContain("cloud-backup-nurture", await other.GetStringAsync("/console/kits"));
    }

    internal static async Task<MultipartFormDataContent> UploadFormAsync(HttpClient client, byte[] zip)
    {
        var page = await client.GetStringAsync("/console/kits");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the upload form renders an antiforgery token");
        var file = new ByteArrayContent(zip);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        return new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" },
            { new StringContent("kit-upload"), "_handler" },
            { file, "kit", "kit.zip" },
        };
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
