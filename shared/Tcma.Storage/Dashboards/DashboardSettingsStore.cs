using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Dashboards;

namespace Tcma.Storage.Dashboards;

/// <summary>
/// A vendor's dashboard settings (the engagement score's weights): one row in the counters' table, in a partition of
/// its own beside the vendor's months, so a rebuild that empties a month never touches it.
/// </summary>
public sealed class DashboardSettingsStore(StorageAccount storage)
{
    private const string WeightsRow = "score-weights";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static string PartitionKey(string vendorId) => TableKeys.Safe($"{vendorId}|settings", 300);

    /// <summary>The vendor's weights and their version, or null when it has kept the deployment's defaults.</summary>
    public async Task<(ScoreWeights? Weights, ETag? ETag)> GetWeightsAsync(string vendorId, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(DashboardCounterStore.TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(PartitionKey(vendorId), WeightsRow, cancellationToken: ct);
        return found.HasValue ? (JsonSerializer.Deserialize<ScoreWeights>(found.Value!.GetString("Json"), Json), found.Value.ETag) : (null, null);
    }

    /// <summary>Stores the weights; with <paramref name="ifMatch"/> only over that version (false: someone changed them meanwhile).</summary>
    public async Task<(bool Saved, ETag ETag)> SaveWeightsAsync(string vendorId, ScoreWeights weights, string? ifMatch, CancellationToken ct = default)
    {
        var table = await storage.TableAsync(DashboardCounterStore.TableName, ct);
        var row = new TableEntity(PartitionKey(vendorId), WeightsRow) { ["Json"] = JsonSerializer.Serialize(weights, Json) };
        var etag = await table.ReplaceIfMatchAsync(row, ifMatch, ct);
        return (etag is not null, etag ?? default);
    }
}
