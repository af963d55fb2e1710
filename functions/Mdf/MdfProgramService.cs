using System.Text;
using System.Text.RegularExpressions;
using Tcma.Domain.Mdf;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Mdf;

/// <summary>What became of one line of a revenue file: credited, already credited for the period, nothing to credit, or refused by the ledger.</summary>
public sealed record AccrualLineOutcome(int LineNumber, string PartnerId, Money Revenue, Money Accrued, string Outcome);

/// <summary>An accrual import's totals (what the API returns) and each line's outcome (what the console shows).</summary>
public sealed record AccrualImportOutcome(AccrualResult Result, IReadOnlyList<AccrualLineOutcome> Lines);

/// <summary>Why a program operation did nothing: an HTTP status for the API, every reason for the page.</summary>
public sealed record ProgramProblem(int Status, IReadOnlyList<Refusal> Refusals, string Title)
{
    public ProgramProblem(int status, string code, string message) : this(status, [new Refusal(code, message)], message) { }
}

/// <summary>
/// Putting money into a program's funds, shared by the API and the console page so both allocate and accrue by
/// exactly the same rules: allocation and accrual are each booked once per partner however often they are run.
/// </summary>
public sealed partial class MdfProgramService(PartnerDirectory directory, FundLedgerStore ledger, TimeProvider clock)
{
    public const int MaxPartnersPerAllocation = 5_000;
    public const int MaxAccrualCsvBytes = 8 * 1024 * 1024;

    /// <summary>Gives each named partner the program's fixed allocation once; a partner the vendor does not have gets a line saying so.</summary>
    public async Task<(IReadOnlyList<AllocationLine>? Lines, ProgramProblem? Problem)> AllocateAsync(
        string vendorId, MdfProgram program, IReadOnlyList<string> partnerIds, string by, CancellationToken ct)
    {
        if (!program.FundType.HasFlag(FundType.FixedAllocation) || program.FixedAllocation is null)
            return (null, new(409, "allocation.not_fixed", $"{program.Name} has no fixed allocation; its funds come from accruals."));
        if (partnerIds.Count > MaxPartnersPerAllocation) return (null, new(400, "allocation.too_many", $"Allocate to at most {MaxPartnersPerAllocation:N0} partners at once."));

        var lines = new List<AllocationLine>();
        foreach (var partnerId in partnerIds.Distinct())
        {
            if (await directory.GetAsync(vendorId, partnerId, ct) is null) { lines.Add(new(partnerId, $"not a partner of {vendorId}", null)); continue; }
            var fund = new FundKey(vendorId, program.Id, partnerId);
            var outcome = await ledger.ExecuteAsync(fund.FundId, program.Currency, new AllocateFunds($"allocation|{program.Id}", program.FixedAllocation, by, clock.GetUtcNow()), ct);
            var what = outcome.Decision.Refusal?.Message ?? (outcome.Decision.IsNoOp ? "already allocated" : $"allocated {program.FixedAllocation}");
            lines.Add(new(partnerId, what, outcome.Balance.Figures));
        }
        return (lines, null);
    }

    /// <summary>
    /// Reads an uploaded revenue file as strict UTF-8 within <see cref="MaxAccrualCsvBytes"/>; anything longer is refused
    /// while reading, so a lying or missing Content-Length cannot make us buffer more.
    /// </summary>
    public static async Task<(string? Csv, ProgramProblem? Problem)> ReadCsvAsync(Stream body, long? declaredLength, CancellationToken ct)
    {
        var tooLarge = new ProgramProblem(413, "accrual.too_large", $"At most {MaxAccrualCsvBytes / (1024 * 1024)} MiB.");
        if (declaredLength > MaxAccrualCsvBytes) return (null, tooLarge);
        var bytes = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, ct)) > 0)
        {
            if (bytes.Length + read > MaxAccrualCsvBytes) return (null, tooLarge);
            bytes.Write(buffer, 0, read);
        }
        try { return (new UTF8Encoding(false, true).GetString(bytes.ToArray()), null); }
        catch (DecoderFallbackException) { return (null, new(400, "accrual.encoding", "Save the file as UTF-8 CSV.")); }
    }

    public static bool IsValidPeriod(string? period) => period is not null && Period().IsMatch(period);

    /// <summary>
    /// Credits the program's share of each partner's revenue for one reporting period: importing the same period again
    /// credits nothing twice. A file with any bad line or unknown partner is refused whole (every line's problem listed),
    /// so a vendor never half-imports revenue; a line the ledger refuses is reported with its line number.
    /// </summary>
    public async Task<(AccrualImportOutcome? Outcome, ProgramProblem? Problem)> ImportAccrualsAsync(
        string vendorId, MdfProgram program, string? period, string csv, string by, CancellationToken ct)
    {
        if (!IsValidPeriod(period))
            return (null, new(400, "accrual.period", "Name the revenue period reported, e.g. 2026-01 (a month) or 2026-Q1."));
        var lines = AccrualImport.Read(csv, program);
        if (!lines.IsValid) return (null, new(400, lines.Refusals, "The revenue file has problems; nothing was credited."));
        var unknown = new List<Refusal>();
        foreach (var line in lines.Value!)
            if (await directory.GetAsync(vendorId, line.PartnerId, ct) is null)
                unknown.Add(new("accrual.unknown_partner", $"Line {line.LineNumber}: {line.PartnerId} is not a partner of {vendorId}."));
        if (unknown.Count > 0) return (null, new(400, unknown, "The revenue file names unknown partners; nothing was credited."));

        int booked = 0, already = 0;
        var rejected = new List<Refusal>();
        var outcomes = new List<AccrualLineOutcome>();
        foreach (var line in lines.Value!)
        {
            string what;
            if (line.Command(period!, by, clock.GetUtcNow()) is not { } command) what = "nothing to credit";
            else
            {
                var outcome = await ledger.ExecuteAsync(new FundKey(vendorId, program.Id, line.PartnerId).FundId, program.Currency, command, ct);
                if (outcome.Decision.Refusal is { } r) { rejected.Add(r with { Message = $"Line {line.LineNumber}: {r.Message}" }); what = r.Message; }
                else if (outcome.Decision.IsNoOp) { already++; what = "already credited"; }
                else { booked++; what = "credited"; }
            }
            outcomes.Add(new(line.LineNumber, line.PartnerId, line.Revenue, line.Accrued, what));
        }
        return (new AccrualImportOutcome(new AccrualResult(booked, already, rejected), outcomes), null);
    }

    [GeneratedRegex("^[0-9]{4}-(0[1-9]|1[0-2]|Q[1-4]|H[12])$")]
    private static partial Regex Period();
}
