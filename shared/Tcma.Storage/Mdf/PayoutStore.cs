using Azure;
using Azure.Data.Tables;
using Azure.Storage.Blobs.Models;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Mdf;

public enum PayoutStatus { Owed, Exported, Paid }

/// <summary>A payout as finance sees it: owed until exported to the ERP, then paid once finance quotes the payment reference.</summary>
public sealed record StoredPayout(
    Payout Payout, PayoutStatus Status, string? ExportId, DateTimeOffset? ExportedAt,
    string? PaymentReference, DateTimeOffset? PaidAt, string? PaidBy, string ETag);

/// <summary>One ERP file as recorded: who made it, when, what it holds, and the blob with the CSV.</summary>
public sealed record StoredPayoutExport(
    string ExportId, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<string> ClaimIds, IReadOnlyList<Money> Totals, string BlobName);

/// <summary>What an export did: the file recorded (null when nothing was owed), whether it was made by this call, and how many payouts still wait.</summary>
public sealed record PayoutExportOutcome(StoredPayoutExport? Export, bool Created, int Remaining);

public enum PayoutPaidKind { Marked, AlreadyPaid, OtherReference, NotExported, NotFound }

public sealed record PayoutPaidOutcome(PayoutPaidKind Kind, StoredPayout? Payout);

/// <summary>
/// The payouts finance owes, one partition of the <c>Payouts</c> table per vendor: a row per claim (<c>p:{claimId}</c>)
/// and a row per ERP export (<c>x:{exportId}</c>). An export records itself and flips every payout it contains from
/// owed to exported in one entity-group transaction guarded by each payout row's ETag, so two finance users exporting
/// at once can never put the same claim in two files: one batch lands, the other re-reads and exports what is left.
/// </summary>
public sealed class PayoutStore(StorageAccount storage)
{
    public const string TableName = "Payouts";
    /// <summary>ERP files live beside the other large payloads, under their own prefix.</summary>
    public const string ExportContainer = PayloadStore.DefaultContainer;
    /// <summary>A transaction holds 100 entities: the export row and at most 99 payouts. Finance exports again for the rest.</summary>
    public const int MaxPerExport = 99;
    private const int MaxAttempts = 20;

    public static string PayoutRow(string claimId) => "p:" + TableKeys.Safe(claimId);
    public static string ExportRow(string exportId) => "x:" + TableKeys.Safe(exportId);

