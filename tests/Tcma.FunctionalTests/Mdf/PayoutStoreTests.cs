using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage;
using Tcma.Storage.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// Payouts on Azurite: recorded once per claim whatever the replays, exported in files that never share a claim
/// (even when two finance users export at the same moment), and paid once, with the reference finance quoted.
/// </summary>
public sealed class PayoutStoreTests
{
    private static readonly Currency Usd = Currency.Of("USD");
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    internal static Payout APayout(string claimId, decimal amount = 125.50m, string partner = "harbour", int minutes = 0) =>
        new(claimId, "FR-" + claimId, partner, $"fund-{partner}", Money.Of(amount, Usd), "6100-MDF", $"MDF-{claimId}", At.AddMinutes(minutes));

    private static Task<IReadOnlyDictionary<string, string>> Names(IReadOnlyCollection<string> ids, CancellationToken _) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(ids.ToDictionary(i => i, i => $"=HYPERLINK(\"x\") {i} Ltd"));

    [Fact]
    public async Task Adding_the_same_claim_again_keeps_one_payout_with_the_first_amount()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new PayoutStore(app.Services.GetRequiredService<StorageAccount>());

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => store.AddAsync("northwind", APayout("CL-1"))));
        await store.AddAsync("northwind", APayout("CL-1", amount: 999m));

        var all = await store.ListAsync("northwind");
        var payout = Assert.Single(all);
        Assert.Equal(Money.Of(125.50m, Usd), payout.Payout.Amount);
        Assert.Equal(PayoutStatus.Owed, payout.Status);
        Assert.Empty(await store.ListAsync("contoso"));
    }

    [Fact]
    public async Task An_export_takes_every_owed_payout_once_and_a_second_export_finds_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new PayoutStore(app.Services.GetRequiredService<StorageAccount>());
        for (var i = 0; i < 5; i++) await store.AddAsync("northwind", APayout($"CL-{i}", 100m + i, partner: i % 2 == 0 ? "harbour" : "-bay", minutes: i));

        var first = await store.ExportAsync("northwind", "X-1", "finance@northwind", At, Names);
        Assert.True(first.Created);
        Assert.Equal(["CL-0", "CL-1", "CL-2", "CL-3", "CL-4"], first.Export!.ClaimIds.Order());
        Assert.Equal([Money.Of(510m, Usd)], first.Export.Totals);
        Assert.Equal(0, first.Remaining);

        var csv = Encoding.UTF8.GetString((await store.DownloadAsync("northwind", "X-1"))!);
        var rows = CsvText.Read(csv)!;
        Assert.Equal(6, rows.Count);
        Assert.Equal(PayoutExport.Header, rows[0]);
        Assert.Contains(rows, r => r.SequenceEqual(["harbour", "'=HYPERLINK(\"x\") harbour Ltd", "102.00", "USD", "MDF-CL-2", "6100-MDF", "CL-2", "FR-CL-2"]));
        // A partner id or name starting like a formula stays text in a spreadsheet.
        Assert.Contains(rows, r => r[0] == "'-bay");
        Assert.All(rows.Skip(1), r => Assert.StartsWith("'=", r[1]));

        Assert.All(await store.ListAsync("northwind"), p => Assert.Equal((PayoutStatus.Exported, "X-1"), (p.Status, p.ExportId)));
        var second = await store.ExportAsync("northwind", "X-2", "finance@northwind", At, Names);
        Assert.Null(second.Export);
        Assert.Null(await store.GetExportAsync("northwind", "X-2"));

        // The same export id again (a double submit) returns the recorded file rather than a new one.
        var again = await store.ExportAsync("northwind", "X-1", "finance@northwind", At, Names);
        Assert.False(again.Created);
        Assert.Equal(first.Export.BlobName, again.Export!.BlobName);
    }

    [Fact]
    public async Task Concurrent_exports_never_put_one_claim_in_two_files()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new PayoutStore(app.Services.GetRequiredService<StorageAccount>());
        const int payouts = 40;
        await Task.WhenAll(Enumerable.Range(0, payouts).Select(i => store.AddAsync("northwind", APayout($"CL-{i:D3}", 10m + i, minutes: i))));

        // Six finance users press export at once, while more approvals keep arriving.
        var exports = Enumerable.Range(0, 6).Select(i => store.ExportAsync("northwind", $"X-{i}", $"finance{i}@northwind", At, Names)).ToList();
        var late = Enumerable.Range(payouts, 10).Select(i => store.AddAsync("northwind", APayout($"CL-{i:D3}", 10m + i, minutes: i))).ToList();
        await Task.WhenAll(late);
        var outcomes = await Task.WhenAll(exports);
        var sweep = await store.ExportAsync("northwind", "X-sweep", "finance@northwind", At, Names);

        var files = outcomes.Append(sweep).Where(o => o.Created).Select(o => o.Export!).ToList();
        var inFiles = files.SelectMany(f => f.ClaimIds).ToList();
        Assert.Equal(inFiles.Count, inFiles.Distinct().Count());
        Assert.Equal(payouts + 10, inFiles.Count);

        // Each recorded file's CSV holds exactly its own claims: a losing attempt never overwrote a winner's file.
        foreach (var file in files)
        {
            var csv = Encoding.UTF8.GetString((await store.DownloadAsync("northwind", file.ExportId))!);
            var claimsInCsv = CsvText.Read(csv)!.Skip(1).Select(r => r[6]).Order().ToList();
            Assert.Equal(file.ClaimIds.Order().ToList(), claimsInCsv);
        }
        var stored = await store.ListAsync("northwind");
        Assert.All(stored, p => Assert.Equal(PayoutStatus.Exported, p.Status));
        Assert.All(stored, p => Assert.Contains(p.Payout.ClaimId, files.Single(f => f.ExportId == p.ExportId).ClaimIds));
    }

    [Fact]
    public async Task An_export_holds_at_most_99_payouts_and_says_how_many_remain()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new PayoutStore(app.Services.GetRequiredService<StorageAccount>());
        await Task.WhenAll(Enumerable.Range(0, 120).Select(i => store.AddAsync("northwind", APayout($"CL-{i:D3}", 1m, minutes: i))));

        var first = await store.ExportAsync("northwind", "X-1", "finance", At, Names);
        Assert.Equal(PayoutStore.MaxPerExport, first.Export!.ClaimIds.Count);
        Assert.Equal(21, first.Remaining);
        // Oldest approvals go first.
        Assert.Contains("CL-000", first.Export.ClaimIds);
        Assert.DoesNotContain("CL-119", first.Export.ClaimIds);
        var second = await store.ExportAsync("northwind", "X-2", "finance", At, Names);
        Assert.Equal(21, second.Export!.ClaimIds.Count);
        Assert.Equal(0, second.Remaining);
    }

    [Fact]
    public async Task Marking_paid_needs_an_export_takes_one_reference_and_is_repeatable()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new PayoutStore(app.Services.GetRequiredService<StorageAccount>());
        await store.AddAsync("northwind", APayout("CL-1"));

        Assert.Equal(PayoutPaidKind.NotFound, (await store.MarkPaidAsync("northwind", "CL-404", "ERP-1", "finance", At)).Kind);
        Assert.Equal(PayoutPaidKind.NotExported, (await store.MarkPaidAsync("northwind", "CL-1", "ERP-1", "finance", At)).Kind);
        await store.ExportAsync("northwind", "X-1", "finance", At, Names);

        var paid = await store.MarkPaidAsync("northwind", "CL-1", "ERP-1", "finance@northwind", At.AddDays(2));
        Assert.Equal(PayoutPaidKind.Marked, paid.Kind);
        Assert.Equal((PayoutStatus.Paid, "ERP-1", "X-1"), (paid.Payout!.Status, paid.Payout.PaymentReference, paid.Payout.ExportId));
        Assert.Equal(PayoutPaidKind.AlreadyPaid, (await store.MarkPaidAsync("northwind", "CL-1", "ERP-1", "finance", At.AddDays(3))).Kind);
        Assert.Equal(PayoutPaidKind.OtherReference, (await store.MarkPaidAsync("northwind", "CL-1", "ERP-2", "finance", At.AddDays(3))).Kind);

        var stored = (await store.GetAsync("northwind", "CL-1"))!;
        Assert.Equal((PayoutStatus.Paid, "ERP-1", At.AddDays(2)), (stored.Status, stored.PaymentReference, stored.PaidAt));
        // A replayed approval after payment changes nothing.
        await store.AddAsync("northwind", APayout("CL-1"));
        Assert.Equal(PayoutStatus.Paid, (await store.GetAsync("northwind", "CL-1"))!.Status);
    }
}
