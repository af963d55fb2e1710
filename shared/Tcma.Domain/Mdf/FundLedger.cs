namespace Tcma.Domain.Mdf;

/// <summary>
/// The only way money moves: <c>Decide(balance, command)</c> returns the entries to append or the reason not to.
/// Nothing here can make <see cref="FundBalance.Available"/> negative, take more from a request or claim than it
/// holds, or apply the same operation twice.
/// </summary>
public static class FundLedger
{
    public static FundDecision Decide(FundBalance balance, FundCommand command)
    {
        var amount = command switch
        {
            AllocateFunds c => c.Amount, AccrueFunds c => c.Amount, AdjustFunds c => c.Amount, ReserveFunds c => c.Amount,
            ReleaseReservation c => c.KeepReserved, ConvertToClaim c => c.Amount, ReleaseClaim c => c.KeepClaimed, PayClaim c => c.Amount,
            _ => null,
        };
        if (amount is not null && amount.Currency != balance.Currency)
            return FundDecision.No("fund.currency", $"This fund is in {balance.Currency.Code}; {amount} cannot be booked to it.");

        return command switch
        {
            AllocateFunds c => Credit(balance, c, c.OperationId, c.Amount, LedgerEntryKind.Allocated, "allocation"),
            AccrueFunds c => Credit(balance, c, c.OperationId, c.Amount, LedgerEntryKind.Accrued, "accrual on partner revenue"),
            AdjustFunds c => Adjust(balance, c),
            ReserveFunds c => Reserve(balance, c),
            ReleaseReservation c => Release(balance, c),
            ConvertToClaim c => Convert(balance, c),
            ReleaseClaim c => ReleaseClaimed(balance, c),
            PayClaim c => Pay(balance, c),
            ExpireFunds c => Expire(balance, c),
            _ => throw new ArgumentException($"Unknown fund command {command.GetType().Name}.", nameof(command)),
        };
    }

    private static FundDecision Credit(FundBalance b, FundCommand c, string operationId, Money amount, LedgerEntryKind kind, string reason)
    {
        if (b.Operations.Contains(operationId)) return FundDecision.AlreadyDone($"operation {operationId} was already booked");
        if (!amount.IsPositive) return NotPositive(amount);
        if (b.IsExpired) return ExpiredFund(b);
        return Entries(b, (kind, amount, new LedgerCause(c.By, c.At, reason, OperationId: operationId)));
    }

    private static FundDecision Adjust(FundBalance b, AdjustFunds c)
    {
        if (b.Operations.Contains(c.OperationId)) return FundDecision.AlreadyDone($"operation {c.OperationId} was already booked");
        if (c.Amount.IsZero) return NotPositive(c.Amount);
        if (string.IsNullOrWhiteSpace(c.Reason)) return FundDecision.No("fund.adjust_reason", "An adjustment needs a reason on record.");
        if (b.IsExpired) return ExpiredFund(b);
        if (c.Amount.IsNegative && -c.Amount > b.Available)
            return FundDecision.No("fund.insufficient", $"Cannot remove {-c.Amount}: only {b.Available} is available ({Explain(b)}).");
        return Entries(b, (LedgerEntryKind.Adjusted, c.Amount, new LedgerCause(c.By, c.At, c.Reason, OperationId: c.OperationId)));
    }

    private static FundDecision Reserve(FundBalance b, ReserveFunds c)
    {
        if (b.ReservedByRequest.ContainsKey(c.RequestId)) return FundDecision.AlreadyDone($"request {c.RequestId} already holds its reservation");
        if (!c.Amount.IsPositive) return NotPositive(c.Amount);
        if (b.IsExpired) return ExpiredFund(b);
        if (c.Amount > b.Available)
            return FundDecision.No("fund.insufficient", $"Requested {c.Amount} but only {b.Available} is available ({Explain(b)}).");
        return Entries(b, (LedgerEntryKind.Reserved, c.Amount, new LedgerCause(c.By, c.At, "reserved for fund request", RequestId: c.RequestId)));
    }

    private static FundDecision Release(FundBalance b, ReleaseReservation c)
    {
        if (!b.ReservedByRequest.TryGetValue(c.RequestId, out var held))
            return FundDecision.No("fund.unknown_request", $"Nothing was ever reserved for request {c.RequestId}.");
        if (c.KeepReserved.IsNegative) return NotPositive(c.KeepReserved);
        if (c.KeepReserved == held) return FundDecision.AlreadyDone($"request {c.RequestId} already holds exactly {held}");
        if (c.KeepReserved > held)
            return FundDecision.No("fund.release_increase", $"Request {c.RequestId} holds {held}; a release cannot raise it to {c.KeepReserved}.");
        return Returned(b, (LedgerEntryKind.ReservationReleased, held - c.KeepReserved, new LedgerCause(c.By, c.At, c.Reason, RequestId: c.RequestId)));
    }

