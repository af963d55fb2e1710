using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tcma.Domain.Identity;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;

namespace Tcma.FunctionalTests.Partners;

/// <summary>A channel manager onboards partners through the API, one as JSON or many from CSV, on Azurite; other vendors and other roles cannot.</summary>
public sealed class PartnerApiTests
{
    private const string Vendor = "contoso";
    private const string Base = $"/api/vendors/{Vendor}/partners";

    private static object Partner(string company = "Fabrikam Networks", string tier = "Gold", string region = "EMEA", string[]? specialisations = null) => new
    {
        companyName = company, tier, region, country = "GB",
        specialisations = specialisations ?? ["Cloud backup", "Security"],
        contacts = new[] { new { name = "Ana Silva", email = "ana@fabrikam.example", role = "Owner" } },
    };

    private sealed record ContactDto(string Name, string Email, string Role, bool Primary);
    private sealed record PartnerDto(string Id, string CompanyName, string Tier, string Region, string? Country, string[] Specialisations,
        ContactDto[] Contacts, ContactDto PrimaryContact, string Status, string ETag, string UpdatedBy);
    private sealed record RejectedDto(int Row, string? PartnerId, string[] Reasons);
    private sealed record ImportDto(int Created, int Updated, int Unchanged, RejectedDto[] Rejected);

