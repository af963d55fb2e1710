using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace Tcma.Domain.Mdf;

/// <summary>The figures a partner and a vendor see; they always satisfy allocated + accrued + adjusted = available + reserved + claimed + paid + expired.</summary>
public sealed record FundFigures(Money Allocated, Money Accrued, Money Adjusted, Money Reserved, Money Claimed, Money Paid, Money Expired, Money Available)
{
    [JsonIgnore] public Money TotalIn => Allocated + Accrued + Adjusted;
    [JsonIgnore] public Money TotalAccountedFor => Available + Reserved + Claimed + Paid + Expired;
}

/// <summary>What the fund still owes on one claim: <see cref="Outstanding"/> until it is paid or released.</summary>
public sealed record ClaimFunds(string RequestId, Money Outstanding, bool Paid);

/// <summary>
/// A partner's fund in one program, derived only from its ledger: <see cref="Apply"/> folds one entry, and the stored
/// balance row is a cache of that fold (a test proves the two never differ). The per-request and per-claim maps are
/// what make every command idempotent and every release bounded; storage may keep them as rows in the same partition.
/// </summary>
public sealed record FundBalance
{
    public required string FundId { get; init; }
    public required Currency Currency { get; init; }
    public required Money Allocated { get; init; }
    public required Money Accrued { get; init; }
    public required Money Adjusted { get; init; }
    /// <summary>Held for requests that are pending or approved and not yet claimed.</summary>
    public required Money Reserved { get; init; }
    /// <summary>Claimed and not yet paid (submitted or approved claims).</summary>
    public required Money Claimed { get; init; }
    public required Money Paid { get; init; }
    public required Money Expired { get; init; }
    /// <summary>The sequence of the last entry folded in; the next entry is <c>Sequence + 1</c>.</summary>
    public long Sequence { get; init; }
    public bool IsExpired { get; init; }
    public ImmutableDictionary<string, Money> ReservedByRequest { get; init; } = ImmutableDictionary<string, Money>.Empty;
    public ImmutableDictionary<string, ClaimFunds> Claims { get; init; } = ImmutableDictionary<string, ClaimFunds>.Empty;
    public ImmutableHashSet<string> Operations { get; init; } = [];

    [JsonIgnore] public Money Available => Allocated + Accrued + Adjusted - Reserved - Claimed - Paid - Expired;

    [JsonIgnore] public FundFigures Figures => new(Allocated, Accrued, Adjusted, Reserved, Claimed, Paid, Expired, Available);

    public static FundBalance Empty(string fundId, Currency currency)
    {
        var zero = Money.Zero(currency);
        return new() { FundId = fundId, Currency = currency, Allocated = zero, Accrued = zero, Adjusted = zero, Reserved = zero, Claimed = zero, Paid = zero, Expired = zero };
    }

    public static FundBalance Fold(string fundId, Currency currency, IEnumerable<LedgerEntry> entries) =>
        entries.Aggregate(Empty(fundId, currency), (balance, entry) => balance.Apply(entry));

    public FundBalance Apply(LedgerEntry e)
    {
        if (e.FundId != FundId) throw new InvalidOperationException($"Entry of fund {e.FundId} applied to fund {FundId}.");
        if (e.Sequence != Sequence + 1) throw new InvalidOperationException($"Fund {FundId}: entry {e.Sequence} applied after {Sequence}; entries must be folded in order without gaps.");
        var next = this with { Sequence = e.Sequence };
        var a = e.Amount;
        return e.Kind switch
        {
            LedgerEntryKind.Allocated => next with { Allocated = Allocated + a, Operations = Operations.Add(e.Cause.OperationId!) },
            LedgerEntryKind.Accrued => next with { Accrued = Accrued + a, Operations = Operations.Add(e.Cause.OperationId!) },
            LedgerEntryKind.Adjusted => next with { Adjusted = Adjusted + a, Operations = Operations.Add(e.Cause.OperationId!) },
            LedgerEntryKind.Reserved => next with { Reserved = Reserved + a, ReservedByRequest = ReservedByRequest.SetItem(e.Cause.RequestId!, ReservedFor(e.Cause.RequestId!) + a) },
            LedgerEntryKind.ReservationReleased => next with { Reserved = Reserved - a, ReservedByRequest = ReservedByRequest.SetItem(e.Cause.RequestId!, ReservedFor(e.Cause.RequestId!) - a) },
            LedgerEntryKind.Claimed => next with
            {
                Reserved = Reserved - a,
                ReservedByRequest = ReservedByRequest.SetItem(e.Cause.RequestId!, ReservedFor(e.Cause.RequestId!) - a),
                Claimed = Claimed + a,
                Claims = Claims.SetItem(e.Cause.ClaimId!, new ClaimFunds(e.Cause.RequestId!, a, Paid: false)),
            },
            LedgerEntryKind.ClaimReleased => next with { Claimed = Claimed - a, Claims = Claims.SetItem(e.Cause.ClaimId!, Claims[e.Cause.ClaimId!] with { Outstanding = Claims[e.Cause.ClaimId!].Outstanding - a }) },
            LedgerEntryKind.Paid => next with { Claimed = Claimed - a, Paid = Paid + a, Claims = Claims.SetItem(e.Cause.ClaimId!, Claims[e.Cause.ClaimId!] with { Outstanding = Claims[e.Cause.ClaimId!].Outstanding - a, Paid = true }) },
            LedgerEntryKind.Expired => next with { Expired = Expired + a, IsExpired = true },
            _ => throw new InvalidOperationException($"Unknown ledger entry kind {e.Kind}."),
        };
    }

    public Money ReservedFor(string requestId) => ReservedByRequest.TryGetValue(requestId, out var m) ? m : Money.Zero(Currency);
}
