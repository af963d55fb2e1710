using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Identity;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Identity;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage;
using Tcma.Storage.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// Finance exports owed payouts for the ERP and marks them paid, through the real API on Azurite: each claim in one
/// file only, each payment booked once on the fund, and every malformed, oversized, duplicated or late call answered
/// with a ProblemDetails that changes nothing.
/// </summary>
public sealed partial class PayoutApiTests
{
    private const string Vendor = "northwind";
    private const string Base = $"/api/vendors/{Vendor}/mdf";
    private static readonly Currency Usd = Currency.Of("USD");
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private sealed record ProblemDto(int Status, string Title, string Code);
    private sealed record MoneyDto(string Amount, string Currency);
    private sealed record ExportDto(string ExportId, int Count, string[] ClaimIds, MoneyDto[] Totals, string Download, int Remaining);
    private sealed record PayoutDto(string ClaimId, string Amount, string Currency, string Status, string? ExportId, string? PaymentReference);

    /// <summary>A fund with an allocation and one claimed request per payout, as the claim workflow leaves it, and the payouts owed.</summary>
    internal static async Task<IReadOnlyList<Payout>> OweAsync(IServiceProvider services, string vendor, string partner, params decimal[] amounts)
    {
        var storage = services.GetRequiredService<StorageAccount>();
        var funds = new FundLedgerStore(storage);
        var payouts = new PayoutStore(storage);
        var fund = $"{vendor}-2026q4-{partner}";
        await funds.ExecuteAsync(fund, Usd, new AllocateFunds("alloc", Money.Of(100_000m, Usd), "finance", At));
        var list = new List<Payout>();
        for (var i = 0; i < amounts.Length; i++)
        {
            var amount = Money.Of(amounts[i], Usd);
            var (request, claim) = ($"FR-{partner}-{i}", $"CL-{partner}-{i}");
            await funds.ExecuteAsync(fund, Usd, new ReserveFunds(request, amount, partner, At));
            await funds.ExecuteAsync(fund, Usd, new ConvertToClaim(request, claim, amount, partner, At));
            var payout = new Payout(claim, request, partner, fund, amount, "6100-MDF", $"MDF-{claim}", At.AddMinutes(i));
            await payouts.AddAsync(vendor, payout);
            list.Add(payout);
        }
        return list;
    }

