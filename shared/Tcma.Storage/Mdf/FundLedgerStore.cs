using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Mdf;

/// <summary>What happened to a command against a fund, and the balance it left.</summary>
public sealed record FundOutcome(FundDecision Decision, FundBalance Balance, int Attempts);

/// <summary>
/// A partner's fund in one partition of the <c>Funds</c> table: the balance row (a cache of the ledger's fold) and
/// one row per ledger entry, keyed by sequence. Every command is decided on the balance as read and committed with
/// its entries in one entity-group transaction under the balance row's ETag, so concurrent requests, approvals and
/// claims serialise on the fund: none can overspend it, and no entry is lost or written twice.
/// </summary>
public sealed class FundLedgerStore(StorageAccount storage)
{
    public const string TableName = "Funds";
    private const string BalanceRow = "balance";
    /// <summary>Table string properties hold 32K UTF-16 characters; the balance's per-request maps can outgrow one.</summary>
    private const int ChunkChars = 30_000;
    private const int MaxAttempts = 50;

    public static string EntryRow(long sequence) => $"e:{sequence:D12}";

    public async Task<FundBalance> GetAsync(string fundId, Currency currency, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(fundId, "fund id"), BalanceRow, cancellationToken: cancellationToken);
        return row.HasValue ? ReadBalance(row.Value!) : FundBalance.Empty(fundId, currency);
    }

    /// <summary>The ledger as written, in order: the audit trail finance reads, and the source the balance must always equal.</summary>
    public async Task<IReadOnlyList<LedgerEntry>> EntriesAsync(string fundId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var entries = new List<LedgerEntry>();
        var partition = TableKeys.Check(fundId, "fund id");
        await foreach (var row in table.QueryAsync<TableEntity>(e => e.PartitionKey == partition && e.RowKey.CompareTo("e:") >= 0 && e.RowKey.CompareTo("e;") < 0, cancellationToken: cancellationToken))
            entries.Add(MdfJson.Read<LedgerEntry>(row.GetString("Entry")));
        return entries;
    }

    public async Task<FundOutcome> ExecuteAsync(string fundId, Currency currency, FundCommand command, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var partition = TableKeys.Check(fundId, "fund id");
        for (var attempt = 1; ; attempt++)
        {
            var row = await table.GetEntityIfExistsAsync<TableEntity>(partition, BalanceRow, cancellationToken: cancellationToken);
            var balance = row.HasValue ? ReadBalance(row.Value!) : FundBalance.Empty(fundId, currency);
            var decision = FundLedger.Decide(balance, command);
            if (decision.IsRefused || decision.IsNoOp) return new FundOutcome(decision, balance, attempt);

            var next = decision.ApplyTo(balance);
            var batch = new TableBatch();
            var balanceRow = WriteBalance(partition, next);
            if (row.HasValue) batch.UpdateReplace(balanceRow, row.Value!.ETag);
            else batch.Add(balanceRow);
            foreach (var entry in decision.Entries)
                batch.Add(new TableEntity(partition, EntryRow(entry.Sequence)) { ["Entry"] = MdfJson.Write(entry), ["Kind"] = entry.Kind.ToString() });
            try
            {
                await batch.SubmitAsync(table, cancellationToken);
                return new FundOutcome(decision, next, attempt);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Someone else moved the fund first: decide again on what is really there.
                if (attempt >= MaxAttempts) throw new ConcurrencyConflictException($"fund {fundId} kept changing: gave up after {attempt} attempts", e);
                await OptimisticConcurrency.BackoffAsync(attempt, cancellationToken);
            }
        }
    }

    /// <summary>Every fund that has a balance row: for runs that visit all funds, such as period-end expiry.</summary>
    public async IAsyncEnumerable<string> ListFundIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey eq {BalanceRow}"), select: ["PartitionKey"], cancellationToken: cancellationToken))
            yield return row.PartitionKey;
    }

    private static TableEntity WriteBalance(string partition, FundBalance balance)
    {
        var json = MdfJson.Write(balance);
        var entity = new TableEntity(partition, BalanceRow) { ["Chunks"] = (json.Length + ChunkChars - 1) / ChunkChars };
        for (int i = 0, offset = 0; offset < json.Length; i++, offset += ChunkChars)
            entity[$"Balance{i}"] = json.Substring(offset, Math.Min(ChunkChars, json.Length - offset));
        return entity;
    }

    private static FundBalance ReadBalance(TableEntity row)
    {
        var json = new StringBuilder();
        for (var i = 0; i < row.GetInt32("Chunks"); i++) json.Append(row.GetString($"Balance{i}"));
        return MdfJson.Read<FundBalance>(json.ToString());
    }
}
