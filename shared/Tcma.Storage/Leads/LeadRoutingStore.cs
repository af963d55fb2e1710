using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;
using Tcma.Domain.Leads;

namespace Tcma.Storage.Leads;

/// <summary>A vendor's routing rules as the vendor sets them; every field has a default, so an unset vendor routes sensibly.</summary>
public sealed record LeadRoutingRules
{
    public IReadOnlyList<RoutingStep> Chain { get; init; } = RoutingContext.DefaultChain;
    public IReadOnlyList<string> TierOrder { get; init; } = [];
    public double SlaHours { get; init; } = 48;
    public IReadOnlyList<double> ReminderHoursBeforeEnd { get; init; } = [24, 4];
    public int MaxHops { get; init; } = 3;

    public static readonly LeadRoutingRules Default = new();

    public SlaSettings ToSla() => new()
    {
        Sla = TimeSpan.FromHours(SlaHours),
        RemindersBeforeEnd = [.. ReminderHoursBeforeEnd.Select(TimeSpan.FromHours)],
        MaxHops = MaxHops,
    };

    /// <summary>Every problem by field; empty when the rules can be stored.</summary>
    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>();
        if (Chain is null || Chain.Any(s => !Enum.IsDefined(s)) || Chain.Count > 4 || Chain.Distinct().Count() != Chain.Count)
            problems["chain"] = ["The chain lists each of AccountOwner, Territory, ProductInterest and Tier at most once."];
        if (TierOrder is null || TierOrder.Count > 20 || TierOrder.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > 60))
            problems["tierOrder"] = ["At most 20 tiers of 1-60 characters, best first."];
        if (!(SlaHours is >= 1 and <= 720))
            problems["slaHours"] = ["The SLA is between 1 and 720 hours."];
        if (ReminderHoursBeforeEnd is null || ReminderHoursBeforeEnd.Count > 5 || ReminderHoursBeforeEnd.Any(h => !(h > 0) || h >= SlaHours))
            problems["reminderHoursBeforeEnd"] = ["At most 5 reminders, each more than 0 hours and less than the SLA before it ends."];
        if (MaxHops is < 1 or > 20)
            problems["maxHops"] = ["Between 1 and 20 partners are tried before the lead goes to your pool."];
        return problems;
    }
}

/// <summary>One routing decision for one offer of a lead: the partner (null: the vendor's pool) and the trail saying why.</summary>
public sealed record StoredRoutingDecision(string LeadId, int Hop, string? PartnerId, IReadOnlyList<RoutingTrailEntry> Trail, DateTimeOffset DecidedAt);

