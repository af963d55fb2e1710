using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Leads;
using Tcma.FunctionalTests.Hosting;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Functions.Leads;
using Tcma.Storage.Leads;

namespace Tcma.FunctionalTests.Leads;

/// <summary>CSV import of leads through the API and the console: good rows become leads on the capture path, bad rows are listed with reasons, and the same file twice imports nothing new.</summary>
public sealed partial class LeadImportTests
{
    private const string Vendor = "northwind";

    private const string Csv = """
        Email,First name,Last name,Country,Company,Phone,Consent text
        ana.silva@contoso.example,Ana,Silva,DE,Contoso GmbH,030 1234567,Met at CeBIT; agreed to be contacted
        bo@fabrikam.example,Bo,Lind,SE,=HYPERLINK("http://evil.example"),,Met at CeBIT; agreed to be contacted
        not-an-address,Cy,Young,Germany,,,Met at CeBIT; agreed to be contacted
        <script>alert(1)</script>@x.example,Di,Evans,GB,,,
        """;

    private static async Task<QueueClient> QueueAsync(TcmaAppFactory app)
    {
        var queue = new QueueClient(app.StorageConnectionString, $"{app.StoragePrefix}-{LeadEndpoints.CapturedQueue}");
        await queue.CreateIfNotExistsAsync();
        return queue;
    }

    private static StringContent CsvBody(string csv) => new(csv, Encoding.UTF8, "text/csv");

    [Fact]
    public async Task Good_rows_become_leads_bad_rows_are_listed_with_reasons_and_the_same_file_again_imports_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = app.WithApiKey((await app.CreateApiKeyAsync(Vendor, VendorRole.ChannelManager)).Key);

        var first = await api.PostAsync($"/api/vendors/{Vendor}/leads/imports", CsvBody(Csv));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var result = (await first.Content.ReadFromJsonAsync<LeadImportView>())!;
        Assert.False(result.AlreadyImported);
        Assert.Equal(2, result.Queued);
        Assert.Equal([4, 5], result.Rejected.Select(r => r.Row));
        Assert.Contains("Email: is not a valid email address", result.Rejected[0].Reasons);
        Assert.Contains(result.Rejected[0].Reasons, r => r.StartsWith("Country: \"Germany\" is not a two-letter country code"));
        Assert.Contains("Consent text: is required", result.Rejected[1].Reasons);

        var queue = await QueueAsync(app);
        Assert.Equal(2, (await queue.PeekMessagesAsync(32)).Value.Length);

        var again = (await (await api.PostAsync($"/api/vendors/{Vendor}/leads/imports", CsvBody(Csv))).Content.ReadFromJsonAsync<LeadImportView>())!;
        Assert.True(again.AlreadyImported);
        Assert.Equal(0, again.Queued);
        Assert.Equal(result.ImportId, again.ImportId);
        Assert.Equal(2, (await queue.PeekMessagesAsync(32)).Value.Length);
    }

    [Fact]
    public async Task Imported_rows_are_recorded_as_leads_from_the_import_with_text_kept_as_typed()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var api = app.WithApiKey((await app.CreateApiKeyAsync(Vendor, VendorRole.ChannelManager)).Key);
        var result = (await (await api.PostAsync($"/api/vendors/{Vendor}/leads/imports", CsvBody(Csv))).Content.ReadFromJsonAsync<LeadImportView>())!;

        var store = app.Services.GetRequiredService<LeadStore>();
        Lead? bo = null;
        await QueueTriggerTests.WaitUntilAsync(async () => (bo = await store.GetAsync(Vendor, LeadStore.LeadId(Vendor, $"{result.ImportId}-r3"), default)) is not null);
        Assert.Equal(new LeadSource.CsvImport(result.ImportId, 3), bo!.Source);
        // Kept exactly as typed; CSV exports neutralise it (CsvText), pages escape it.
        Assert.Equal("=HYPERLINK(\"http://evil.example\")", bo.Person.Company);
        Assert.Equal("Met at CeBIT; agreed to be contacted", bo.Consent.Text);
        var ana = await store.GetAsync(Vendor, LeadStore.LeadId(Vendor, $"{result.ImportId}-r2"), default);
        Assert.Equal("+49301234567", ana!.Person.Phone);
    }

    [Fact]
    public async Task Files_that_are_too_big_too_long_not_csv_or_missing_columns_are_refused_whole()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var api = app.WithApiKey((await app.CreateApiKeyAsync(Vendor, VendorRole.ChannelManager)).Key);
        async Task<(HttpStatusCode, string)> Post(HttpContent body)
        {
            var r = await api.PostAsync($"/api/vendors/{Vendor}/leads/imports", body);
            return (r.StatusCode, (await r.Content.ReadFromJsonAsync<JsonObject>())!["title"]!.GetValue<string>());
        }

        var tooLong = new StringBuilder("Email,First name,Last name,Country,Consent text\n");
        for (var i = 0; i <= LeadImports.Limits.MaxRows; i++) tooLong.Append($"p{i}@x.example,A,B,DE,ok\n");
        var (status, title) = await Post(CsvBody(tooLong.ToString()));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("more than 10,000 leads", title);

        (status, _) = await Post(new ByteArrayContent(new byte[LeadImports.Limits.MaxBytes + 1]) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);

        (status, title) = await Post(CsvBody("PK\u0003\u0004 a spreadsheet"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a CSV file", title);

        (status, title) = await Post(CsvBody("Email,Name\na@b.example,A"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("missing: First name, Last name, Country, Consent text", title);

        (status, _) = await Post(JsonContent.Create(new { email = "a@b.example" }));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, status);

        var user = await app.SignedInAsync(Vendor, VendorRole.Finance);
        Assert.Equal(HttpStatusCode.Forbidden, (await user.PostAsync($"/api/vendors/{Vendor}/leads/imports", CsvBody(Csv))).StatusCode);
        Assert.Empty((await (await QueueAsync(app)).PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task A_channel_manager_imports_through_the_console_page_and_sees_rejected_rows_escaped()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var page = await client.GetStringAsync("/console/leads/import");
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success);
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(Csv.Replace(",Consent text", "").Replace(",Met at CeBIT; agreed to be contacted", "").Replace(",,\n", ",\n")));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var form = new MultipartFormDataContent
        {
            { new StringContent(WebUtility.HtmlDecode(token.Groups[1].Value)), "__RequestVerificationToken" },
            { new StringContent("lead-import"), "_handler" },
            { new StringContent("Agreed at our stand"), "consentText" },
            { file, "file", "cebit.csv" },
        };

        var response = await client.PostAsync("/console/leads/import", form);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("2 of 4 rows imported", WebUtility.HtmlDecode(html));
        Assert.Contains("Row 4", html);
        Assert.DoesNotContain("<script>alert(1)</script>", html);

        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);
        var refused = await finance.GetAsync("/console/leads/import");
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.StartsWith("/forbidden", refused.Headers.Location?.OriginalString);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}
