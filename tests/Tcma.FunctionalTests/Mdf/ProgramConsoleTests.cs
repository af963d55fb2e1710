using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.Domain.Partners;
using Tcma.FunctionalTests.Identity;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// A vendor admin sets MDF programs up in the console, posting the page's forms as a browser would (the fields and
/// the antiforgery token the page rendered), and the API reads back what was saved.
/// </summary>
public sealed partial class ProgramConsoleTests
{
    private const string NewPage = "/console/mdf/programs/new";

    /// <summary>A complete, valid program as a vendor admin would type it: both fund types, two activities, two request levels.</summary>
    public static Dictionary<string, string> ValidFields(string vendor, string id) => new()
    {
        ["id"] = id,
        ["name"] = "Partner MDF H2 2026",
        ["periodKind"] = "Half",
        ["periodStart"] = "2026-07-01",
        ["currency"] = "eur",
        ["fundType"] = "Both",
        ["fixedAllocation"] = "7,500",
        ["accrualPercent"] = "2.5",
        ["proposalLeadDays"] = "10",
        ["claimDeadlineDays"] = "45",
        ["reminderAfterDays"] = "2",
        ["escalationAfterDays"] = "5",
        ["maxAmount"] = "500000",
        ["activity-0-name"] = "Events & webinars",
        ["activity-0-rate"] = "50",
        ["activity-0-cap"] = "10000",
        ["activity-0-gl"] = "6100-EVT",
        ["activity-1-name"] = "Digital advertising",
        ["activity-1-rate"] = "100%",
        ["activity-1-cap"] = "EUR 30,000.00",
        ["activity-1-gl"] = "6200-DIG",
        ["request-0-name"] = "Channel manager",
        ["request-0-role"] = "ChannelManager",
        ["request-0-above"] = "0",
        ["request-0-approverId"] = $"dev:cm@{vendor}.example",
        ["request-0-approverName"] = "Chris Channel",
        ["request-0-approverEmail"] = $"cm@{vendor}.example",
        ["request-0-backupId"] = $"dev:cm2@{vendor}.example",
        ["request-0-backupEmail"] = $"cm2@{vendor}.example",
        ["request-1-role"] = "MarketingDirector",
        ["request-1-above"] = "5000",
        ["request-1-approverId"] = $"dev:md@{vendor}.example",
        ["request-1-approverEmail"] = $"md@{vendor}.example",
        ["request-1-backupId"] = $"dev:md2@{vendor}.example",
        ["request-1-backupEmail"] = $"md2@{vendor}.example",
        ["claim-0-role"] = "Finance",
        ["claim-0-approverId"] = $"dev:fin@{vendor}.example",
        ["claim-0-approverEmail"] = $"fin@{vendor}.example",
        ["claim-0-backupId"] = $"dev:fin2@{vendor}.example",
        ["claim-0-backupEmail"] = $"fin2@{vendor}.example",
    };

    [Fact]
    public async Task Two_admins_creating_the_same_program_at_once_get_one_program_and_one_refusal()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var store = kit.App.Services.GetRequiredService<MdfProgramStore>();
        var mine = kit.Program() with { Id = "race-" + Guid.NewGuid().ToString("N")[..8], Name = "Mine" };
        var theirs = mine with { Name = "Theirs" };

        var results = await Task.WhenAll(
            store.CreateAsync(kit.Vendor, mine, "admin-a", MdfTestKit.Start),
            store.CreateAsync(kit.Vendor, theirs, "admin-b", MdfTestKit.Start));