/// <summary>
/// The <c>LeadRouting</c> table, one partition per vendor: the vendor's rules (<c>settings</c>), its round-robin credit
/// (<c>round-robin</c>) and one decision row per lead and hop (<c>d~{lead}~{hop}</c>, the routing trail). The credit and the
/// decision are written in one batch under the credit's ETag, so a decision is taken once and the credit moves once for it,
/// however often the routing message is delivered.
/// </summary>
public sealed class LeadRoutingStore(StorageAccount storage)
{
    public const string TableName = "LeadRouting";
    private const string SettingsRow = "settings";
    private const string RoundRobinRow = "round-robin";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<(LeadRoutingRules Rules, ETag? ETag)> GetRulesAsync(string vendorId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Safe(vendorId), SettingsRow, cancellationToken: ct);
        if (!found.HasValue) return (LeadRoutingRules.Default, null);
        return (JsonSerializer.Deserialize<LeadRoutingRules>(found.Value!.GetString("Json"), Json) ?? LeadRoutingRules.Default, found.Value.ETag);
    }

    /// <summary>Stores the rules; with <paramref name="ifMatch"/> only over that version (false: someone changed them meanwhile).</summary>
    public async Task<(bool Saved, ETag ETag)> SaveRulesAsync(string vendorId, LeadRoutingRules rules, string? ifMatch, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var row = new TableEntity(TableKeys.Safe(vendorId), SettingsRow) { ["Json"] = JsonSerializer.Serialize(rules, Json) };
        var etag = await table.ReplaceIfMatchAsync(row, ifMatch, ct);
        return (etag is not null, etag ?? default);
    }

    public async Task<StoredRoutingDecision?> GetDecisionAsync(string vendorId, string leadId, int hop, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var found = await table.GetEntityIfExistsAsync<TableEntity>(TableKeys.Safe(vendorId), DecisionKey(leadId, hop), cancellationToken: ct);
        return found.HasValue ? Decision(found.Value!) : null;
    }

    /// <summary>Every decision taken for the lead, first hop first: the answer to "why did this lead go there?".</summary>
    public async Task<IReadOnlyList<StoredRoutingDecision>> DecisionsAsync(string vendorId, string leadId, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var prefix = $"d~{leadId}~";
        var list = new List<StoredRoutingDecision>();
        await foreach (var row in table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"PartitionKey eq {TableKeys.Safe(vendorId)} and RowKey ge {prefix} and RowKey lt {prefix + "\uffff"}"), cancellationToken: ct))
            list.Add(Decision(row));
        return list.OrderBy(d => d.Hop).ToList();
    }

    /// <summary>
    /// Takes the decision for this lead and hop exactly once. <paramref name="decide"/> gets the current round-robin
    /// credit and may be called again after a conflict; if a decision for the hop already exists, it is returned unchanged.
    /// </summary>
    public async Task<StoredRoutingDecision> DecideOnceAsync(
        string vendorId, string leadId, int hop, DateTimeOffset now, Func<RoundRobinState, Task<RoutingDecision>> decide, CancellationToken ct)
    {
        var table = await storage.TableAsync(TableName, ct);
        var pk = TableKeys.Safe(vendorId);
        for (var attempt = 1; ; attempt++)
        {
            if (await GetDecisionAsync(vendorId, leadId, hop, ct) is { } taken) return taken;
            var found = await table.GetEntityIfExistsAsync<TableEntity>(pk, RoundRobinRow, cancellationToken: ct);
            var credit = found.HasValue
                ? new RoundRobinState(JsonSerializer.Deserialize<Dictionary<string, long>>(found.Value!.GetString("Credit") ?? "{}", Json)!
                    .ToImmutableDictionary(StringComparer.Ordinal))
                : RoundRobinState.Empty;
            var decision = await decide(credit);
            var stored = new StoredRoutingDecision(leadId, hop, (decision as RoutingDecision.AssignTo)?.PartnerId, decision.Trail, now);
            var batch = new TableBatch().Add(new TableEntity(pk, DecisionKey(leadId, hop))
            {
                ["Hop"] = hop,
                ["PartnerId"] = stored.PartnerId,
                ["Trail"] = JsonSerializer.Serialize(stored.Trail, Json),
                ["DecidedAt"] = now,
            });
            if (decision is RoutingDecision.AssignTo { RoundRobin: var next } && !ReferenceEquals(next, credit))
            {
                var row = new TableEntity(pk, RoundRobinRow) { ["Credit"] = JsonSerializer.Serialize(next.Credit, Json) };
                if (found.HasValue) batch.UpdateReplace(row, found.Value!.ETag);
                else batch.Add(row);
            }
            try
            {
                await batch.SubmitAsync(table, ct);
                return stored;
            }
            catch (TableTransactionFailedException e) when (e.Status is 409 or 412 && attempt < 30)
            {
                await OptimisticConcurrency.BackoffAsync(attempt, ct);
            }
        }
    }

    public static string DecisionKey(string leadId, int hop) => $"d~{leadId}~{hop:D3}";

    private static StoredRoutingDecision Decision(TableEntity row) => new(
        row.RowKey.Split('~')[1], row.GetInt32("Hop") ?? 0, row.GetString("PartnerId"),
        JsonSerializer.Deserialize<List<RoutingTrailEntry>>(row.GetString("Trail") ?? "[]", Json) ?? [],
        row.GetDateTimeOffset("DecidedAt") ?? default);
}
