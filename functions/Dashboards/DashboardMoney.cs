using System.Collections.Concurrent;
using Tcma.Domain.Dashboards;
using Tcma.Domain.Mdf;
using Tcma.Functions.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;
using Tcma.Storage.Workflows;

namespace Tcma.Functions.Dashboards;

/// <summary>One program's money on the home page: its funds added up, what expires within 30 days, and its burn-down.</summary>
public sealed record ProgramMoney(MdfProgram Program, int Funds, FundFigures Figures, Money AtRisk, int FundsAtRisk, int? DaysLeft, IReadOnlyList<BurnDownPoint> BurnDown);

/// <summary>A request or claim waiting for an approver, and how long since the partner sent it.</summary>
public sealed record WaitingItem(string Kind, string Id, string PartnerId, string ProgramId, Money? Amount, string? Level, TimeSpan Age);

/// <summary>
/// What the MDF activities of the shown programs cost and returned, per currency: <see cref="RoiSummary"/> as the ROI
/// page builds it, without leads and won revenue (those need every lead of the vendor, see docs/DASHBOARDS.md).
/// </summary>
public sealed record MoneyReturn(Currency Currency, int Activities, Money Cost, Money Reimbursed, Money Pipeline, decimal? PipelinePerMdf);

/// <summary>The MDF part of the console's home for a period: the programs running in it, what waits, what it returned.</summary>
public sealed record MdfHome(IReadOnlyList<ProgramMoney> Programs, IReadOnlyList<WaitingItem> Waiting, int WaitingForPartner, IReadOnlyList<MoneyReturn> Return)
{
    public static readonly MdfHome Empty = new([], [], 0, []);
}

