namespace Tcma.Domain.Mdf;

/// <summary>Every kind of movement of a fund's money. See README.md for how each one moves the figures.</summary>
public enum LedgerEntryKind { Allocated, Accrued, Reserved, ReservationReleased, Claimed, ClaimReleased, Paid, Expired, Adjusted }

/// <summary>Why money moved, and who moved it when: the audit trail finance reads.</summary>
public sealed record LedgerCause(string By, DateTimeOffset At, string Reason, string? RequestId = null, string? ClaimId = null, string? OperationId = null);

/// <summary>
/// One movement of a fund. Amounts are positive, except <see cref="LedgerEntryKind.Adjusted"/> (signed) and
/// <see cref="LedgerEntryKind.Expired"/> (zero allowed: it also closes the fund).
/// <para>
/// <see cref="Sequence"/> numbers a fund's entries 1, 2, 3… without gaps. Storage keeps the balance row and the
/// entries in the fund's one partition (RowKey = the zero-padded sequence) and writes the new balance and the new
/// entries in one entity-group transaction under the balance row's ETag: two writers deciding from the same
/// balance produce the same sequence numbers, so the loser fails on the ETag (and on the RowKey insert) and
/// re-decides from the fresh balance. No entry is ever written without the balance that includes it.
/// </para>
/// </summary>
public sealed record LedgerEntry(string FundId, long Sequence, LedgerEntryKind Kind, Money Amount, LedgerCause Cause);
