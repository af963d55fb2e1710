namespace Tcma.Domain.Mdf;

/// <summary>
/// An approved claim owed to a partner, waiting for finance's ERP export. <see cref="Reference"/> is what the partner
/// sees on the remittance and what finance quotes back when marking it paid.
/// </summary>
public sealed record Payout(string ClaimId, string RequestId, string PartnerId, string FundId, Money Amount, string GlCode, string Reference, DateTimeOffset ApprovedAt);
