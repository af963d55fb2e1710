namespace Tcma.Domain.Mdf;

/// <summary>One partner's accrual from a revenue file: the revenue reported and the share credited to its fund.</summary>
public sealed record AccrualLine(int LineNumber, string PartnerId, Money Revenue, Money Accrued)
{
    /// <summary>
    /// Makes importing the same revenue twice credit once: the ledger ignores an operation id it has booked.
    /// <paramref name="importId"/> names the revenue period reported (e.g. "2026-01"), not the upload, so a re-upload of a corrected file does not double the credit.
    /// </summary>
    public string OperationId(string importId) => $"accrual|{importId}|{PartnerId}";

    /// <summary>What to book on the partner's fund; null when the revenue earns nothing (the ledger books only positive credits).</summary>
    public AccrueFunds? Command(string importId, string by, DateTimeOffset at) =>
        Accrued.IsPositive ? new AccrueFunds(OperationId(importId), Accrued, by, at) : null;
}

/// <summary>Reads the revenue CSV a vendor uploads for an accrual program: <c>partner_id,revenue[,currency]</c>, one partner per line.</summary>
public static class AccrualImport
{
    public const int MaxLines = 50_000;

    public static Checked<IReadOnlyList<AccrualLine>> Read(string csv, MdfProgram program)
    {
        if (!program.FundType.HasFlag(FundType.Accrual))
            return Checked<IReadOnlyList<AccrualLine>>.No(new Refusal("accrual.not_accrual_program", $"{program.Name} has no accrual."));
        var rows = CsvText.Read(csv);
        if (rows is null) return Checked<IReadOnlyList<AccrualLine>>.No(new Refusal("accrual.bad_csv", "The file has a quote that is never closed."));
        if (rows.Count == 0 || !rows[0].Select(h => h.Trim().ToLowerInvariant()).Take(2).SequenceEqual(["partner_id", "revenue"]))
            return Checked<IReadOnlyList<AccrualLine>>.No(new Refusal("accrual.header", "The first line must be the header partner_id,revenue[,currency]."));
        if (rows.Count - 1 > MaxLines)
            return Checked<IReadOnlyList<AccrualLine>>.No(new Refusal("accrual.too_many_lines", $"At most {MaxLines:N0} partners per file."));

        var lines = new List<AccrualLine>();
        var problems = new List<Refusal>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i < rows.Count; i++)
        {
            var row = rows[i];
            var number = i + 1;
            var partner = row[0].Trim();
            if (partner.Length == 0 || partner.Length > 100) { problems.Add(new("accrual.partner", $"Line {number}: the partner id is missing or too long.")); continue; }
            if (!seen.Add(partner)) { problems.Add(new("accrual.duplicate_partner", $"Line {number}: partner {partner} appears twice.")); continue; }
            var text = row.Count > 1 ? row[1] : "";
            if (row.Count > 2 && row[2].Trim().Length > 0) text += " " + row[2].Trim();
            var revenue = MoneyInput.Parse(text, program.Currency, new MoneyRules(Money.Of(1_000_000_000_000m, program.Currency), AllowZero: true));
            if (!revenue.IsValid) { problems.AddRange(revenue.Refusals.Select(r => r with { Message = $"Line {number}: {r.Message}" })); continue; }
            lines.Add(new AccrualLine(number, partner, revenue.Value!, revenue.Value!.TimesRateRoundedDown(program.AccrualRate)));
        }
        return problems.Count > 0 ? Checked<IReadOnlyList<AccrualLine>>.No(problems) : Checked<IReadOnlyList<AccrualLine>>.Ok(lines);
    }
}
