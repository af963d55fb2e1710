using System.Security.Cryptography;
using System.Text;
using Tcma.Domain.Mdf;
using Tcma.Storage;
using Tcma.Storage.Mdf;
using Tcma.Storage.Partners;

namespace Tcma.Functions.Mdf;

/// <summary>Why finance's action did not happen, as a stable code, an HTTP status and a sentence for the person.</summary>
public sealed record PayoutProblem(int Status, string Code, string Message);

public sealed record PayoutPaidResult(StoredPayout? Payout, bool Changed, PayoutProblem? Problem);

/// <summary>
/// What the API and the console share: exporting owed payouts with partner names, and recording a payment on the
/// payout and on the fund's ledger so the partner's figures show it as paid.
/// </summary>
public sealed class PayoutService(PayoutStore payouts, FundLedgerStore funds, PartnerDirectory partners, IServiceProvider services, TimeProvider clock, ILogger<PayoutService> logger)
{
    public const int MaxReferenceLength = 100;
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>An export id: derived from the caller's idempotency key (so a repeat finds the same export), or fresh.</summary>
    public string ExportIdFor(string? idempotencyKey)
    {
        if (idempotencyKey is null) return $"{clock.GetUtcNow():yyyyMMdd-HHmmss}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        return "k-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..32];
    }

    public static PayoutProblem? CheckIdempotencyKey(string? key) =>
        key is not null && (key.Length is 0 or > MaxIdempotencyKeyLength || key.Any(char.IsControl))
            ? new PayoutProblem(StatusCodes.Status400BadRequest, "payout_export.idempotency_key", $"The Idempotency-Key header must be 1-{MaxIdempotencyKeyLength} printable characters.")
            : null;

    public Task<PayoutExportOutcome> ExportAsync(string vendorId, string exportId, string by, CancellationToken cancellationToken) =>
        payouts.ExportAsync(vendorId, exportId, by, clock.GetUtcNow(), (ids, ct) => NamesAsync(vendorId, ids, ct), cancellationToken);

    private async Task<IReadOnlyDictionary<string, string>> NamesAsync(string vendorId, IReadOnlyCollection<string> partnerIds, CancellationToken cancellationToken)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in partnerIds)
            if (TableKeys.IsValid(id) && await partners.GetAsync(vendorId, id, cancellationToken) is { } partner)
                names[id] = partner.Partner.CompanyName;
        return names;
    }

    public static PayoutProblem? CheckReference(string? reference) =>
        string.IsNullOrWhiteSpace(reference) || reference.Trim().Length > MaxReferenceLength || reference.Any(char.IsControl)
            ? new PayoutProblem(StatusCodes.Status400BadRequest, "payout.reference", $"Give the ERP's payment reference: 1-{MaxReferenceLength} characters on one line.")
            : null;

    /// <summary>
    /// The payout row takes the reference first (its ETag lets only one reference ever win), then the fund's ledger
    /// books the payment with the reference the row holds. Both steps are idempotent, so a crash between them is
    /// repaired by sending the same request again, and any later attempt, whatever its reference, completes the
    /// ledger for the reference that won.
    /// </summary>
    public async Task<PayoutPaidResult> MarkPaidAsync(string vendorId, string claimId, string reference, string by, CancellationToken cancellationToken, Actor? financeUser = null)
    {
        if (CheckReference(reference) is { } bad) return new(null, false, bad);
        reference = reference.Trim();
        if (claimId.Length > 200 || !TableKeys.IsValid(claimId))
            return new(null, false, new(StatusCodes.Status404NotFound, "payout.not_found", "There is no payout for this claim."));
        var now = clock.GetUtcNow();
        var marked = await payouts.MarkPaidAsync(vendorId, claimId, reference, by, now, cancellationToken);
        switch (marked.Kind)
        {
            case PayoutPaidKind.NotFound:
                return new(null, false, new(StatusCodes.Status404NotFound, "payout.not_found", $"There is no payout for claim {claimId}."));
            case PayoutPaidKind.NotExported:
                return new(marked.Payout, false, new(StatusCodes.Status409Conflict, "payout.not_exported",
                    $"The payout for claim {claimId} is not in an ERP export yet: export it, pay it in the ERP, then mark it paid."));
        }
        var payout = marked.Payout!;
        var booked = await funds.ExecuteAsync(payout.Payout.FundId, payout.Payout.Amount.Currency,
            new PayClaim(claimId, payout.Payout.Amount, payout.PaymentReference!, payout.PaidBy ?? by, payout.PaidAt ?? now), cancellationToken);
        if (booked.Decision.Refusal is { } refusal)
        {
            // The ERP paid but the fund disagrees on the amount: finance must look at it, so say it loudly.
            logger.LogError("Payout {ClaimId} of {Vendor} is marked paid but the fund {Fund} refused the payment: {Refusal}", claimId, vendorId, payout.Payout.FundId, refusal);
            return new(payout, false, new(StatusCodes.Status409Conflict, refusal.Code, refusal.Message));
        }
        if (financeUser is not null && marked.Kind != PayoutPaidKind.OtherReference)
            await TellClaimAsync(vendorId, claimId, payout.PaymentReference!, financeUser, cancellationToken);
        return marked.Kind switch
        {
            PayoutPaidKind.OtherReference => new(payout, false, new(StatusCodes.Status409Conflict, "payout.already_paid",
                $"The payout for claim {claimId} was already marked paid with reference {payout.PaymentReference}.")),
            _ => new(payout, marked.Kind == PayoutPaidKind.Marked, null),
        };
    }

    /// <summary>
    /// The claim's own workflow hears of the payment too, so the partner sees it Paid and is told; its ledger booking
    /// finds the payment already made. Repeating it (a retried mark-paid) changes nothing.
    /// </summary>
    private async Task TellClaimAsync(string vendorId, string claimId, string reference, Actor financeUser, CancellationToken ct)
    {
        var mdf = services.GetRequiredService<MdfService>();
        var outcome = await mdf.ActOnClaimAsync(vendorId, claimId, new MarkClaimPaid(reference, financeUser), $"paid:{claimId}", ct);
        // Finance who is not named in this program's claim chain still paid it in the ERP: recorded on their behalf.
        if (outcome.Refusals.Any(r => r.Code == "claim.not_finance"))
            outcome = await mdf.ActOnClaimAsync(vendorId, claimId, new MarkClaimPaid(reference, Actor.System($"payouts, marked by {financeUser.UserId}")), $"paid:{claimId}", ct);
        if (outcome.Refusals is { Count: > 0 } refusals)
            logger.LogWarning("Payout {ClaimId} of {Vendor} is paid but its claim was not marked paid: {Refusals}", claimId, vendorId, string.Join("; ", refusals.Select(r => r.Message)));
    }
}
