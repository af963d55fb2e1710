using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Mdf;

/// <summary>What expiry needs to know about a partner's fund: whose it is, and the period whose end expires it.</summary>
public sealed record FundSchedule(string VendorId, string PartnerId, string FundId, string ProgramId, string ProgramName, ProgramPeriod Period, Currency Currency);

/// <summary>A registered fund and how far its end-of-period work has gone.</summary>
public sealed record ScheduledFund(FundSchedule Schedule, bool Expired, int? LastReminderDaysBefore, string ETag);

/// <summary>
/// The funds that expire, one partition of the <c>FundExpiries</c> table per vendor, a row per fund (<c>f:{fundId}</c>)
/// with its period's end. Whoever creates a fund registers it here (idempotent); the daily expiry run reads the rows
/// not yet expired, books the expiry on the fund's ledger and then marks the row, so a run that dies half-way is
/// finished by the next one and nothing expires twice (the ledger's own expiry is idempotent too).
/// </summary>
public sealed class ExpiryStore(StorageAccount storage)
{
    public const string TableName = "FundExpiries";

    public static string FundRow(string fundId) => "f:" + TableKeys.Check(fundId, "fund id");

    /// <summary>Registers a fund once; registering it again (a replayed allocation) changes nothing.</summary>
    public async Task RegisterAsync(FundSchedule schedule, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var row = new TableEntity(TableKeys.Check(schedule.VendorId, "vendor id"), FundRow(schedule.FundId))
        {
            ["Schedule"] = MdfJson.Write(schedule),
            ["ExpiresAt"] = schedule.Period.ExpiresAt,
            ["Expired"] = false,
        };
        try
        {
            await table.AddEntityAsync(row, cancellationToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
        }
    }

    public async Task<IReadOnlyList<ScheduledFund>> ListAsync(string vendorId, CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var funds = new List<ScheduledFund>();
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"f:"} and RowKey lt {"f;"}"), cancellationToken: cancellationToken))
            funds.Add(Read(row));
        return funds;
    }

    /// <summary>The ids of every registered fund, expired or not.</summary>
    public async Task<HashSet<string>> RegisteredFundIdsAsync(CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"RowKey ge {"f:"} and RowKey lt {"f;"}"), select: ["RowKey"], cancellationToken: cancellationToken))
            ids.Add(row.RowKey[2..]);
        return ids;
    }

    /// <summary>Every vendor's funds not yet expired whose period ends before <paramref name="before"/>: the work of a run.</summary>
    public async IAsyncEnumerable<ScheduledFund> OpenEndingBeforeAsync(DateTimeOffset before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"Expired eq {false} and ExpiresAt lt {before}"), cancellationToken: cancellationToken))
            if (row.RowKey.StartsWith("f:", StringComparison.Ordinal)) yield return Read(row);
    }

    public Task<bool> MarkExpiredAsync(string vendorId, string fundId, CancellationToken cancellationToken = default) =>
        UpdateAsync(vendorId, fundId, row => row.GetBoolean("Expired") == true ? null : Copy(row, expired: true, Reminder(row)), cancellationToken);

    /// <summary>Records the reminder sent last; an older one (a late run racing a newer) never overwrites a newer.</summary>
    public Task<bool> MarkRemindedAsync(string vendorId, string fundId, int daysBefore, CancellationToken cancellationToken = default) =>
        UpdateAsync(vendorId, fundId, row => Reminder(row) is { } last && last <= daysBefore ? null : Copy(row, row.GetBoolean("Expired") == true, daysBefore), cancellationToken);

    private async Task<bool> UpdateAsync(string vendorId, string fundId, Func<TableEntity, TableEntity?> change, CancellationToken cancellationToken)
    {
        var table = await storage.TableAsync(TableName, cancellationToken);
        var update = await table.UpdateAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), FundRow(fundId),
            current => current is null ? null : change(current), cancellationToken: cancellationToken);
        return update.Written;
    }

    private static int? Reminder(TableEntity row) => row.GetInt32("LastReminder");

    private static TableEntity Copy(TableEntity row, bool expired, int? lastReminder)
    {
        var next = new TableEntity(row.PartitionKey, row.RowKey)
        {
            ["Schedule"] = row.GetString("Schedule"), ["ExpiresAt"] = row.GetDateTimeOffset("ExpiresAt"), ["Expired"] = expired,
        };
        if (lastReminder is not null) next["LastReminder"] = lastReminder.Value;
        return next;
    }

    private static ScheduledFund Read(TableEntity row) =>
        new(MdfJson.Read<FundSchedule>(row.GetString("Schedule")), row.GetBoolean("Expired") == true, Reminder(row), row.ETag.ToString());
}