/// <summary>
/// The MDF figures of the console's home, read through the MDF capability's own stores and pure functions (the ledger's
/// balance rows, the request and claim workflows, <see cref="Roi"/>, <see cref="FundExpiry"/>), so they are the numbers
/// the MDF pages and API give. Only the programs whose period overlaps the home page's period are read.
/// </summary>
public sealed class DashboardMoney(
    MdfProgramStore programs, FundLedgerStore ledger, MdfRequestIndex index, WorkflowEngine engine, PartnerDirectory partners, TimeProvider clock)
{
    /// <summary>Point reads in flight at once: enough to hide Table storage's latency, few enough to leave the account to others.</summary>
    private const int Parallelism = 16;

    public async Task<MdfHome> HomeAsync(string vendorId, DashboardPeriod period, CancellationToken ct)
    {
        var shown = (await programs.ListAsync(vendorId, ct)).Select(p => p.Program)
            .Where(p => p.Period.Start <= period.To && p.Period.End >= period.From)
            .OrderBy(p => p.Period.Start).ThenBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        if (shown.Count == 0) return MdfHome.Empty;
        var now = clock.GetUtcNow();

        var balances = await BalancesAsync(vendorId, shown, ct);
        var (requests, claims) = await WorkflowsAsync(vendorId, shown.Select(p => p.Id).ToHashSet(StringComparer.Ordinal), ct);

        var money = shown.Select(program =>
        {
            var funds = balances.GetValueOrDefault(program.Id, []);
            var figures = Sum(program.Currency, funds.Select(f => f.Figures));
            var risks = FundExpiry.AtRisk(funds.Select(f => (FundKey.Parse(f.FundId).PartnerId, f)), program.Period, now);
            var spent = claims.Where(c => c.FundId is { } id && FundKey.Parse(id).ProgramId == program.Id).SelectMany(MdfBurnDown.SpentChanges);
            return new ProgramMoney(program, funds.Count, figures, risks.Aggregate(program.Zero, (t, r) => t + r.Available), risks.Count,
                risks.Count == 0 ? null : risks[0].DaysLeft, MdfBurnDown.Build(figures.TotalIn.Amount, program.Period, now, spent));
        }).ToList();

        var waiting = requests.Where(r => r.Status == FundRequestStatus.PendingApproval)
            .Select(r => new WaitingItem("request", r.RequestId, r.PartnerId, FundKey.Parse(r.FundId).ProgramId, r.Amount, r.Approval?.Current.Name, Age(r.History, now)))
            .Concat(claims.Where(c => c.Status == ClaimStatus.PendingApproval && c.FundId is not null)
                .Select(c => new WaitingItem("claim", c.ClaimId, c.PartnerId, FundKey.Parse(c.FundId!).ProgramId, c.Amount, c.Approval?.Current.Name, Age(c.History, now))))
            .OrderByDescending(w => w.Age).ThenBy(w => w.Id, StringComparer.Ordinal).ToList();

        var claimsById = claims.ToDictionary(c => c.ClaimId, StringComparer.Ordinal);
        // The ROI page's own lines (RoiAttribution, Roi.Line); without leads, only their cost, reimbursement and pipeline are used.
        var lines = requests.Select(r => r.Proposal is null ? null
                : Roi.Line(r, r.ClaimId is { } id ? claimsById.GetValueOrDefault(id) : null, RoiAttribution.For(r, r.ClaimId is { } c ? claimsById.GetValueOrDefault(c) : null, [])))
            .OfType<RoiLine>().ToList();
        var returns = Roi.Summarise(lines, _ => "all")
            .Select(s => new MoneyReturn(s.Currency, s.Activities, s.Cost, s.Reimbursed, s.Pipeline, s.PipelinePerMdf)).ToList();

        return new MdfHome(money, waiting, requests.Count(r => r.Status == FundRequestStatus.InformationRequested), returns);
    }

    /// <summary>
    /// One partner's MDF for its scorecard: its fund in each program that has not ended before the period (a point read
    /// each), and whether it claims its approved activities in time (its own requests, from the request index).
    /// </summary>
    public async Task<(IReadOnlyList<FundUse> Funds, ClaimTimeliness Claims)> PartnerAsync(string vendorId, string partnerId, DashboardPeriod period, DateOnly today, CancellationToken ct)
    {
        var shown = (await programs.ListAsync(vendorId, ct)).Select(p => p.Program)
            .Where(p => p.Period.Start <= period.To && p.Period.End >= period.From)
            .OrderBy(p => p.Period.Start).ThenBy(p => p.Name, StringComparer.CurrentCultureIgnoreCase).ToList();
        var funds = new List<FundUse>();
        foreach (var program in shown)
        {
            var balance = await ledger.GetAsync(new FundKey(vendorId, program.Id, partnerId).FundId, program.Currency, ct);
            if (balance.Figures.TotalIn.Amount > 0) funds.Add(PartnerMdfUse.Fund(program.Name, balance.Figures, program.Period.End, today));
        }
        var requests = new List<(FundRequestStatus, string?, DateOnly?)>();
        foreach (var s in await index.ListAsync(vendorId, partnerId, ct))
            if (s.Kind == MdfSubjectKind.Request && await engine.GetRequestAsync(s.Id, ct) is { } r)
                requests.Add((r.Status, r.ClaimId, r.EffectiveClaimDeadline));
        return (funds, PartnerMdfUse.Claims(requests, today));
    }

    /// <summary>
    /// Every fund of the shown programs, one balance row per partner and program: the ledger's cached fold, never its
    /// entries. A partner without a fund in a program costs a read that finds nothing.
    /// </summary>
    private async Task<Dictionary<string, List<FundBalance>>> BalancesAsync(string vendorId, IReadOnlyList<MdfProgram> shown, CancellationToken ct)
    {
        var directory = await partners.ListAsync(vendorId, ct: ct);
        var found = new ConcurrentBag<(string ProgramId, FundBalance Balance)>();
        var work = shown.SelectMany(p => directory.Select(d => (Program: p, PartnerId: d.Partner.Id)));
        await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (w, token) =>
        {
            var balance = await ledger.GetAsync(new FundKey(vendorId, w.Program.Id, w.PartnerId).FundId, w.Program.Currency, token);
            if (balance.Sequence > 0) found.Add((w.Program.Id, balance));
        });
        return found.GroupBy(f => f.ProgramId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(f => f.Balance).OrderBy(b => b.FundId, StringComparer.Ordinal).ToList(), StringComparer.Ordinal);
    }

    /// <summary>The requests and claims of the shown programs, from the vendor's request index and one workflow read each.</summary>
    private async Task<(List<FundRequestState> Requests, List<ClaimState> Claims)> WorkflowsAsync(string vendorId, HashSet<string> programIds, CancellationToken ct)
    {
        var subjects = (await index.ListAsync(vendorId, null, ct)).Where(s => programIds.Contains(s.ProgramId)).ToList();
        var requests = new ConcurrentBag<FundRequestState>();
        var claims = new ConcurrentBag<ClaimState>();
        await Parallel.ForEachAsync(subjects, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (s, token) =>
        {
            // An index row whose workflow has not started (or whose start failed) has no state yet: skipped, as the MDF pages do.
            if (s.Kind == MdfSubjectKind.Request && await engine.GetRequestAsync(s.Id, token) is { Status: not FundRequestStatus.Draft } r
                && FundKey.Parse(r.FundId).VendorId == vendorId)
                requests.Add(r);
            if (s.Kind == MdfSubjectKind.Claim && await engine.GetClaimAsync(s.Id, token) is { Status: not ClaimStatus.Draft, FundId: { } fund } c
                && FundKey.Parse(fund).VendorId == vendorId)
                claims.Add(c);
        });
        return (requests.ToList(), claims.ToList());
    }

    private static TimeSpan Age(IReadOnlyList<HistoryEntry> history, DateTimeOffset now) =>
        history.Count == 0 ? TimeSpan.Zero : now - history.Min(h => h.At);

    public static FundFigures Sum(Currency currency, IEnumerable<FundFigures> funds)
    {
        var z = Money.Zero(currency);
        return funds.Aggregate(new FundFigures(z, z, z, z, z, z, z, z), (t, f) => new FundFigures(
            t.Allocated + f.Allocated, t.Accrued + f.Accrued, t.Adjusted + f.Adjusted, t.Reserved + f.Reserved,
            t.Claimed + f.Claimed, t.Paid + f.Paid, t.Expired + f.Expired, t.Available + f.Available));
    }
}
