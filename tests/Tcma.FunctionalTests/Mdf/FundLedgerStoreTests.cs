using Microsoft.Extensions.DependencyInjection;
using Tcma.Domain.Mdf;
using Tcma.FunctionalTests.Infrastructure;
using Tcma.Storage;
using Tcma.Storage.Mdf;

namespace Tcma.FunctionalTests.Mdf;

/// <summary>
/// The fund ledger on Azurite: concurrent requests against one partner's fund serialise on the balance row's ETag,
/// so the fund is never overspent, the balance always equals the fold of its entries, and replays add nothing.
/// </summary>
public sealed class FundLedgerStoreTests
{
    private static readonly Currency Usd = Currency.Of("USD");
    private static readonly DateTimeOffset At = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_hundred_and_twenty_concurrent_reservations_never_overspend_and_the_balance_equals_its_ledger()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new FundLedgerStore(app.Services.GetRequiredService<StorageAccount>());
        const string fund = "northwind-2026q4-harbour";
        var allocated = await store.ExecuteAsync(fund, Usd, new AllocateFunds("alloc-1", Money.Of(10_000m, Usd), "finance@northwind", At));
        Assert.Single(allocated.Decision.Entries);

        var random = new Random(42);
        var requests = Enumerable.Range(0, 120).Select(i => new ReserveFunds($"FR-{i}", Money.Of(random.Next(40, 200) * 1.25m, Usd), "partner", At)).ToList();
        // Each request is also delivered twice, as queues do.
        var outcomes = await Task.WhenAll(requests.Concat(requests.Take(30)).Select(r => store.ExecuteAsync(fund, Usd, r)));

        var balance = await store.GetAsync(fund, Usd);
        var entries = await store.EntriesAsync(fund);
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Sequence));
        var folded = FundBalance.Fold(fund, Usd, entries);
        Assert.Equal(folded.Figures, balance.Figures);
        Assert.Equal(folded.Sequence, balance.Sequence);
        Assert.Equal(folded.ReservedByRequest.OrderBy(kv => kv.Key), balance.ReservedByRequest.OrderBy(kv => kv.Key));
        Assert.False(balance.Available.IsNegative);
        Assert.Equal(balance.Allocated, balance.Available + balance.Reserved);

        var reserved = outcomes.Where(o => o.Decision.Entries.Count > 0).Select(o => o.Decision.Entries[0].Cause.RequestId).ToList();
        Assert.Equal(reserved.Distinct().Count(), reserved.Count);
        Assert.Equal(requests.Where(r => reserved.Contains(r.RequestId)).Aggregate(Money.Zero(Usd), (sum, r) => sum + r.Amount), balance.Reserved);
        // The fund ran out: some requests were refused with the reason, none was half-booked.
        Assert.Contains(outcomes, o => o.Decision.Refusal?.Code == "fund.insufficient");
        Assert.True(balance.Available < requests.Where(r => !reserved.Contains(r.RequestId)).Min(r => r.Amount)!);
    }

    [Fact]
    public async Task A_command_in_another_currency_is_refused_and_books_nothing()
    {
        await using var app = await TcmaAppFactory.StartAsync(localTriggerHost: false);
        var store = new FundLedgerStore(app.Services.GetRequiredService<StorageAccount>());
        await store.ExecuteAsync("f-eur", Currency.Of("EUR"), new AllocateFunds("a", Money.Of(100m, Currency.Of("EUR")), "finance", At));
        var outcome = await store.ExecuteAsync("f-eur", Currency.Of("EUR"), new ReserveFunds("FR-1", Money.Of(10m, Usd), "partner", At));
        Assert.Equal("fund.currency", outcome.Decision.Refusal?.Code);
        Assert.Single(await store.EntriesAsync("f-eur"));
    }
}