    private static async Task<PartnerDto> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<PartnerDto>(JsonSerializerOptions.Web))!;

    private static HttpRequestMessage Put(string id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"{Base}/{id}") { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static StringContent Csv(string text, string type = "text/csv") => new(text, Encoding.UTF8, type);

    [Fact]
    public async Task A_partner_is_created_read_and_updated_under_its_etag()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager, "casey@contoso.example");

        var created = await client.SendAsync(Put("fabrikam-uk", Partner()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"{Base}/fabrikam-uk", created.Headers.Location?.OriginalString);

        var read = await client.GetAsync($"{Base}/fabrikam-uk");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var partner = await ReadAsync(read);
        Assert.Equal(("Fabrikam Networks", "Gold", "EMEA", "GB", "Active"), (partner.CompanyName, partner.Tier, partner.Region, partner.Country, partner.Status));
        Assert.Equal("ana@fabrikam.example", partner.PrimaryContact.Email);
        Assert.Equal(partner.ETag, read.Headers.ETag?.ToString());

        var updated = await client.SendAsync(Put("fabrikam-uk", Partner(tier: "Platinum"), ifMatch: partner.ETag));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var after = await ReadAsync(updated);
        Assert.Equal("Platinum", after.Tier);
        Assert.NotEqual(partner.ETag, after.ETag);

        // An edit based on the old read is refused, and says so; what is stored is the later change.
        var stale = await client.SendAsync(Put("fabrikam-uk", Partner(tier: "Silver"), ifMatch: partner.ETag));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Platinum", (await ReadAsync(await client.GetAsync($"{Base}/fabrikam-uk"))).Tier);

        Assert.Equal(HttpStatusCode.PreconditionFailed, (await client.SendAsync(Put("nobody-yet", Partner(), ifMatch: partner.ETag))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"{Base}/nobody-yet")).StatusCode);
    }

    [Fact]
    public async Task Concurrent_edits_of_one_read_apply_once_and_edits_without_a_precondition_are_all_applied()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var etag = (await ReadAsync(await client.SendAsync(Put("p1", Partner())))).ETag;

        var racing = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.SendAsync(Put("p1", Partner(tier: $"Tier {i}"), ifMatch: etag))));
        var winner = Assert.Single(racing, r => r.StatusCode == HttpStatusCode.OK);
        Assert.All(racing.Where(r => r != winner), r => Assert.Equal(HttpStatusCode.PreconditionFailed, r.StatusCode));
        Assert.Equal((await ReadAsync(winner)).Tier, (await ReadAsync(await client.GetAsync($"{Base}/p1"))).Tier);

        // Without If-Match each write is re-decided on the row really there after a conflict: none fails, the last one stays.
        var blind = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => client.SendAsync(Put("p1", Partner(region: $"Region {i}")))));
        Assert.All(blind, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var final = await client.GetAsync($"{Base}/p1");
        var lastWritten = blind.Select(r => r.Headers.ETag?.ToString()).ToHashSet();
        Assert.Contains(final.Headers.ETag?.ToString(), lastWritten);
    }

    [Fact]
    public async Task Bad_partners_get_every_problem_by_field_and_nothing_is_stored()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);

        var bad = await client.SendAsync(Put("ok-id", new { companyName = "", tier = "Gold", region = new string('r', 61), contacts = new[] { new { name = "A", email = "not-an-address" } } }));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        using var problem = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());
        var fields = problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(new HashSet<string> { "companyName", "region", "contacts[0].email" }, fields);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(Put("Not_A_Slug", Partner()))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PutAsync($"{Base}/ok-id", new StringContent("{\"companyName\":", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PutAsync($"{Base}/ok-id", new StringContent("companyName=x", Encoding.UTF8, "text/plain"))).StatusCode);
        var huge = new StringContent("{\"companyName\":\"" + new string('x', 70_000) + "\"}", Encoding.UTF8, "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await client.PutAsync($"{Base}/ok-id", huge)).StatusCode);
        Assert.Equal("[]", await client.GetStringAsync(Base));
    }

    [Fact]
    public async Task The_list_filters_by_tier_region_and_specialisation()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        await client.SendAsync(Put("a", Partner("Alpha", "Gold", "EMEA", ["Security"])));
        await client.SendAsync(Put("b", Partner("Beta", "Silver", "EMEA", ["Cloud backup"])));
        await client.SendAsync(Put("c", Partner("Gamma", "Gold", "APAC", ["Cloud backup", "Security"])));

        async Task<string[]> Ids(string query) =>
            (await client.GetFromJsonAsync<PartnerDto[]>($"{Base}{query}", JsonSerializerOptions.Web))!.Select(p => p.Id).ToArray();
        Assert.Equal(["a", "b", "c"], await Ids(""));
        Assert.Equal(["a", "c"], await Ids("?tier=gold"));
        Assert.Equal(["a"], await Ids("?tier=Gold&region=EMEA"));
        Assert.Equal(["b", "c"], await Ids("?specialisation=cloud%20backup"));
        Assert.Empty(await Ids("?region=AMER"));
    }

    [Fact]
    public async Task An_import_stores_good_rows_reports_bad_and_duplicate_rows_and_keeps_formulas_as_text()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        await client.SendAsync(Put("fabrikam-uk", Partner(tier: "Silver")));
        const string csv = """
            Partner ID,Company,Tier,Region,Country,Specialisations,Contact name,Contact email
            fabrikam-uk,Fabrikam Networks,Gold,EMEA,GB,Cloud backup;Security,Ana Silva,ana@fabrikam.example
            northwind,Northwind Traders,Silver,APAC,AU,Networking,Kim Lee,kim@northwind.example
            evil,"=HYPERLINK(""http://evil.example"",""Click"")",Gold,EMEA,,@SUM(A1),Eve,eve@evil.example
            Bad Id,Broken,,EMEA,,,Bo,not-an-address
            northwind,Northwind again,Gold,APAC,AU,,Kim Lee,kim@northwind.example
            """;

        var response = await client.PostAsync($"{Base}/import", Csv(csv));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<ImportDto>(JsonSerializerOptions.Web))!;
        Assert.Equal((2, 1, 0), (result.Created, result.Updated, result.Unchanged));
        Assert.Equal([5, 6], result.Rejected.Select(r => r.Row));
        Assert.Contains(result.Rejected[0].Reasons, r => r.StartsWith("Partner ID:"));
        Assert.Contains(result.Rejected[0].Reasons, r => r.StartsWith("Tier:"));
        Assert.Contains(result.Rejected[0].Reasons, r => r.StartsWith("Contact email:"));
        Assert.Contains("already on row 3", Assert.Single(result.Rejected[1].Reasons));

        var evil = (await client.GetFromJsonAsync<PartnerDto>($"{Base}/evil", JsonSerializerOptions.Web))!;
        Assert.Equal("=HYPERLINK(\"http://evil.example\",\"Click\")", evil.CompanyName);
        Assert.Equal(["@SUM(A1)"], evil.Specialisations);
        Assert.Equal("Gold", (await client.GetFromJsonAsync<PartnerDto>($"{Base}/fabrikam-uk", JsonSerializerOptions.Web))!.Tier);
        Assert.Equal("Northwind Traders", (await client.GetFromJsonAsync<PartnerDto>($"{Base}/northwind", JsonSerializerOptions.Web))!.CompanyName);
        Assert.Equal(3, (await client.GetFromJsonAsync<PartnerDto[]>(Base, JsonSerializerOptions.Web))!.Length);

        // The same file again, as a form upload: a retry changes nothing.
        var again = await client.PostAsync($"{Base}/import", new MultipartFormDataContent { { Csv(csv), "file", "partners.csv" } });
        var second = (await again.Content.ReadFromJsonAsync<ImportDto>(JsonSerializerOptions.Web))!;
        Assert.Equal((0, 0, 3, 2), (second.Created, second.Updated, second.Unchanged, second.Rejected.Length));
    }

    [Fact]
    public async Task Huge_binary_or_columnless_files_are_refused_whole()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var client = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var row = "p,P,Gold,EMEA,,,N,n@example.com\n";
        var huge = "Partner ID,Company,Tier,Region,Country,Specialisations,Contact name,Contact email\n" + string.Concat(Enumerable.Repeat(row, 3 * 1024 * 1024 / row.Length));

        var tooLarge = await client.PostAsync($"{Base}/import", Csv(huge));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("application/problem+json", tooLarge.Content.Headers.ContentType?.MediaType);
        var xlsx = new ByteArrayContent([.. "PK\u0003\u0004"u8, .. new byte[200]]);
        xlsx.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.ms-excel");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"{Base}/import", xlsx)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"{Base}/import", Csv("Name,Email\nA,a@example.com\n"))).StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await client.PostAsync($"{Base}/import", Csv("{}", "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync($"{Base}/import", new MultipartFormDataContent { { Csv("x"), "kit", "p.csv" } })).StatusCode);
        Assert.Equal("[]", await client.GetStringAsync(Base));
    }

    [Fact]
    public async Task Another_vendor_finds_nothing_and_finance_cannot_write()
    {
        await using var app = await TcmaAppFactory.StartAsync();
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.Created, (await manager.SendAsync(Put("fabrikam-uk", Partner()))).StatusCode);

        var other = await app.SignedInAsync("northwind", VendorRole.ChannelManager);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"{Base}/fabrikam-uk")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync(Base)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.SendAsync(Put("fabrikam-uk", Partner(tier: "Bronze")))).StatusCode);
        Assert.Equal("[]", await other.GetStringAsync("/api/vendors/northwind/partners"));

        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);
        Assert.Equal(HttpStatusCode.OK, (await finance.GetAsync($"{Base}/fabrikam-uk")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.SendAsync(Put("fabrikam-uk", Partner(tier: "Bronze")))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await finance.PostAsync($"{Base}/import", Csv("Partner ID\n"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(Base)).StatusCode);
        Assert.Equal("Gold", (await ReadAsync(await manager.GetAsync($"{Base}/fabrikam-uk"))).Tier);
    }
}
