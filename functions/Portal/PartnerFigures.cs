using Microsoft.Extensions.Caching.Memory;
using Tcma.Domain.Launches;
using Tcma.Domain.Leads;
using Tcma.Domain.Mdf;
using Tcma.Domain.Portal;
using Tcma.Functions.Launches;
using Tcma.Storage.Launches;
using Tcma.Storage.Leads;
using Tcma.Storage.Mdf;

namespace Tcma.Functions.Portal;

/// <summary>A sum of money in one currency (won deals come in the currency the partner recorded).</summary>
public sealed record MoneyTotal(decimal Amount, string Currency);

/// <summary>An MDF fund the partner can still spend, with the day it runs out.</summary>
public sealed record FundFigure(string ProgramName, Money Available, DateOnly LastDay);

/// <summary>
/// The partner's own figures for one quarter, each with its weekly series for a small chart: launches started, emails
/// sent and links clicked (counted in the week their touch was due), leads received, deals won, and MDF to spend.
/// </summary>
public sealed record PartnerQuarter(
    Quarter Quarter, int Launches, int EmailsSent, int Clicks, int Leads, IReadOnlyList<MoneyTotal> WonRevenue, IReadOnlyList<FundFigure> Mdf,
    IReadOnlyList<long> LaunchesByWeek, IReadOnlyList<long> EmailsByWeek, IReadOnlyList<long> ClicksByWeek, IReadOnlyList<long> LeadsByWeek);

/// <summary>
/// The one place the portal gets a partner's figures from. Today it reads what exists per partner (its launches with
/// their send and click records, its leads, its MDF funds) and keeps the answer a minute; it is meant to read the
/// per-partner counters instead once they exist, without any page changing.
/// </summary>
public sealed class PartnerFigures(
    LaunchStore launches, LaunchService launchService, CampaignSendLog sends, CampaignEngagementStore engagement, LeadStore leads,
    MdfProgramStore programs, FundLedgerStore ledger, IMemoryCache cache, TimeProvider clock)
{
    public static readonly TimeSpan CacheTime = TimeSpan.FromMinutes(1);

    public async Task<PartnerQuarter> QuarterAsync(string vendorId, string partnerId, CancellationToken ct)
    {
        var quarter = Quarter.Of(clock.GetUtcNow());
        return (await cache.GetOrCreateAsync($"partner-figures:{vendorId}|{partnerId}|{quarter}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheTime;
            return await ComputeAsync(vendorId, partnerId, quarter, ct);
        }))!;
    }

    private sealed record TouchCount(DateTimeOffset Due, int Sent, int Clicked);

    public void Forget(string vendorId, string partnerId) => cache.Remove($"partner-figures:{vendorId}|{partnerId}|{Quarter.Of(clock.GetUtcNow())}");

    private async Task<PartnerQuarter> ComputeAsync(string vendorId, string partnerId, Quarter quarter, CancellationToken ct)
    {
        var launchList = await launches.PartnerLaunchesAsync(vendorId, partnerId, ct);
        var perLaunch = await Task.WhenAll(launchList.Select(async l =>
        {
            var record = await launches.LaunchAsync(vendorId, l.LaunchId, ct);
            var state = await launchService.StateAsync(vendorId, l.LaunchId, ct);
            var emails = state?.AllTouches.Where(t => t.Channel == LaunchTouch.Email && quarter.Contains(t.DueUtc)).ToList() ?? [];
            if (emails.Count == 0) return (record, Touches: new List<TouchCount>());
            var summary = await sends.SummariseAsync(vendorId, l.LaunchId, ct);
            var engaged = await engagement.ByTouchAsync(vendorId, l.LaunchId, ct);
            return (record, Touches: emails.Select(t => new TouchCount(t.DueUtc, summary.Count(t.TouchId, CampaignSendState.Sent), engaged.GetValueOrDefault(t.TouchId)?.Clicked ?? 0)).ToList());
        }));
        var started = perLaunch.Select(p => p.record).OfType<LaunchRecord>().Where(r => quarter.Contains(r.CreatedAt)).ToList();
        var touches = perLaunch.SelectMany(p => p.Touches).ToList();

        var partnerLeads = await leads.ListAsync(vendorId, partnerId, 5000, ct);
        var received = partnerLeads.Where(l => quarter.Contains(l.CreatedAt)).ToList();
        var won = partnerLeads.Where(l => l.Status is LeadStatus.Won && quarter.Contains(l.LastActivityAt))
            .Select(l => (LeadStatus.Won)l.Status).GroupBy(w => w.Currency.ToUpperInvariant())
            .Select(g => new MoneyTotal(g.Sum(w => w.Amount), g.Key)).OrderByDescending(m => m.Amount).ToList();

        var today = Days.Of(clock.GetUtcNow());
        var funds = new List<FundFigure>();
        foreach (var p in await programs.ListAsync(vendorId, ct))
        {
            if (p.Program.Period.End < today) continue;
            var balance = await ledger.GetAsync(new FundKey(vendorId, p.Program.Id, partnerId).FundId, p.Program.Currency, ct);
            if (balance.Figures.TotalIn.IsZero) continue;
            funds.Add(new FundFigure(p.Program.Name, balance.Figures.Available, p.Program.Period.End));
        }

        return new PartnerQuarter(quarter, started.Count, touches.Sum(t => t.Sent), touches.Sum(t => t.Clicked), received.Count, won,
            funds.OrderBy(f => f.LastDay).ToList(),
            quarter.ByWeek(started, r => r.CreatedAt), quarter.ByWeek(touches, t => t.Due, t => t.Sent),
            quarter.ByWeek(touches, t => t.Due, t => t.Clicked), quarter.ByWeek(received, l => l.CreatedAt));
    }
}