    private static FundDecision Convert(FundBalance b, ConvertToClaim c)
    {
        if (b.Claims.ContainsKey(c.ClaimId)) return FundDecision.AlreadyDone($"claim {c.ClaimId} is already booked");
        if (!b.ReservedByRequest.TryGetValue(c.RequestId, out var held))
            return FundDecision.No("fund.unknown_request", $"Nothing was ever reserved for request {c.RequestId}.");
        if (!c.Amount.IsPositive) return NotPositive(c.Amount);
        if (c.Amount > held)
            return FundDecision.No("fund.claim_over_reservation", $"The claim asks for {c.Amount} but request {c.RequestId} holds only {held}.");
        var claimed = (LedgerEntryKind.Claimed, c.Amount, new LedgerCause(c.By, c.At, "claimed against the request", c.RequestId, c.ClaimId));
        var rest = held - c.Amount;
        return rest.IsZero
            ? Entries(b, claimed)
            : Returned(b, claimed, (LedgerEntryKind.ReservationReleased, rest, new LedgerCause(c.By, c.At, "unclaimed part of the reservation", c.RequestId, c.ClaimId)));
    }

    private static FundDecision ReleaseClaimed(FundBalance b, ReleaseClaim c)
    {
        if (!b.Claims.TryGetValue(c.ClaimId, out var claim)) return FundDecision.No("fund.unknown_claim", $"Claim {c.ClaimId} is not booked on this fund.");
        if (claim.Paid) return FundDecision.No("fund.claim_paid", $"Claim {c.ClaimId} is already paid; it can no longer be reduced.");
        if (c.KeepClaimed.IsNegative) return NotPositive(c.KeepClaimed);
        if (c.KeepClaimed == claim.Outstanding) return FundDecision.AlreadyDone($"claim {c.ClaimId} already stands at {claim.Outstanding}");
        if (c.KeepClaimed > claim.Outstanding)
            return FundDecision.No("fund.release_increase", $"Claim {c.ClaimId} stands at {claim.Outstanding}; a release cannot raise it to {c.KeepClaimed}.");
        return Returned(b, (LedgerEntryKind.ClaimReleased, claim.Outstanding - c.KeepClaimed, new LedgerCause(c.By, c.At, c.Reason, claim.RequestId, c.ClaimId)));
    }

    private static FundDecision Pay(FundBalance b, PayClaim c)
    {
        if (!b.Claims.TryGetValue(c.ClaimId, out var claim)) return FundDecision.No("fund.unknown_claim", $"Claim {c.ClaimId} is not booked on this fund.");
        if (claim.Paid) return FundDecision.AlreadyDone($"claim {c.ClaimId} is already paid");
        if (claim.Outstanding.IsZero) return FundDecision.No("fund.claim_nothing_to_pay", $"Claim {c.ClaimId} was released in full; there is nothing to pay.");
        if (c.Amount != claim.Outstanding)
            return FundDecision.No("fund.payment_mismatch", $"Claim {c.ClaimId} stands at {claim.Outstanding}, but the payment says {c.Amount}.");
        return Entries(b, (LedgerEntryKind.Paid, c.Amount, new LedgerCause(c.By, c.At, $"paid, reference {c.PaymentReference}", claim.RequestId, c.ClaimId)));
    }

    private static FundDecision Expire(FundBalance b, ExpireFunds c)
    {
        if (b.IsExpired) return FundDecision.AlreadyDone("the fund has already expired");
        if (c.At < c.PeriodEnd) return FundDecision.No("fund.period_not_ended", $"The period ends at {c.PeriodEnd:u}; funds cannot expire before.");
        return Entries(b, (LedgerEntryKind.Expired, b.Available, new LedgerCause(c.By, c.At, "unspent, unreserved funds expired at period end")));
    }

    // Money coming back to an expired fund does not come back to life: it expires in the same breath.
    private static FundDecision Returned(FundBalance b, params (LedgerEntryKind Kind, Money Amount, LedgerCause Cause)[] moves)
    {
        if (!b.IsExpired) return Entries(b, moves);
        var back = moves.Where(m => m.Kind is LedgerEntryKind.ReservationReleased or LedgerEntryKind.ClaimReleased)
            .Aggregate(Money.Zero(b.Currency), (sum, m) => sum + m.Amount);
        var last = moves[^1].Cause;
        return Entries(b, [.. moves, (LedgerEntryKind.Expired, back, last with { Reason = "released after the period ended, so expired" })]);
    }

    private static FundDecision Entries(FundBalance b, params (LedgerEntryKind Kind, Money Amount, LedgerCause Cause)[] moves) =>
        FundDecision.Append(moves.Select((m, i) => new LedgerEntry(b.FundId, b.Sequence + i + 1, m.Kind, m.Amount, m.Cause)).ToList());

    private static FundDecision NotPositive(Money amount) =>
        FundDecision.No("fund.amount_not_positive", $"{amount} is not a valid amount here: it must be more than zero.");

    private static FundDecision ExpiredFund(FundBalance b) =>
        FundDecision.No("fund.expired", $"Fund {b.FundId} has expired; no new money can be reserved or credited.");

    public static string Explain(FundBalance b) =>
        $"allocated {b.Allocated} + accrued {b.Accrued} + adjusted {b.Adjusted} - reserved {b.Reserved} - claimed {b.Claimed} - paid {b.Paid} - expired {b.Expired}";
}
