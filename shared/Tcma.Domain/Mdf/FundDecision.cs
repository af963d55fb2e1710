using System.Text.Json.Serialization;
namespace Tcma.Domain.Mdf;

/// <summary>
/// The answer of <see cref="FundLedger.Decide"/>: entries to append (in order, numbered after the balance's
/// sequence), or a refusal with the exact reason. No entries and no refusal is a no-op, with <see cref="NoOpReason"/>
/// saying why (usually: already done).
/// </summary>
public sealed record FundDecision(IReadOnlyList<LedgerEntry> Entries, Refusal? Refusal, string? NoOpReason)
{
    [JsonIgnore] public bool IsRefused => Refusal is not null;
    [JsonIgnore] public bool IsNoOp => Refusal is null && Entries.Count == 0;

    public static FundDecision Append(IReadOnlyList<LedgerEntry> entries) => new(entries, null, null);
    public static FundDecision No(string code, string message) => new([], new Refusal(code, message), null);
    public static FundDecision AlreadyDone(string why) => new([], null, why);

    /// <summary>The balance after these entries (the row storage writes in the same transaction).</summary>
    public FundBalance ApplyTo(FundBalance balance) => Entries.Aggregate(balance, (b, e) => b.Apply(e));
}
