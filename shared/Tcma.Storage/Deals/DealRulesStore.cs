using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Deals;
using Tcma.Domain.Mdf;

namespace Tcma.Storage.Deals;

public enum RulesPublishKind { Published, Conflict }

/// <summary>What a publish came to: the version now in force, or the one someone else published first.</summary>
public sealed record RulesPublishOutcome(RulesPublishKind Kind, RulesOfEngagement? Current);

/// <summary>The vendor's deal settings that are not rules a registration is judged by.</summary>
public sealed record DealSettings(AttributionModel Attribution = AttributionModel.FirstTouch);

/// <summary>
/// Rules of engagement, one partition per vendor: every published version (<c>v000001</c>...) immutable, the
/// <c>current</c> row naming the one in force, and the vendor's <c>settings</c>. A publish writes the new version
/// and moves <c>current</c> in one batch under <c>current</c>'s ETag, so two admins publishing at once get two
/// consecutive versions or one refusal, never one number twice.
/// </summary>
public sealed class DealRulesStore(StorageAccount storage)
{
    public const string TableName = "DealRules";
    private const string CurrentRow = "current", SettingsRow = "settings";

    public async Task<RulesOfEngagement?> CurrentAsync(string vendorId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), CurrentRow, cancellationToken: ct);
        return row.HasValue ? MdfJson.Read<RulesOfEngagement>(row.Value!.GetString("Rules")) : null;
    }

    public async Task<RulesOfEngagement?> VersionAsync(string vendorId, int version, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), VersionRow(version), cancellationToken: ct);
        return row.HasValue ? MdfJson.Read<RulesOfEngagement>(row.Value!.GetString("Rules")) : null;
    }

    /// <summary>Every published version, newest first.</summary>
    public async Task<IReadOnlyList<RulesOfEngagement>> VersionsAsync(string vendorId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var list = new List<RulesOfEngagement>();
        var partition = TableKeys.Check(vendorId, "vendor id");
        await foreach (var row in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {"v"} and RowKey lt {"w"}"), cancellationToken: ct))
            list.Add(MdfJson.Read<RulesOfEngagement>(row.GetString("Rules")));
        return list.OrderByDescending(r => r.Version).ToList();
    }

    /// <summary>
    /// Publishes <paramref name="rules"/> as the next version. <paramref name="basedOn"/> is the version the admin
    /// edited (0: none yet); if another was published since, nothing is written and the current one comes back.
    /// </summary>
    public async Task<RulesPublishOutcome> PublishAsync(string vendorId, RulesOfEngagement rules, int basedOn, string by, DateTimeOffset now, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var partition = TableKeys.Check(vendorId, "vendor id");
        var found = await table.GetEntityIfExistsAsync<TableEntity>(partition, CurrentRow, cancellationToken: ct);
        var current = found.HasValue ? MdfJson.Read<RulesOfEngagement>(found.Value!.GetString("Rules")) : null;
        if ((current?.Version ?? 0) != basedOn) return new(RulesPublishKind.Conflict, current);
        var next = rules with { Version = basedOn + 1, PublishedAt = now, PublishedBy = by };
        var json = MdfJson.Write(next);
        var batch = new TableBatch()
            .Add(new TableEntity(partition, VersionRow(next.Version)) { ["Rules"] = json, ["PublishedAt"] = now, ["PublishedBy"] = by });
        var pointer = new TableEntity(partition, CurrentRow) { ["Rules"] = json, ["Version"] = next.Version };
        if (found.HasValue) batch.UpdateReplace(pointer, found.Value!.ETag); else batch.Add(pointer);
        try
        {
            await batch.SubmitAsync(table, ct);
            return new(RulesPublishKind.Published, next);
        }
        catch (TableTransactionFailedException e) when (e.Status is 409 or 412)
        {
            return new(RulesPublishKind.Conflict, await CurrentAsync(vendorId, ct));
        }
    }

    public async Task<DealSettings> SettingsAsync(string vendorId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), SettingsRow, cancellationToken: ct);
        return row.HasValue ? MdfJson.Read<DealSettings>(row.Value!.GetString("Settings")) : new DealSettings();
    }

    public async Task<DealSettings> SaveSettingsAsync(string vendorId, DealSettings settings, string by, DateTimeOffset now, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(TableName, ct);
        await table.UpdateAsync<TableEntity>(TableKeys.Check(vendorId, "vendor id"), SettingsRow,
            _ => new TableEntity { ["Settings"] = MdfJson.Write(settings), ["UpdatedAt"] = now, ["UpdatedBy"] = by }, cancellationToken: ct);
        return settings;
    }

    private static string VersionRow(int version) => $"v{version:D6}";
}
