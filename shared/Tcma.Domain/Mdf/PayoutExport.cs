namespace Tcma.Domain.Mdf;

/// <summary>One ERP file: its text and the claims it contains (to record as exported in the same step as storing the file).</summary>
public sealed record PayoutExportFile(string ExportId, string Csv, IReadOnlyList<Payout> Payouts)
{
    public bool IsEmpty => Payouts.Count == 0;
}

/// <summary>Finance's export of approved payouts for the ERP. A claim is exported at most once, whatever is passed in.</summary>
public static class PayoutExport
{
    public static readonly string[] Header = ["partner_id", "partner_name", "amount", "currency", "reference", "gl_code", "claim_id", "request_id"];

    /// <param name="approved">Approved payouts (duplicates and already-exported ones are dropped).</param>
    /// <param name="alreadyExported">Claim ids of every earlier export.</param>
    /// <param name="partnerNames">Display names by partner id; a missing name falls back to the id.</param>
    public static PayoutExportFile Build(string exportId, IEnumerable<Payout> approved, IReadOnlySet<string> alreadyExported, IReadOnlyDictionary<string, string> partnerNames)
    {
        var payouts = approved
            .Where(p => !alreadyExported.Contains(p.ClaimId))
            .DistinctBy(p => p.ClaimId)
            .OrderBy(p => p.PartnerId, StringComparer.Ordinal).ThenBy(p => p.ClaimId, StringComparer.Ordinal)
            .ToList();
        var csv = CsvText.Line(Header) + string.Concat(payouts.Select(p => CsvText.Line(
        [
            p.PartnerId, partnerNames.GetValueOrDefault(p.PartnerId, p.PartnerId), p.Amount.ToInvariantString(), p.Amount.Currency.Code,
            p.Reference, p.GlCode, p.ClaimId, p.RequestId,
        ])));
        return new(exportId, csv, payouts);
    }

    /// <summary>Totals per currency, for the confirmation finance reads before sending the file.</summary>
    public static IReadOnlyList<Money> Totals(PayoutExportFile file) =>
        file.Payouts.GroupBy(p => p.Amount.Currency.Code, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Aggregate(Money.Zero(g.First().Amount.Currency), (t, p) => t + p.Amount)).ToList();
}