    /// <summary>Records an approved claim as owed. Idempotent by claim: a replayed approval adds nothing and changes nothing.</summary>
    public async Task AddAsync(string vendorId, Payout payout, CancellationToken cancellationToken = default)
    {
        if (!payout.Amount.IsPositive) throw new ArgumentException($"payout for claim {payout.ClaimId} must be positive, not {payout.Amount}", nameof(payout));
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = new TableEntity(Partition(vendorId), PayoutRow(payout.ClaimId))
        {
            ["Payout"] = MdfJson.Write(payout),
            ["Status"] = nameof(PayoutStatus.Owed),
        };
        TableBatch.CheckEntity(row);
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            // Already recorded (and maybe exported or paid since): the first record stands.
        }
    }

    public async Task<StoredPayout?> GetAsync(string vendorId, string claimId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition(vendorId), PayoutRow(claimId), cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    /// <summary>Every payout of the vendor (optionally of one status), oldest approval first.</summary>
    public async Task<IReadOnlyList<StoredPayout>> ListAsync(string vendorId, PayoutStatus? status = null, CancellationToken cancellationToken = default) =>
        (await RowsAsync(vendorId, status, cancellationToken)).Select(Read).OrderBy(p => p.Payout.ApprovedAt).ThenBy(p => p.Payout.ClaimId, StringComparer.Ordinal).ToList();

    public Task<IReadOnlyList<StoredPayout>> ListUnexportedAsync(string vendorId, CancellationToken cancellationToken = default) =>
        ListAsync(vendorId, PayoutStatus.Owed, cancellationToken);

    public async Task<StoredPayoutExport?> GetExportAsync(string vendorId, string exportId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(Partition(vendorId), ExportRow(exportId), cancellationToken: cancellationToken);
        return row.HasValue ? ReadExport(row.Value!) : null;
    }

    public async Task<IReadOnlyList<StoredPayoutExport>> ListExportsAsync(string vendorId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var partition = Partition(vendorId);
        var exports = new List<StoredPayoutExport>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"x:"} and RowKey lt {"x;"}"), cancellationToken: cancellationToken))
            exports.Add(ReadExport(row));
        return exports.OrderByDescending(x => x.CreatedAt).ToList();
    }

    /// <summary>The CSV of a recorded export, exactly as it was when the export was recorded.</summary>
    public async Task<byte[]?> DownloadAsync(string vendorId, string exportId, CancellationToken cancellationToken = default)
    {
        if (await GetExportAsync(vendorId, exportId, cancellationToken) is not { } export) return null;
        var container = await storage.ContainerAsync(ExportContainer, cancellationToken);
        return (await container.GetBlobClient(export.BlobName).DownloadContentAsync(cancellationToken)).Value.Content.ToArray();
    }

    /// <summary>
    /// Exports up to <see cref="MaxPerExport"/> owed payouts, oldest first, as one ERP file. The CSV goes to a blob
    /// under a name unique to this attempt first, then the export row and the payouts' new status commit together:
    /// a crash in between leaves only an unreferenced blob, and a lost race leaves the winner's file untouched.
    /// The same <paramref name="exportId"/> again returns the recorded export (a double submit exports once).
    /// </summary>
    /// <param name="partnerNames">Display names for the partners of the payouts about to be exported.</param>
    public async Task<PayoutExportOutcome> ExportAsync(
        string vendorId, string exportId, string by, DateTimeOffset at,
        Func<IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlyDictionary<string, string>>> partnerNames,
        CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var container = await storage.ContainerAsync(ExportContainer, cancellationToken);
        var partition = Partition(vendorId);
        for (var attempt = 1; ; attempt++)
        {
            if (await GetExportAsync(vendorId, exportId, cancellationToken) is { } existing)
                return new PayoutExportOutcome(existing, Created: false, (await RowsAsync(vendorId, PayoutStatus.Owed, cancellationToken)).Count);

            var owed = (await RowsAsync(vendorId, PayoutStatus.Owed, cancellationToken))
                .Select(r => (Row: r, Stored: Read(r)))
                .OrderBy(p => p.Stored.Payout.ApprovedAt).ThenBy(p => p.Stored.Payout.ClaimId, StringComparer.Ordinal)
                .ToList();
            if (owed.Count == 0) return new PayoutExportOutcome(null, Created: false, 0);
            var chosen = owed.Take(MaxPerExport).ToList();
            var payouts = chosen.Select(p => p.Stored.Payout).ToList();
            var names = await partnerNames(payouts.Select(p => p.PartnerId).Distinct(StringComparer.Ordinal).ToList(), cancellationToken);
            var file = PayoutExport.Build(exportId, payouts, new HashSet<string>(), names);

            var blobName = $"payout-exports/{TableKeys.Safe(vendorId)}/{TableKeys.Safe(exportId)}/{Guid.NewGuid():N}.csv";
            await container.GetBlobClient(blobName).UploadAsync(BinaryData.FromString(file.Csv),
                new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv; charset=utf-8" } }, cancellationToken);

            var export = new StoredPayoutExport(exportId, by, at, file.Payouts.Select(p => p.ClaimId).ToList(), PayoutExport.Totals(file), blobName);
            var batch = new TableBatch();
            batch.Add(new TableEntity(partition, ExportRow(exportId))
            {
                ["ExportId"] = exportId, ["CreatedBy"] = by, ["CreatedAt"] = at, ["BlobName"] = blobName,
                ["ClaimIds"] = System.Text.Json.JsonSerializer.Serialize(export.ClaimIds), ["Totals"] = MdfJson.Write(export.Totals),
            });
            foreach (var (row, _) in chosen)
            {
                var next = new TableEntity(row.PartitionKey, row.RowKey)
                {
                    ["Payout"] = row.GetString("Payout"), ["Status"] = nameof(PayoutStatus.Exported), ["ExportId"] = exportId, ["ExportedAt"] = at,
                };
                batch.UpdateReplace(next, row.ETag);
            }
            try
            {
                await batch.SubmitAsync(table, cancellationToken);
                return new PayoutExportOutcome(export, Created: true, owed.Count - chosen.Count);
            }
            catch (RequestFailedException e) when (e.Status is 409 or 412)
            {
                // Another export took some of these payouts (or this export id) first: this file was never recorded.
                await container.GetBlobClient(blobName).DeleteIfExistsAsync(cancellationToken: cancellationToken);
                if (attempt >= MaxAttempts) throw new ConcurrencyConflictException($"payouts of {vendorId} kept changing: gave up exporting after {attempt} attempts", e);
                await OptimisticConcurrency.BackoffAsync(attempt, cancellationToken);
            }
        }
    }

    /// <summary>
    /// Records the payment finance made in the ERP. Only an exported payout can be paid (what is paid must be in a
    /// file the ERP received); the same reference again is a no-op, another reference for a paid payout a conflict.
    /// The fund's ledger is booked by the caller before this, so a crash in between is repaired by a retry.
    /// </summary>
    public async Task<PayoutPaidOutcome> MarkPaidAsync(string vendorId, string claimId, string reference, string by, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        PayoutPaidKind kind = PayoutPaidKind.NotFound;
        var update = await table.UpdateAsync<TableEntity>(Partition(vendorId), PayoutRow(claimId), current =>
        {
            if (current is null) { kind = PayoutPaidKind.NotFound; return null; }
            var stored = Read(current);
            switch (stored.Status)
            {
                case PayoutStatus.Owed: kind = PayoutPaidKind.NotExported; return null;
                case PayoutStatus.Paid:
                    kind = string.Equals(stored.PaymentReference, reference, StringComparison.Ordinal) ? PayoutPaidKind.AlreadyPaid : PayoutPaidKind.OtherReference;
                    return null;
            }
            kind = PayoutPaidKind.Marked;
            return new TableEntity(current.PartitionKey, current.RowKey)
            {
                ["Payout"] = current.GetString("Payout"), ["Status"] = nameof(PayoutStatus.Paid), ["ExportId"] = stored.ExportId, ["ExportedAt"] = stored.ExportedAt,
                ["PaymentReference"] = reference, ["PaidAt"] = at, ["PaidBy"] = by,
            };
        }, cancellationToken: cancellationToken);
        return new PayoutPaidOutcome(kind, update.Entity is null ? null : Read(update.Entity));
    }

    private async Task<List<TableEntity>> RowsAsync(string vendorId, PayoutStatus? status, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var partition = Partition(vendorId);
        var filter = status is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"p:"} and RowKey lt {"p;"}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"p:"} and RowKey lt {"p;"} and Status eq {status.Value.ToString()}");
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken)) rows.Add(row);
        return rows;
    }

    private static string Partition(string vendorId) => TableKeys.Check(vendorId, "vendor id");

    private static StoredPayout Read(TableEntity row) => new(
        MdfJson.Read<Payout>(row.GetString("Payout")),
        Enum.Parse<PayoutStatus>(row.GetString("Status")),
        row.GetString("ExportId"), row.GetDateTimeOffset("ExportedAt"),
        row.GetString("PaymentReference"), row.GetDateTimeOffset("PaidAt"), row.GetString("PaidBy"),
        row.ETag.ToString());

    private static StoredPayoutExport ReadExport(TableEntity row) => new(
        row.GetString("ExportId"), row.GetString("CreatedBy"), row.GetDateTimeOffset("CreatedAt") ?? default,
        System.Text.Json.JsonSerializer.Deserialize<List<string>>(row.GetString("ClaimIds")) ?? [],
        MdfJson.Read<List<Money>>(row.GetString("Totals")), row.GetString("BlobName"));
}