    private static async Task<ProblemDto> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<ProblemDto>(JsonSerializerOptions.Web))!;
    }

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Finance_exports_downloads_and_marks_paid_and_the_fund_shows_it_paid_once()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var owed = await OweAsync(app.Services, Vendor, "harbour", 1200m, 350.25m);
        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance, "fran@northwind.example");

        var created = await finance.PostAsync($"{Base}/payout-exports", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var export = (await created.Content.ReadFromJsonAsync<ExportDto>(JsonSerializerOptions.Web))!;
        Assert.Equal(2, export.Count);
        Assert.Equal([new MoneyDto("1550.25", "USD")], export.Totals);
        Assert.Equal(export.Download, created.Headers.Location?.OriginalString);

        var download = await finance.GetAsync(export.Download);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/csv", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"mdf-payouts-{export.ExportId}.csv", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
        var rows = CsvText.Read(await download.Content.ReadAsStringAsync())!;
        Assert.Equal(["harbour", "harbour", "1200.00", "USD", "MDF-CL-harbour-0", "6100-MDF", "CL-harbour-0", "FR-harbour-0"], rows[1]);

        var paid = await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-2026-0042"}"""));
        Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        var view = (await paid.Content.ReadFromJsonAsync<PayoutDto>(JsonSerializerOptions.Web))!;
        Assert.Equal(("Paid", "ERP-2026-0042", export.ExportId), (view.Status, view.PaymentReference, view.ExportId));

        // The same click again (a retry after a timeout) is fine; another reference for a paid payout is a conflict.
        Assert.Equal(HttpStatusCode.OK, (await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-2026-0042"}"""))).StatusCode);
        Assert.Equal("payout.already_paid", (await ProblemAsync(await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-other"}""")), HttpStatusCode.Conflict)).Code);

        var funds = new FundLedgerStore(app.Services.GetRequiredService<StorageAccount>());
        var balance = await funds.GetAsync(owed[0].FundId, Usd);
        Assert.Equal(Money.Of(1200m, Usd), balance.Paid);
        Assert.Equal(Money.Of(350.25m, Usd), balance.Claimed);
        var payments = (await funds.EntriesAsync(owed[0].FundId)).Where(e => e.Kind == LedgerEntryKind.Paid).ToList();
        var payment = Assert.Single(payments);
        Assert.Contains("ERP-2026-0042", payment.Cause.Reason);
        Assert.Equal(balance.Figures.TotalIn, balance.Figures.TotalAccountedFor);

        var list = (await finance.GetFromJsonAsync<PayoutDto[]>($"{Base}/payouts?status=exported", JsonSerializerOptions.Web))!;
        Assert.Equal(["CL-harbour-1"], list.Select(p => p.ClaimId));
    }

    [Fact]
    public async Task Two_finance_users_exporting_at_once_never_export_a_claim_twice()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await OweAsync(app.Services, Vendor, "harbour", Enumerable.Range(1, 30).Select(i => (decimal)i).ToArray());
        var fran = await app.SignedInAsync(Vendor, VendorRole.Finance, "fran@northwind.example");
        var femi = await app.SignedInAsync(Vendor, VendorRole.Finance, "femi@northwind.example");

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? fran : femi).PostAsync($"{Base}/payout-exports", null)));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"got {r.StatusCode}"));
        var exports = new List<ExportDto>();
        foreach (var r in responses.Where(r => r.StatusCode == HttpStatusCode.Created))
            exports.Add((await r.Content.ReadFromJsonAsync<ExportDto>(JsonSerializerOptions.Web))!);
        var claims = exports.SelectMany(x => x.ClaimIds).ToList();
        Assert.Equal(30, claims.Count);
        Assert.Equal(30, claims.Distinct().Count());
        var csvClaims = new List<string>();
        foreach (var x in exports) csvClaims.AddRange(CsvText.Read(await fran.GetStringAsync(x.Download))!.Skip(1).Select(r => r[6]));
        Assert.Equal(claims.Order(), csvClaims.Order());
    }

    [Fact]
    public async Task Malformed_oversized_duplicated_and_early_calls_get_problem_details_and_change_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await OweAsync(app.Services, Vendor, "harbour", 100m, 200m);
        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);

        // Paid before it was ever exported: the ERP cannot have paid it.
        Assert.Equal("payout.not_exported", (await ProblemAsync(await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-1"}""")), HttpStatusCode.Conflict)).Code);
        Assert.Equal("payout.not_found", (await ProblemAsync(await finance.PostAsync($"{Base}/payouts/CL-nope/paid", Json("""{"reference":"ERP-1"}""")), HttpStatusCode.NotFound)).Code);
        Assert.Equal("payout_export.body", (await ProblemAsync(await finance.PostAsync($"{Base}/payout-exports", Json("{}")), HttpStatusCode.BadRequest)).Code);
        var badKey = new HttpRequestMessage(HttpMethod.Post, $"{Base}/payout-exports");
        badKey.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 201));
        Assert.Equal("payout_export.idempotency_key", (await ProblemAsync(await finance.SendAsync(badKey), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.status", (await ProblemAsync(await finance.GetAsync($"{Base}/payouts?status=1"), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout_export.not_found", (await ProblemAsync(await finance.GetAsync($"{Base}/payout-exports/nope"), HttpStatusCode.NotFound)).Code);
        Assert.All((await finance.GetFromJsonAsync<PayoutDto[]>($"{Base}/payouts", JsonSerializerOptions.Web))!, p => Assert.Equal("Owed", p.Status));

        // A double submit with the same Idempotency-Key makes one export.
        HttpRequestMessage Keyed() { var r = new HttpRequestMessage(HttpMethod.Post, $"{Base}/payout-exports"); r.Headers.Add("Idempotency-Key", "run-2026-11-25"); return r; }
        var first = await finance.SendAsync(Keyed());
        var second = await finance.SendAsync(Keyed());
        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal((await first.Content.ReadFromJsonAsync<ExportDto>(JsonSerializerOptions.Web))!.ExportId, (await second.Content.ReadFromJsonAsync<ExportDto>(JsonSerializerOptions.Web))!.ExportId);
        Assert.Equal("payout_export.nothing_owed", (await ProblemAsync(await finance.PostAsync($"{Base}/payout-exports", null), HttpStatusCode.Conflict)).Code);

        var paid = $"{Base}/payouts/CL-harbour-0/paid";
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await finance.PostAsync(paid, new StringContent("reference=ERP-1", Encoding.UTF8, "application/x-www-form-urlencoded"))).StatusCode);
        Assert.Equal("payout.malformed", (await ProblemAsync(await finance.PostAsync(paid, Json("""{"reference": """)), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.malformed", (await ProblemAsync(await finance.PostAsync(paid, Json("""{"reference": 42}""")), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.reference", (await ProblemAsync(await finance.PostAsync(paid, Json("""{"reference": "  "}""")), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.reference", (await ProblemAsync(await finance.PostAsync(paid, Json("""{"reference": "ERP-1\nDROP"}""")), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.reference", (await ProblemAsync(await finance.PostAsync(paid, Json($$"""{"reference": "{{new string('9', 101)}}"}""")), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.reference", (await ProblemAsync(await finance.PostAsync(paid, Json("null")), HttpStatusCode.BadRequest)).Code);
        Assert.Equal("payout.too_large", (await ProblemAsync(await finance.PostAsync(paid, Json($$"""{"reference": "ERP-1", "pad": "{{new string('x', 8000)}}"}""")), HttpStatusCode.RequestEntityTooLarge)).Code);

        var balance = await new FundLedgerStore(app.Services.GetRequiredService<StorageAccount>()).GetAsync($"{Vendor}-2026q4-harbour", Usd);
        Assert.True(balance.Paid.IsZero);
        Assert.Equal(Money.Of(300m, Usd), balance.Claimed);
    }

    [Fact]
    public async Task A_payment_recorded_after_the_period_expired_is_still_booked_and_nothing_comes_back_to_life()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var owed = await OweAsync(app.Services, Vendor, "harbour", 500m);
        var funds = new FundLedgerStore(app.Services.GetRequiredService<StorageAccount>());
        var periodEnd = ProgramPeriod.Quarter(2026, 4).ExpiresAt;
        await funds.ExecuteAsync(owed[0].FundId, Usd, new ExpireFunds(periodEnd, "system:expiry", periodEnd));
        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);

        Assert.Equal(HttpStatusCode.Created, (await finance.PostAsync($"{Base}/payout-exports", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-late"}"""))).StatusCode);

        var balance = await funds.GetAsync(owed[0].FundId, Usd);
        Assert.Equal((Money.Of(500m, Usd), Money.Of(99_500m, Usd)), (balance.Paid, balance.Expired));
        Assert.True(balance.Available.IsZero);
    }

    [Fact]
    public async Task Two_references_sent_at_once_book_one_payment_and_the_payout_and_ledger_agree()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var owed = await OweAsync(app.Services, Vendor, "harbour", 640m);
        var fran = await app.SignedInAsync(Vendor, VendorRole.Finance, "fran@northwind.example");
        var femi = await app.SignedInAsync(Vendor, VendorRole.Finance, "femi@northwind.example");
        Assert.Equal(HttpStatusCode.Created, (await fran.PostAsync($"{Base}/payout-exports", null)).StatusCode);

        var calls = Enumerable.Range(0, 6).Select(i => (Reference: $"ERP-{i % 2}",
            Response: (i % 2 == 0 ? fran : femi).PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json($$"""{"reference":"ERP-{{i % 2}}"}""")))).ToList();
        await Task.WhenAll(calls.Select(c => c.Response));

        var won = (await new PayoutStore(app.Services.GetRequiredService<StorageAccount>()).GetAsync(Vendor, "CL-harbour-0"))!.PaymentReference!;
        foreach (var (reference, response) in calls)
            Assert.Equal(reference == won ? HttpStatusCode.OK : HttpStatusCode.Conflict, (await response).StatusCode);
        var entries = await new FundLedgerStore(app.Services.GetRequiredService<StorageAccount>()).EntriesAsync(owed[0].FundId);
        Assert.Contains($"reference {won}", Assert.Single(entries, e => e.Kind == LedgerEntryKind.Paid).Cause.Reason);
    }

    [Fact]
    public async Task A_payment_that_died_between_the_payout_and_the_ledger_is_completed_by_the_next_call()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var owed = await OweAsync(app.Services, Vendor, "harbour", 90m);
        var storage = app.Services.GetRequiredService<StorageAccount>();
        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);
        Assert.Equal(HttpStatusCode.Created, (await finance.PostAsync($"{Base}/payout-exports", null)).StatusCode);
        // The payout row took the reference, then the process died before the ledger was booked.
        await new PayoutStore(storage).MarkPaidAsync(Vendor, "CL-harbour-0", "ERP-9", "finance", At);
        var funds = new FundLedgerStore(storage);
        Assert.True((await funds.GetAsync(owed[0].FundId, Usd)).Paid.IsZero);

        // Even a retry with a mistyped reference completes the ledger, under the reference on record, and says so.
        Assert.Equal("payout.already_paid", (await ProblemAsync(await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-8"}""")), HttpStatusCode.Conflict)).Code);
        var balance = await funds.GetAsync(owed[0].FundId, Usd);
        Assert.Equal((Money.Of(90m, Usd), Money.Zero(Usd)), (balance.Paid, balance.Claimed));
        Assert.Contains("reference ERP-9", Assert.Single(await funds.EntriesAsync(owed[0].FundId), e => e.Kind == LedgerEntryKind.Paid).Cause.Reason);
        Assert.Equal(HttpStatusCode.OK, (await finance.PostAsync($"{Base}/payouts/CL-harbour-0/paid", Json("""{"reference":"ERP-9"}"""))).StatusCode);
        Assert.Single(await funds.EntriesAsync(owed[0].FundId), e => e.Kind == LedgerEntryKind.Paid);
    }

    [Fact]
    public async Task Only_finance_of_the_same_vendor_sees_or_moves_payouts()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await OweAsync(app.Services, Vendor, "harbour", 100m);
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        var approver = await app.SignedInAsync(Vendor, VendorRole.MdfApprover);
        var otherFinance = await app.SignedInAsync("contoso", VendorRole.Finance);

        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsync($"{Base}/payout-exports", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await approver.GetAsync($"{Base}/payouts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherFinance.PostAsync($"{Base}/payout-exports", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherFinance.GetAsync($"{Base}/payouts")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"{Base}/payouts")).StatusCode);
        var stored = await new PayoutStore(app.Services.GetRequiredService<StorageAccount>()).ListAsync(Vendor);
        Assert.Equal(PayoutStatus.Owed, Assert.Single(stored).Status);
    }

    [Fact]
    public async Task The_console_page_exports_downloads_and_marks_paid()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        await OweAsync(app.Services, Vendor, "harbour", 100m, 250m);
        var finance = await app.SignedInAsync(Vendor, VendorRole.Finance);

        var page = await finance.GetStringAsync("/console/mdf/payouts");
        Assert.Contains("Owed (2)", page);
        Assert.Contains("Total USD 350.00", page);
        var exported = await finance.PostAsync("/console/mdf/payouts/export", Form(page, []));
        Assert.Equal(HttpStatusCode.Redirect, exported.StatusCode);
        page = await finance.GetStringAsync(exported.Headers.Location!.OriginalString);
        Assert.Contains("Owed (0)", page);
        Assert.Contains("Exported, waiting for payment (2)", page);
        var download = DownloadLink().Match(page);
        Assert.True(download.Success, "the page links the export's CSV");
        Assert.Equal(3, CsvText.Read(await finance.GetStringAsync(WebUtility.HtmlDecode(download.Groups[1].Value)))!.Count);

        var paid = await finance.PostAsync("/console/mdf/payouts/paid", Form(page, new() { ["claimId"] = "CL-harbour-1", ["reference"] = "ERP-77" }));
        page = await finance.GetStringAsync(paid.Headers.Location!.OriginalString);
        Assert.Contains("Paid (1)", page);
        Assert.Contains("ERP-77", page);
        var refused = await finance.PostAsync("/console/mdf/payouts/paid", Form(page, new() { ["claimId"] = "CL-harbour-0", ["reference"] = "" }));
        Assert.Contains("Give the ERP", await finance.GetStringAsync(refused.Headers.Location!.OriginalString));

        // Without the page's antiforgery token nothing moves, and other roles do not get the page.
        var forged = await finance.PostAsync("/console/mdf/payouts/paid", new FormUrlEncodedContent(new Dictionary<string, string> { ["claimId"] = "CL-harbour-0", ["reference"] = "X" }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var manager = await app.SignedInAsync(Vendor, VendorRole.ChannelManager);
        Assert.NotEqual(HttpStatusCode.OK, (await manager.GetAsync("/console/mdf/payouts")).StatusCode);
    }

    private static FormUrlEncodedContent Form(string page, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(page).Groups[1].Value);
        return new FormUrlEncodedContent(fields);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("href=\"(/api/vendors/northwind/mdf/payout-exports/[^\"]+)\"")]
    private static partial Regex DownloadLink();
}
