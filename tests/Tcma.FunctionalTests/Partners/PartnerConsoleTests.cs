using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Partners;

/// <summary>The console's partner page: a channel manager imports a CSV through the form and sees the counts, every rejected row, and the partners.</summary>
public sealed partial class PartnerConsoleTests
{
    private const string Csv = """
        Partner ID,Company,Tier,Region,Country,Specialisations,Contact name,Contact email
        fabrikam-uk,Fabrikam Networks,Gold,EMEA,GB,Cloud backup;Security,Ana Silva,ana@fabrikam.example
        broken,Broken Ltd,Gold,EMEA,,,Bo,not-an-address
        """;

    private static async Task<MultipartFormDataContent> ImportFormAsync(HttpClient client, string csv)
    {
        var page = await client.GetStringAsync("/console/partners");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the import form renders an antiforgery token");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" },
            { new StringContent("partner-import"), "_handler" },
            { file, "file", "partners.csv" },
        };
    }

    [Fact]
    public async Task A_channel_manager_imports_partners_through_the_page_and_sees_counts_rejected_rows_and_the_table()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync("acme", VendorRole.ChannelManager);
        Assert.Contains("No partners yet", await client.GetStringAsync("/console/partners"));

        var response = await client.PostAsync("/console/partners", await ImportFormAsync(client, Csv));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("1 created, 0 updated, 0 unchanged, 1 rejected.", html);
        Assert.Contains("Row 3", html);
        Assert.Contains("'not-an-address' is not an email address", html);
        Assert.Contains("Fabrikam Networks", html);
        Assert.Contains("ana@fabrikam.example", html);

        var filtered = WebUtility.HtmlDecode(await client.GetStringAsync("/console/partners?tier=Silver"));
        Assert.Contains("No partners match these filters", filtered);
        Assert.DoesNotContain("Fabrikam Networks", filtered);

        // Without the antiforgery token the form is refused and nothing is imported.
        var forged = new MultipartFormDataContent { { new StringContent(Csv.Replace("fabrikam-uk", "forged")), "file", "p.csv" }, { new StringContent("partner-import"), "_handler" } };
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/console/partners", forged)).StatusCode);
        Assert.DoesNotContain("forged", await client.GetStringAsync("/api/vendors/acme/partners"));
    }

    [Fact]
    public async Task A_file_that_is_not_csv_is_refused_on_the_page_and_other_roles_see_no_import_form()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync("acme", VendorRole.ChannelManager);
        var response = await client.PostAsync("/console/partners", await ImportFormAsync(client, "PK\u0003\u0004 a spreadsheet"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This is not a CSV file", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()));

        var finance = await app.SignedInAsync("acme", VendorRole.Finance);
        var page = await finance.GetStringAsync("/console/partners");
        Assert.Contains("<h1>Partners</h1>", page);
        Assert.DoesNotContain("Import partners from CSV", page);
    }

    [Fact]
    public async Task The_page_imports_through_a_real_browser_at_375_pixels_without_scrolling_sideways()
    {
        await using var app = await TcmaAppFactory.StartAsync(kestrel: true);
        await using var context = await Browser.NewContextAsync(app.PublicAddress!, 375, 740);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/signin?returnUrl=%2Fconsole%2Fpartners");
        await page.GetByLabel("Vendor id").FillAsync("acme");
        await page.GetByLabel("Email").FillAsync("casey@acme.example");
        await page.GetByLabel("Role").SelectOptionAsync(new SelectOptionValue { Label = "Channel manager" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.ArrivedAtAsync("**/console/partners");

        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "partners.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(Csv) });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).WaitForAsync();
        Assert.Contains("1 created", await page.GetByRole(AriaRole.Status).InnerTextAsync());
        Assert.Contains("Row 3", await page.GetByRole(AriaRole.Main).InnerTextAsync());
        Assert.Equal(1, await page.GetByRole(AriaRole.Cell, new() { Name = "Fabrikam Networks (fabrikam-uk)" }).CountAsync());

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 375, $"page is {scrollWidth}px wide in a 375px viewport");
        var screenshot = Browser.ScreenshotPath("partner-list-375");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