        Assert.Single(results, r => r.Kind == ProgramSaveKind.Created);
        var refused = Assert.Single(results, r => r.Kind == ProgramSaveKind.PreconditionFailed);
        var winner = results.Single(r => r.Kind == ProgramSaveKind.Created).Stored!.Program.Name;
        Assert.Equal(winner, refused.Stored!.Program.Name);
        Assert.Equal(winner, (await store.GetAsync(kit.Vendor, mine.Id))!.Program.Name);
    }

    [Fact]
    public async Task A_vendor_admin_creates_a_program_with_the_form_and_the_api_reads_back_exactly_what_was_typed()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);

        var response = await admin.PostAsync(NewPage, await FormAsync(admin, NewPage, "program", ValidFields(kit.Vendor, "h2-2026")));

        Assert.True(response.StatusCode == HttpStatusCode.Found, await response.Content.ReadAsStringAsync());
        Assert.Equal("/console/mdf/programs/h2-2026?saved=1", new Uri(new Uri("http://localhost"), response.Headers.Location!).PathAndQuery);
        var program = (await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/h2-2026", MdfJson.Options))!;
        var eur = Currency.EUR;
        Assert.Equal("Partner MDF H2 2026", program.Name);
        Assert.Equal(ProgramPeriod.Half(2026, 2), program.Period);
        Assert.Equal(eur, program.Currency);
        Assert.Equal(FundType.Both, program.FundType);
        Assert.Equal(Money.Of(7_500m, eur), program.FixedAllocation);
        Assert.Equal(0.025m, program.AccrualRate);
        Assert.Equal((10, 45), (program.ProposalLeadDays, program.ClaimDeadlineDays));
        Assert.Equal(Money.Of(500_000m, eur), program.MaxAmount);
        Assert.Equal(
            new[] { new ActivityType("events-webinars", "Events & webinars", 0.5m, Money.Of(10_000m, eur), "6100-EVT"),
             new ActivityType("digital-advertising", "Digital advertising", 1m, Money.Of(30_000m, eur), "6200-DIG") },
            program.ActivityTypes);
        Assert.Equal(2, program.RequestChain.Levels.Count);
        var director = program.RequestChain.Levels[1];
        Assert.Equal((2, "Marketing director", ApproverRole.MarketingDirector, Money.Of(5_000m, eur)), (director.Number, director.Name, director.Role, director.Above));
        Assert.Equal(new Approver($"dev:md@{kit.Vendor}.example", $"md@{kit.Vendor}.example", $"md@{kit.Vendor}.example"), director.Approver);
        Assert.Equal(new Approver($"dev:cm@{kit.Vendor}.example", "Chris Channel", $"cm@{kit.Vendor}.example"), program.RequestChain.Levels[0].Approver);
        Assert.Equal(ApproverRole.Finance, program.ClaimChain.Levels.Single().Role);

        // The MDF page links the program to its page and offers a new one; the program page opens pre-filled.
        var list = await admin.GetStringAsync("/console/mdf");
        Assert.Contains("href=\"/console/mdf/programs/h2-2026\"", list);
        Assert.Contains("href=\"/console/mdf/programs/new\"", list);
        var edit = WebUtility.HtmlDecode(await admin.GetStringAsync("/console/mdf/programs/h2-2026?saved=1"));
        Assert.Contains("The program was saved.", edit);
        var fields = Fields(edit, "program");
        Assert.Equal("7500.00", fields["fixedAllocation"]);
        Assert.Equal("2.5", fields["accrualPercent"]);
        Assert.Equal("events-webinars", fields["activity-0-id"]);
        Assert.Equal("MarketingDirector", fields["request-1-role"]);
        Assert.Equal("Both", fields["fundType"]);

        // Creating again under the same id is refused instead of replacing the program.
        var again = ValidFields(kit.Vendor, "h2-2026");
        again["name"] = "Someone else's program";
        var duplicate = await admin.PostAsync(NewPage, await FormAsync(admin, NewPage, "program", again));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        Assert.Contains("There is already a program h2-2026", WebUtility.HtmlDecode(await duplicate.Content.ReadAsStringAsync()));
        Assert.Equal("Partner MDF H2 2026", (await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/h2-2026", MdfJson.Options))!.Name);
    }

    [Fact]
    public async Task Invalid_input_comes_back_400_with_each_domain_refusal_next_to_its_field_what_was_typed_kept_and_nothing_stored()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var fields = ValidFields(kit.Vendor, "bad-one");
        fields["fixedAllocation"] = "";                        // Both needs an allocation
        fields["activity-0-cap"] = "lots";                     // not an amount
        fields["activity-1-rate"] = "150";                     // above 100%
        fields["activity-1-gl"] = "";                          // finance needs a GL code
        fields["proposalLeadDays"] = "-3";
        fields["request-1-backupId"] = fields["request-1-approverId"];
        fields["request-1-above"] = "<script>alert(1)</script>";
        fields["claim-0-role"] = "ChannelManager";             // finance must approve claims

        var response = await admin.PostAsync(NewPage, await FormAsync(admin, NewPage, "program", fields));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var raw = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert(1)</script>", raw);
        var html = WebUtility.HtmlDecode(raw);
        Assert.Contains("A fixed-allocation program needs a positive allocation in EUR.", ErrorOf(html, "fixedAllocation"));
        Assert.Contains("'lots' is not an amount", ErrorOf(html, "activity-0-cap"));
        Assert.Contains("'Digital advertising': the reimbursement rate must be above 0% and at most 100%.", ErrorOf(html, "activity-1-rate"));
        Assert.Contains("'Digital advertising': finance needs a GL code to book payouts.", ErrorOf(html, "activity-1-gl"));
        Assert.Contains("The proposal lead time cannot be negative.", ErrorOf(html, "proposalLeadDays"));
        Assert.Contains("Level 2 of the request chain needs a backup approver other than its approver.", ErrorOf(html, "request-1-backupId"));
        Assert.Contains("is not an amount", ErrorOf(html, "request-1-above"));
        Assert.Contains("Finance must approve every claim", ErrorOf(html, "claim"));
        // A field whose text could not be read says so once, not again as the rule its stand-in breaks.
        Assert.DoesNotContain("the cap must be a positive", ErrorOf(html, "activity-0-cap"));

        var kept = Fields(html, "program");
        Assert.Equal("lots", kept["activity-0-cap"]);
        Assert.Equal("150", kept["activity-1-rate"]);
        Assert.Equal("-3", kept["proposalLeadDays"]);
        Assert.Equal("Partner MDF H2 2026", kept["name"]);
        Assert.Equal("ChannelManager", kept["claim-0-role"]);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/vendors/{kit.Vendor}/mdf/programs/bad-one")).StatusCode);

        // An unknown currency and a malformed id are refused the same way.
        fields = ValidFields(kit.Vendor, "Not An Id");
        fields["currency"] = "XXX";
        response = await admin.PostAsync(NewPage, await FormAsync(admin, NewPage, "program", fields));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("'XXX' is not a currency we pay in", ErrorOf(html, "currency"));
        Assert.Contains("A program id is 1-40 lower-case letters", ErrorOf(html, "id"));
        Assert.Single(await admin.GetFromJsonAsync<List<MdfProgram>>($"/api/vendors/{kit.Vendor}/mdf/programs", MdfJson.Options) ?? []);
    }

    [Fact]
    public async Task Only_a_vendor_admin_opens_or_posts_the_program_pages_and_a_forged_post_is_refused()
    {
        await using var kit = await MdfTestKit.StartAsync();
        foreach (var role in new[] { VendorRole.ChannelManager, VendorRole.MdfApprover, VendorRole.Finance })
        {
            var user = await kit.App.SignedInAsync(kit.Vendor, role);
            foreach (var path in new[] { NewPage, $"/console/mdf/programs/{MdfTestKit.ProgramId}" })
            {
                var refused = await user.GetAsync(path);
                Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
                Assert.StartsWith("/forbidden", refused.Headers.Location?.OriginalString);
            }
            var fields = ValidFields(kit.Vendor, "sneaky");
            fields["_handler"] = "program";
            var posted = await user.PostAsync(NewPage, new FormUrlEncodedContent(fields));
            Assert.Equal(HttpStatusCode.Found, posted.StatusCode);
            Assert.StartsWith("/forbidden", posted.Headers.Location?.OriginalString);
            Assert.DoesNotContain("href=\"/console/mdf/programs/new\"", await user.GetStringAsync("/console/mdf"));
        }
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var forged = ValidFields(kit.Vendor, "forged");
        forged["_handler"] = "program";
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync(NewPage, new FormUrlEncodedContent(forged))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/vendors/{kit.Vendor}/mdf/programs/sneaky")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/vendors/{kit.Vendor}/mdf/programs/forged")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/console/mdf/programs/no-such-program")).StatusCode);
    }

    [Fact]
    public async Task An_edit_from_a_tab_opened_before_someone_else_saved_is_refused_and_keeps_what_was_typed()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var page = $"/console/mdf/programs/{MdfTestKit.ProgramId}";
        var tabA = Fields(await admin.GetStringAsync(page), "program");
        var tabB = Fields(await admin.GetStringAsync(page), "program");
        Assert.Equal("Partner MDF Q1 2026", tabA["name"]);
        Assert.Equal("20000.00", tabA["fixedAllocation"]);

        tabB["name"] = "Saved first";
        tabB["activity-0-name"] = "Events and roadshows";
        var first = await admin.PostAsync(page, await FormAsync(admin, page, "program", tabB));
        Assert.Equal(HttpStatusCode.Found, first.StatusCode);
        var saved = (await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}", MdfJson.Options))!;
        Assert.Equal("Saved first", saved.Name);
        // Only what was changed changed: the form round-trips everything else, and renaming an activity keeps its id
        // so requests made under it still find it.
        var original = kit.Program();
        var expected = original with { Name = "Saved first", ActivityTypes = [original.ActivityTypes[0] with { Name = "Events and roadshows" }, original.ActivityTypes[1]] };
        Assert.Equal(expected.ActivityTypes, saved.ActivityTypes);
        Assert.Equal(MdfJson.Write(expected with { ActivityTypes = [] }), MdfJson.Write(saved with { ActivityTypes = [] }));

        tabA["name"] = "Saved second";
        var second = await admin.PostAsync(page, await FormAsync(admin, page, "program", tabA));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        var html = WebUtility.HtmlDecode(await second.Content.ReadAsStringAsync());
        Assert.Contains("Not saved: changed by someone else", html);
        Assert.Contains("Reload the program", html);
        Assert.Equal("Saved second", Fields(html, "program")["name"]);
        Assert.Equal("Saved first", (await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}", MdfJson.Options))!.Name);
        tabA["etag"] = "";
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync(page, await FormAsync(admin, page, "program", tabA))).StatusCode);
        Assert.Equal("Saved first", (await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}", MdfJson.Options))!.Name);

        // The id in the address decides which program is saved, whatever the posted id field says.
        var reloaded = Fields(await admin.GetStringAsync(page), "program");
        reloaded["id"] = "other";
        reloaded["name"] = "Saved third";
        // Clearing a row's fields removes that activity type, although its hidden id is still posted.
        foreach (var field in new[] { "name", "rate", "cap", "gl" }) reloaded[$"activity-1-{field}"] = "";
        Assert.Equal(HttpStatusCode.Found, (await admin.PostAsync(page, await FormAsync(admin, page, "program", reloaded))).StatusCode);
        var third = (await admin.GetFromJsonAsync<MdfProgram>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}", MdfJson.Options))!;
        Assert.Equal("Saved third", third.Name);
        Assert.Equal(new[] { "events" }, third.ActivityTypes.Select(a => a.Id));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/vendors/{kit.Vendor}/mdf/programs/other")).StatusCode);
    }

    [Fact]
    public async Task Allocating_by_tier_then_to_all_active_partners_books_each_fund_once_and_shows_the_figures()
    {
        await using var kit = await MdfTestKit.StartAsync();
        var directory = kit.App.Services.GetRequiredService<PartnerDirectory>();
        await kit.AddPartnerAsync("quay", $"owner@quay.{kit.Vendor}.example");
        await directory.SaveAsync(kit.Vendor, Partner("pier", "Silver", PartnerStatus.Active), "test", MdfTestKit.Start);
        await directory.SaveAsync(kit.Vendor, Partner("dock", "Silver", PartnerStatus.Inactive), "test", MdfTestKit.Start);
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var page = $"/console/mdf/programs/{MdfTestKit.ProgramId}";

        var silver = await admin.PostAsync(page, await FormAsync(admin, page, "allocate", new() { ["who"] = "tier", ["tier"] = "silver" }));
        Assert.Equal(HttpStatusCode.OK, silver.StatusCode);
        var rows = AllocationRows(await silver.Content.ReadAsStringAsync());
        Assert.Equal(new[] { "pier" }, rows.Keys);
        Assert.Equal(new[] { "allocated USD 20,000.00", "USD 20,000.00", "USD 0.00", "USD 20,000.00" }, rows["pier"]);

        var all = await admin.PostAsync(page, await FormAsync(admin, page, "allocate", new() { ["who"] = "all" }));
        Assert.Equal(HttpStatusCode.OK, all.StatusCode);
        rows = AllocationRows(await all.Content.ReadAsStringAsync());
        Assert.Equal(new[] { "harbour", "pier", "quay" }, rows.Keys.Order());
        Assert.Equal("already allocated", rows["harbour"][0]);
        Assert.Equal("already allocated", rows["pier"][0]);
        Assert.Equal("allocated USD 20,000.00", rows["quay"][0]);

        foreach (var (partner, allocated) in new[] { ("harbour", 20_000m), ("pier", 20_000m), ("quay", 20_000m), ("dock", 0m) })
        {
            var fund = (await admin.GetFromJsonAsync<FundView>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}/funds/{partner}", MdfJson.Options))!;
            Assert.Equal(MdfTestKit.Usd(allocated), fund.Figures.Allocated);
            Assert.Equal(MdfTestKit.Usd(allocated), fund.Figures.Available);
            Assert.True(fund.AddsUp);
        }

        var nobody = await admin.PostAsync(page, await FormAsync(admin, page, "allocate", new() { ["who"] = "tier", ["tier"] = "Platinum" }));
        Assert.Equal(HttpStatusCode.BadRequest, nobody.StatusCode);
        Assert.Contains("No active partner matches", await nobody.Content.ReadAsStringAsync());
        await kit.AssertLedgerExactAsync();
    }

    [Fact]
    public async Task An_accrual_file_with_a_bad_line_is_refused_whole_with_the_line_and_a_good_one_credits_once_per_period()
    {
        await using var kit = await MdfTestKit.StartAsync();
        await kit.AddPartnerAsync("quay", $"owner@quay.{kit.Vendor}.example");
        var admin = await kit.App.SignedInAsync(kit.Vendor, VendorRole.VendorAdmin);
        var page = $"/console/mdf/programs/{MdfTestKit.ProgramId}";

        var bad = await admin.PostAsync(page, await UploadAsync(admin, page, "2026-01", "partner_id,revenue\nharbour,10000\nquay,lots\nnobody,5\n"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var html = WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync());
        Assert.Contains("The revenue file has problems; nothing was credited.", html);
        Assert.Contains("Line 3: 'lots' is not an amount", html);
        Assert.Equal(MdfTestKit.Usd(0m), (await kit.FiguresAsync()).Accrued);

        var unknown = await admin.PostAsync(page, await UploadAsync(admin, page, "2026-01", "partner_id,revenue\nharbour,10000\nnobody,5\n"));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Line 3: nobody is not a partner of", WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()));

        var noPeriod = await admin.PostAsync(page, await UploadAsync(admin, page, "January", "partner_id,revenue\nharbour,10000\n"));
        Assert.Equal(HttpStatusCode.BadRequest, noPeriod.StatusCode);
        Assert.Contains("Name the revenue period reported", WebUtility.HtmlDecode(await noPeriod.Content.ReadAsStringAsync()));

        var csv = "partner_id,revenue\nharbour,\"10,000.00\"\nquay,2500.55\n";
        for (var i = 0; i < 2; i++)
        {
            var good = await admin.PostAsync(page, await UploadAsync(admin, page, "2026-01", csv));
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
            var result = WebUtility.HtmlDecode(await good.Content.ReadAsStringAsync());
            Assert.Contains(i == 0 ? "2 credited, 0 already credited for this period, 0 rejected." : "0 credited, 2 already credited for this period, 0 rejected.", result);
            Assert.Contains($"<tr><td>3</td><td>quay</td><td>USD 2,500.55</td><td>USD 50.01</td><td>{(i == 0 ? "credited" : "already credited")}</td></tr>", result);
        }
        Assert.Equal(MdfTestKit.Usd(200m), (await kit.FiguresAsync()).Accrued);
        var quay = (await admin.GetFromJsonAsync<FundView>($"/api/vendors/{kit.Vendor}/mdf/programs/{MdfTestKit.ProgramId}/funds/quay", MdfJson.Options))!;
        Assert.Equal(MdfTestKit.Usd(50.01m), quay.Figures.Accrued);
        await kit.AssertLedgerExactAsync();
    }

    private static Partner Partner(string id, string tier, PartnerStatus status) =>
        new(id, $"{id} Ltd", tier, "EMEA", "GB", [], [new PartnerContact("Pat Partner", $"owner@{id}.example", "Owner", true)], status);

    /// <summary>The page's form named <paramref name="formName"/> with its antiforgery token, the given fields on top.</summary>
    public static async Task<FormUrlEncodedContent> FormAsync(HttpClient client, string path, string formName, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        var values = new Dictionary<string, string>(fields)
        {
            ["__RequestVerificationToken"] = Token(page),
            ["_handler"] = formName,
        };
        return new FormUrlEncodedContent(values);
    }

    private static async Task<MultipartFormDataContent> UploadAsync(HttpClient client, string path, string period, string csv)
    {
        var page = await client.GetStringAsync(path);
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        return new MultipartFormDataContent
        {
            { new StringContent(Token(page)), "__RequestVerificationToken" },
            { new StringContent("accruals"), "_handler" },
            { new StringContent(period), "period" },
            { file, "file", "revenue.csv" },
        };
    }

    private static string Token(string page)
    {
        var token = AntiforgeryField().Match(page);
        Assert.True(token.Success, "the page renders an antiforgery token");
        return WebUtility.HtmlDecode(token.Groups[1].Value);
    }

    /// <summary>What a browser would submit for the named form: its inputs (checked radios only) and selected options, as rendered.</summary>
    public static Dictionary<string, string> Fields(string html, string formName)
    {
        var form = FormElement().Matches(html).Select(m => m.Value).Single(f => f.Contains($"name=\"_handler\" value=\"{formName}\""));
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputElement().Matches(form))
        {
            var tag = input.Value;
            var name = Attribute(tag, "name");
            if (name is null || name is "__RequestVerificationToken" or "_handler") continue;
            var type = Attribute(tag, "type") ?? "text";
            if (type is "radio" or "checkbox" && !BooleanAttribute(tag, "checked")) continue;
            fields[name] = WebUtility.HtmlDecode(Attribute(tag, "value") ?? "");
        }
        foreach (Match select in SelectElement().Matches(form))
        {
            var options = OptionElement().Matches(select.Groups["options"].Value).ToList();
            var chosen = options.FirstOrDefault(o => BooleanAttribute(o.Value, "selected")) ?? options.First();
            fields[Attribute(select.Value, "name")!] = WebUtility.HtmlDecode(Attribute(chosen.Value, "value") ?? "");
        }
        return fields;
    }

    /// <summary>The error shown next to a field (empty when there is none).</summary>
    private static string ErrorOf(string html, string key)
    {
        var m = Regex.Match(html, $"<p class=\"field-error\" id=\"{Regex.Escape(key)}-error\">(.*?)</p>", RegexOptions.Singleline);
        return m.Success ? m.Groups[1].Value : "";
    }

    private static Dictionary<string, string[]> AllocationRows(string html)
    {
        var table = Regex.Match(html, "<caption[^>]*>Each partner's fund after the allocation</caption>(.*?)</table>", RegexOptions.Singleline);
        Assert.True(table.Success, "the page shows the allocation's result");
        return Regex.Matches(table.Groups[1].Value, "<tr>(.*?)</tr>", RegexOptions.Singleline)
            .Select(r => Regex.Matches(r.Groups[1].Value, "<td>(.*?)</td>", RegexOptions.Singleline).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value.Trim())).ToArray())
            .Where(cells => cells.Length > 0)
            .ToDictionary(cells => cells[0], cells => cells[1..]);
    }

    private static string? Attribute(string tag, string name) =>
        Regex.Match(tag, $"\\s{name}=\"([^\"]*)\"") is { Success: true } m ? m.Groups[1].Value : null;

    private static bool BooleanAttribute(string tag, string name) => Regex.IsMatch(tag, $"\\s{name}(=\"[^\"]*\")?[\\s/>]");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("<form\\b.*?</form>", RegexOptions.Singleline)]
    private static partial Regex FormElement();

    [GeneratedRegex("<input\\b[^>]*>")]
    private static partial Regex InputElement();

    [GeneratedRegex("<select\\b[^>]*>(?<options>.*?)</select>", RegexOptions.Singleline)]
    private static partial Regex SelectElement();

    [GeneratedRegex("<option\\b[^>]*>")]
    private static partial Regex OptionElement();
}
